// Refresh tokens: opaque random strings handed to the client once. The
// server stores only their SHA-256, so a leaked table cannot be replayed;
// looking a presented token up means hashing it and finding that hash.
#pragma once

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "base/random.h"

namespace clipforge::users {

// "cfr1." + base64url(32 random bytes), no padding: 48 characters.
inline constexpr absl::string_view kRefreshTokenPrefix = "cfr1.";
inline constexpr size_t kRefreshTokenBytes = 32;
inline constexpr size_t kRefreshTokenChars = 48;

struct NewRefreshToken {
  std::string token;  // For the client only: never stored, never logged.
  std::string hash;   // HashRefreshToken(token): what the database keeps.
};

NewRefreshToken GenerateRefreshToken(base::RandomSource& random);

// Lowercase hex SHA-256 of the token's ASCII bytes (64 characters).
std::string HashRefreshToken(absl::string_view token);

// True when `token` has the exact shape GenerateRefreshToken produces; a cheap
// filter before hashing and querying.
bool LooksLikeRefreshToken(absl::string_view token);

}  // namespace clipforge::users
