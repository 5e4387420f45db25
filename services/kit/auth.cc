#include "services/kit/auth.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/match.h"

namespace clipforge::kit {
namespace {
constexpr absl::string_view kBearer = "Bearer ";
constexpr size_t kMaxTokenBytes = 4096;
}  // namespace

absl::StatusOr<Caller> DenyAllVerifier::Verify(absl::string_view) const {
  return absl::UnauthenticatedError("token verification is not configured on this server");
}

absl::StatusOr<Caller> AuthGate::Authenticate(const grpc::ServerContextBase& ctx) const {
  const auto& metadata = ctx.client_metadata();
  const auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    return absl::UnauthenticatedError("authorization: missing bearer token");
  }
  const absl::string_view value(it->second.data(), it->second.size());
  if (!absl::StartsWith(value, kBearer) || value.size() == kBearer.size() ||
      value.size() > kBearer.size() + kMaxTokenBytes) {
    return absl::UnauthenticatedError("authorization: expected 'Bearer <token>'");
  }
  const absl::string_view token = value.substr(kBearer.size());
  for (const auto& [prefix, verifier] : by_prefix_) {
    if (absl::StartsWith(token, prefix)) return verifier->Verify(token);
  }
  return verifier_->Verify(token);
}

AuthGate AuthGate::With(std::string prefix, std::shared_ptr<const TokenVerifier> verifier) const {
  AuthGate gate = *this;
  gate.by_prefix_.emplace_back(std::move(prefix), std::move(verifier));
  return gate;
}

std::string AuthorizationOf(const grpc::ServerContextBase& ctx) {
  const auto& metadata = ctx.client_metadata();
  const auto it = metadata.find("authorization");
  return it == metadata.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

}  // namespace clipforge::kit
