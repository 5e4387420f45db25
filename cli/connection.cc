#include "cli/connection.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/errors.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace clipforge::cli {

v1::ErrorDetail ErrorDetailOf(const grpc::ClientContext& context) {
  v1::ErrorDetail detail;
  const auto& trailers = context.GetServerTrailingMetadata();
  const auto it = trailers.find("clipforge-error-bin");
  if (it != trailers.end() && !detail.ParseFromArray(it->second.data(), static_cast<int>(it->second.size()))) {
    detail.Clear();
  }
  return detail;
}

std::string ErrorInfoReason(const grpc::Status& status) {
  google::rpc::Status rich;
  if (status.error_details().empty() || !rich.ParseFromString(status.error_details())) return "";
  for (const google::protobuf::Any& detail : rich.details()) {
    google::rpc::ErrorInfo info;
    if (detail.UnpackTo(&info)) return info.reason();
  }
  return "";
}

Connection::Connection(std::string server, bool tls,
                       std::shared_ptr<grpc::ChannelCredentials> credentials,
                       const base::Clock& clock, base::UuidV7Generator& ids)
    : server_(std::move(server)), tls_(tls), clock_(clock), ids_(ids) {
  channel_ = grpc::CreateChannel(server_, std::move(credentials));
  users_ = v1::UsersService::NewStub(channel_);
  moderation_ = v1::ModerationService::NewStub(channel_);
  generation_ = v1::GenerationService::NewStub(channel_);
  clips_ = v1::ClipsService::NewStub(channel_);
  feed_ = v1::FeedService::NewStub(channel_);
  tipping_ = v1::TippingService::NewStub(channel_);
}

std::unique_ptr<grpc::ClientContext> Connection::NewContext(absl::Duration timeout,
                                                            absl::string_view access_token) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout));
  context->AddMetadata("x-request-id", NewId());
  if (!access_token.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", access_token));
  }
  return context;
}

bool Connection::ReachedServer(const grpc::Status& status) {
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE &&
      status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
    return true;
  }
  // gRPC's own words when no connection could be made.
  const std::string message = absl::AsciiStrToLower(status.error_message());
  for (const char* sign : {"failed to connect", "connection refused", "dns resolution failed",
                           "connections to all backends failing", "no address", "name resolution",
                           "network is unreachable"}) {
    if (absl::StrContains(message, sign)) return false;
  }
  return channel_->GetState(/*try_to_connect=*/false) == GRPC_CHANNEL_READY;
}

absl::Status Connection::Finish(const grpc::Status& status, const grpc::ClientContext& context,
                                absl::Duration timeout) {
  if (status.ok()) return absl::OkStatus();
  RpcFailure failure;
  failure.code = status.error_code();
  failure.message = status.error_message();
  failure.detail = ErrorDetailOf(context);
  if (failure.detail.reason().empty()) failure.detail.set_reason(ErrorInfoReason(status));
  failure.reached_server = ReachedServer(status);
  return DescribeRpcFailure(failure, {.server = server_, .now = clock_.Now(), .timeout = timeout, .tls = tls_});
}

absl::StatusOr<v1::AuthTokens> RpcTokenRefresher::Refresh(absl::string_view refresh_token) {
  v1::RefreshTokenRequest request;
  request.set_request_id(connection_.NewId());
  request.set_refresh_token(std::string(refresh_token));
  absl::Status last;
  for (int attempt = 0; attempt < 2; ++attempt) {
    v1::RefreshTokenResponse response;
    auto context = connection_.NewContext(kCallTimeout, "");
    const grpc::Status status = connection_.users().RefreshToken(context.get(), request, &response);
    if (status.ok()) return response.tokens();
    last = connection_.Finish(status, *context);
    const bool maybe_applied = status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
                               status.error_code() == grpc::StatusCode::UNAVAILABLE;
    if (!maybe_applied) break;
  }
  return last;
}

}  // namespace clipforge::cli
