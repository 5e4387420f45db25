// HMAC-SHA-256 (RFC 2104) for what a domain core signs without the service
// kit: the feed's page tokens carry their own MAC so that a client cannot
// forge what it was served.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace clipforge::base {

inline constexpr size_t kHmacSha256Bytes = 32;

// The 32 raw bytes of HMAC-SHA-256 of `data` under `key` (any length).
std::string HmacSha256(absl::string_view key, absl::string_view data);

// True when `mac` is HMAC-SHA-256 of `data` under `key`, compared in
// constant time (a timing difference would let a forger guess it byte by
// byte).
bool VerifyHmacSha256(absl::string_view key, absl::string_view data, absl::string_view mac);

}  // namespace clipforge::base
