// The TokenVerifier every service installs in its AuthGate: access tokens
// (access_token.h) checked against a keyring of public keys and the clock,
// with no database call.
#pragma once

#include <memory>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/kit/access_token.h"
#include "services/kit/auth.h"
#include "services/kit/revocation_set.h"
#include "base/clock.h"

namespace clipforge::kit {

class KeyringTokenVerifier final : public TokenVerifier {
 public:
  // `clock` and `revoked` (when given) must outlive the verifier.
  KeyringTokenVerifier(std::shared_ptr<const AccessTokenKeyring> keyring, const base::Clock& clock,
                       const RevocationSet* revoked = nullptr)
      : keyring_(std::move(keyring)), clock_(clock), revoked_(revoked) {}

  // Caller{user_id, roles, session_id}, or UNAUTHENTICATED (also for a
  // token whose session `revoked` holds).
  absl::StatusOr<Caller> Verify(absl::string_view token) const override;

 private:
  std::shared_ptr<const AccessTokenKeyring> keyring_;
  const base::Clock& clock_;
  const RevocationSet* revoked_;
};

}  // namespace clipforge::kit
