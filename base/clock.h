// Time is injected so that logic and tests control it: nothing outside
// main() reads the system clock directly.
#pragma once

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace clipforge::base {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace clipforge::base
