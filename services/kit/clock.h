// Time and randomness are injected so that logic and tests control them.
#pragma once

#include <array>
#include <cstdint>
#include <cstddef>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace clipforge::kit {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

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

}  // namespace clipforge::kit
