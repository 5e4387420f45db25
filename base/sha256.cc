#include "base/sha256.h"

#include <new>

#include <sodium.h>

namespace clipforge::base {
namespace {

crypto_hash_sha256_state* StateIn(unsigned char* storage) {
  return std::launder(reinterpret_cast<crypto_hash_sha256_state*>(storage));
}

}  // namespace

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex, crypto_hash_sha256_BYTES * 2);
}

std::string Sha256(absl::string_view data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

Sha256Hasher::Sha256Hasher() {
  static_assert(sizeof(crypto_hash_sha256_state) <= sizeof(state_), "Sha256Hasher::state_ is too small");
  static_assert(alignof(crypto_hash_sha256_state) <= 16, "Sha256Hasher::state_ is under-aligned");
  crypto_hash_sha256_init(new (state_) crypto_hash_sha256_state);
}

void Sha256Hasher::Update(absl::string_view data) {
  crypto_hash_sha256_update(StateIn(state_), reinterpret_cast<const unsigned char*>(data.data()), data.size());
}

std::string Sha256Hasher::Finish() {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(StateIn(state_), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

}  // namespace clipforge::base
