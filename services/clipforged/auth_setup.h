// Access-token keys for this process: the signing key (users service only)
// and the keyring every service verifies tokens with.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "services/kit/access_token.h"

namespace clipforge::clipforged {

struct TokenKeys {
  std::optional<kit::AccessTokenSigner> signer;  // Set when a signing key file is configured.
  std::shared_ptr<kit::AccessTokenKeyring> keyring = std::make_shared<kit::AccessTokenKeyring>();
};

// `signing_key_file`: "cf-ed25519-seed:<kid>:<seed>" (mode 0600, refused when
// group/world readable). `verify_keys`: comma-separated
// "cf-ed25519-pub:<kid>:<key>" entries: public keys of other (older) signing
// keys, kept until their tokens expire.
absl::StatusOr<TokenKeys> LoadTokenKeys(const std::string& signing_key_file, const std::string& verify_keys);

// Writes a new signing key file (0600); FAILED_PRECONDITION when it exists.
absl::Status WriteNewSigningKey(const std::string& path, const std::string& key_id);

}  // namespace clipforge::clipforged
