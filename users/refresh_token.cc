#include "users/refresh_token.h"

#include <sodium.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace clipforge::users {
namespace {

constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
static_assert(kRefreshTokenChars ==
              5 + sodium_base64_ENCODED_LEN(kRefreshTokenBytes, kVariant) - 1);

}  // namespace

NewRefreshToken GenerateRefreshToken(kit::RandomSource& random) {
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
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex, 2 * crypto_hash_sha256_BYTES);
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
