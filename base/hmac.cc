#include "base/hmac.h"

#include <sodium.h>

namespace clipforge::base {

std::string HmacSha256(absl::string_view key, absl::string_view data) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  std::string mac(kHmacSha256Bytes, '\0');
  crypto_auth_hmacsha256_final(&state, reinterpret_cast<unsigned char*>(mac.data()));
  return mac;
}

bool VerifyHmacSha256(absl::string_view key, absl::string_view data, absl::string_view mac) {
  if (mac.size() != kHmacSha256Bytes) return false;
  const std::string expected = HmacSha256(key, data);
  return sodium_memcmp(expected.data(), mac.data(), kHmacSha256Bytes) == 0;
}

}  // namespace clipforge::base
