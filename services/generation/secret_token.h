// The shape of the generation service's own secrets: worker credentials
// ("cfw_<id>_<secret>") and API keys ("cfk_<id>_<secret>"). The id (a UUID)
// names the stored row, so a token is found without a scan; the secret is
// 32 random bytes (base64url) of which only the SHA-256 is stored, so a
// leaked table grants nothing. Logs may show "<prefix><id>", never the
// secret.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/random.h"

namespace clipforge::generation_service {

struct SecretToken {
  std::string id;      // A canonical UUID.
  std::string secret;  // 32 raw bytes.
};

// `text` split into its id and secret; `refused` (an UNAUTHENTICATED
// status) for anything that is not "<prefix><uuid>_<43 base64url chars>".
absl::StatusOr<SecretToken> ParseSecretToken(absl::string_view text, absl::string_view prefix,
                                             const absl::Status& refused);

struct NewSecretToken {
  std::string text;           // The whole token, shown once.
  std::string secret_sha256;  // 32 raw bytes, to store.
};

// A token for `id` with a fresh secret drawn from `random`.
NewSecretToken MakeSecretToken(absl::string_view prefix, const std::string& id, base::RandomSource& random);

// True when `secret` hashes to `expected_sha256`, compared in constant time.
bool SecretMatches(const std::string& expected_sha256, const std::string& secret);

}  // namespace clipforge::generation_service
