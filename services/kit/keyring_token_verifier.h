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
#include "base/clock.h"

namespace clipforge::kit {

class KeyringTokenVerifier final : public TokenVerifier {
 public:
  // `clock` must outlive the verifier.
  KeyringTokenVerifier(std::shared_ptr<const AccessTokenKeyring> keyring, const base::Clock& clock)
      : keyring_(std::move(keyring)), clock_(clock) {}

  // Caller{user_id, roles, session_id}, or UNAUTHENTICATED.
  absl::StatusOr<Caller> Verify(absl::string_view token) const override;

 private:
  std::shared_ptr<const AccessTokenKeyring> keyring_;
  const base::Clock& clock_;
};

}  // namespace clipforge::kit
