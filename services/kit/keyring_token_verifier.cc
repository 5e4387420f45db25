#include "services/kit/keyring_token_verifier.h"

#include <utility>

namespace clipforge::kit {

absl::StatusOr<Caller> KeyringTokenVerifier::Verify(absl::string_view token) const {
  absl::StatusOr<AccessClaims> claims = keyring_->Verify(token, clock_.Now());
  if (!claims.ok()) return claims.status();
  if (revoked_ != nullptr && revoked_->Revoked(claims->session_id)) {
    return absl::UnauthenticatedError("access token: its session has ended; log in again");
  }
  Caller caller;
  caller.user_id = std::move(claims->user_id);
  caller.roles = claims->roles;
  caller.session_id = std::move(claims->session_id);
  return caller;
}

}  // namespace clipforge::kit
