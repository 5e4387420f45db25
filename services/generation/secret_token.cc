#include "services/generation/secret_token.h"

#include <sodium.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/sha256.h"
#include "base/validation.h"

namespace clipforge::generation_service {
namespace {

constexpr size_t kSecretBytes = 32;
constexpr size_t kUuidChars = 36;

}  // namespace

absl::StatusOr<SecretToken> ParseSecretToken(absl::string_view text, absl::string_view prefix,
                                             const absl::Status& refused) {
  if (!absl::ConsumePrefix(&text, prefix) || text.size() <= kUuidChars + 1 || text[kUuidChars] != '_') {
    return refused;
  }
  SecretToken token{.id = std::string(text.substr(0, kUuidChars))};
  if (!base::IsCanonicalUuid(token.id) || !absl::WebSafeBase64Unescape(text.substr(kUuidChars + 1), &token.secret) ||
      token.secret.size() != kSecretBytes) {
    return refused;
  }
  return token;
}

NewSecretToken MakeSecretToken(absl::string_view prefix, const std::string& id, base::RandomSource& random) {
  std::string secret(kSecretBytes, '\0');
  random.Fill(secret.data(), secret.size());
  std::string encoded;
  absl::WebSafeBase64Escape(secret, &encoded);
  NewSecretToken token{.text = absl::StrCat(prefix, id, "_", encoded), .secret_sha256 = base::Sha256(secret)};
  sodium_memzero(secret.data(), secret.size());
  return token;
}

bool SecretMatches(const std::string& expected_sha256, const std::string& secret) {
  const std::string actual = base::Sha256(secret);
  return expected_sha256.size() == actual.size() &&
         sodium_memcmp(expected_sha256.data(), actual.data(), actual.size()) == 0;
}

}  // namespace clipforge::generation_service
