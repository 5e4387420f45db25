// The auth hook. Every handler goes through CallRunner (call_runner.h), which
// asks the AuthGate for the caller before any work. gRPC C++ server
// interceptors cannot reject a call (they have no Hijack on the server, see
// grpc/grpc#24017), so the gate sits in the one path every handler takes.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

#include <grpcpp/server_context.h>

#include "absl/status/statusor.h"
#include "services/kit/caller.h"

namespace clipforge::kit {

// Verifies a bearer token without a database call. The users service
// provides the Ed25519 implementation; until then DenyAllVerifier is used.
class TokenVerifier {
 public:
  virtual ~TokenVerifier() = default;
  virtual absl::StatusOr<Caller> Verify(absl::string_view token) const = 0;
};

class DenyAllVerifier final : public TokenVerifier {
 public:
  absl::StatusOr<Caller> Verify(absl::string_view token) const override;
};

class AuthGate {
 public:
  explicit AuthGate(std::shared_ptr<const TokenVerifier> verifier)
      : verifier_(std::move(verifier)) {}

  // UNAUTHENTICATED when the `authorization: Bearer <token>` metadata is
  // missing, malformed or does not verify (or the verifier's own status).
  absl::StatusOr<Caller> Authenticate(const grpc::ServerContextBase& ctx) const;

  // A gate that sends bearer tokens starting with `prefix` to `verifier`
  // and every other token where this gate sends it: for a service that
  // also takes a kind of token of its own (the generation API's "cfk_" API
  // keys). Other services' gates never see such tokens verified.
  AuthGate With(std::string prefix, std::shared_ptr<const TokenVerifier> verifier) const;

 private:
  std::shared_ptr<const TokenVerifier> verifier_;
  std::vector<std::pair<std::string, std::shared_ptr<const TokenVerifier>>> by_prefix_;
};

// The call's "authorization" metadata as sent ("" when absent): what a
// service passes on when it asks another on the caller's behalf.
std::string AuthorizationOf(const grpc::ServerContextBase& ctx);

}  // namespace clipforge::kit
