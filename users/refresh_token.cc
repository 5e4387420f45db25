#include "users/refresh_token.h"

#include <sodium.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/sha256.h"

namespace clipforge::users {
namespace {

constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
static_assert(kRefreshTokenChars ==
              5 + sodium_base64_ENCODED_LEN(kRefreshTokenBytes, kVariant) - 1);

}  // namespace

NewRefreshToken GenerateRefreshToken(base::RandomSource& random) {
  unsigned char bytes[kRefreshTokenBytes];
  random.Fill(bytes, sizeof bytes);
  char encoded[sodium_base64_ENCODED_LEN(kRefreshTokenBytes, kVariant)];
  sodium_bin2base64(encoded, sizeof encoded, bytes, sizeof bytes, kVariant);
  sodium_memzero(bytes, sizeof bytes);
  NewRefreshToken out;
  out.token = absl::StrCat(kRefreshTokenPrefix, encoded);
  sodium_memzero(encoded, sizeof encoded);
  out.hash = HashRefreshToken(out.token);
  return out;
}

std::string HashRefreshToken(absl::string_view token) {
  return base::Sha256Hex(token);
}

bool LooksLikeRefreshToken(absl::string_view token) {
  if (token.size() != kRefreshTokenChars || !absl::StartsWith(token, kRefreshTokenPrefix)) {
    return false;
  }
  const absl::string_view body = token.substr(kRefreshTokenPrefix.size());
  unsigned char bytes[kRefreshTokenBytes];
  size_t size = 0;
  const bool ok = sodium_base642bin(bytes, sizeof bytes, body.data(), body.size(), nullptr, &size,
                                    nullptr, kVariant) == 0 &&
                  size == kRefreshTokenBytes;
  sodium_memzero(bytes, sizeof bytes);
  return ok;
}

}  // namespace clipforge::users
