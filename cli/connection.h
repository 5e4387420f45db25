// The channel to the server and what every call needs: a deadline, a fresh
// `x-request-id`, the bearer token, and a failure described for the user.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/security/credentials.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "cli/session.h"
#include "clipforge/v1/clips.grpc.pb.h"
#include "clipforge/v1/feed.grpc.pb.h"
#include "clipforge/v1/generation.grpc.pb.h"
#include "clipforge/v1/moderation.grpc.pb.h"
#include "clipforge/v1/tipping.grpc.pb.h"
#include "clipforge/v1/users.grpc.pb.h"
#include "base/clock.h"
#include "base/uuid.h"

namespace clipforge::cli {

inline constexpr absl::Duration kCallTimeout = absl::Seconds(10);
inline constexpr absl::Duration kExportTimeout = absl::Seconds(120);

// The failure detail a server sent in the `clipforge-error-bin` trailer;
// empty when there is none or it does not parse.
v1::ErrorDetail ErrorDetailOf(const grpc::ClientContext& context);
// The ErrorInfo.reason in a status's grpc-status-details-bin (AIP-193), or "".
std::string ErrorInfoReason(const grpc::Status& status);

class Connection {
 public:
  // `tls`: whether `credentials` are TLS ones (to explain failures).
  Connection(std::string server, bool tls, std::shared_ptr<grpc::ChannelCredentials> credentials,
             const base::Clock& clock, base::UuidV7Generator& ids);

  const std::string& server() const { return server_; }
  v1::UsersService::StubInterface& users() { return *users_; }
  v1::ModerationService::StubInterface& moderation() { return *moderation_; }
  v1::GenerationService::StubInterface& generation() { return *generation_; }
  // The stub of type Stub (for the call helpers of command_context.h).
  template <typename Stub>
  Stub& stub();

  // A fresh UUID for a request_id or x-request-id.
  std::string NewId() { return ids_.Next(); }

  // A context with a deadline, a fresh x-request-id and, unless
  // `access_token` is empty, `authorization: Bearer <access_token>`.
  std::unique_ptr<grpc::ClientContext> NewContext(absl::Duration timeout,
                                                  absl::string_view access_token);

  // OK, or the failure of a finished call described for the user.
  absl::Status Finish(const grpc::Status& status, const grpc::ClientContext& context,
                      absl::Duration timeout = kCallTimeout);

 private:
  // False when the failure happened before any connection was made.
  bool ReachedServer(const grpc::Status& status);

  std::string server_;
  bool tls_;
  const base::Clock& clock_;
  base::UuidV7Generator& ids_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::UsersService::StubInterface> users_;
  std::unique_ptr<v1::ModerationService::StubInterface> moderation_;
  std::unique_ptr<v1::GenerationService::StubInterface> generation_;
  std::unique_ptr<v1::ClipsService::StubInterface> clips_;
  std::unique_ptr<v1::FeedService::StubInterface> feed_;
  std::unique_ptr<v1::TippingService::StubInterface> tipping_;
};

template <>
inline v1::UsersService::StubInterface& Connection::stub() {
  return *users_;
}
template <>
inline v1::ModerationService::StubInterface& Connection::stub() {
  return *moderation_;
}
template <>
inline v1::GenerationService::StubInterface& Connection::stub() {
  return *generation_;
}
template <>
inline v1::ClipsService::StubInterface& Connection::stub() {
  return *clips_;
}
template <>
inline v1::FeedService::StubInterface& Connection::stub() {
  return *feed_;
}
template <>
inline v1::TippingService::StubInterface& Connection::stub() {
  return *tipping_;
}

// RefreshToken over a Connection. A call that may or may not have reached
// the server is retried once with the same request_id, which the server
// answers with the same new pair instead of treating it as token reuse.
class RpcTokenRefresher final : public TokenRefresher {
 public:
  explicit RpcTokenRefresher(Connection& connection) : connection_(connection) {}
  absl::StatusOr<v1::AuthTokens> Refresh(absl::string_view refresh_token) override;

 private:
  Connection& connection_;
};

}  // namespace clipforge::cli
