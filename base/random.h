// Randomness is injected so that logic and tests control it.
#pragma once

#include <cstddef>

namespace clipforge::base {

// Fills buffers with cryptographically secure random bytes.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual void Fill(void* out, size_t size) = 0;
};

// libsodium's randombytes (getrandom(2) underneath). Thread-safe once
// libsodium is initialized, which the constructor ensures: without
// sodium_init(), concurrent first uses race inside libsodium.
class SecureRandom final : public RandomSource {
 public:
  SecureRandom();
  void Fill(void* out, size_t size) override;
};

}  // namespace clipforge::base
