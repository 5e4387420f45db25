// The clock every test uses: it stands still until the test moves it.
// Thread-safe, so servers under test may read it from their own threads.
#pragma once

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"

namespace clipforge::base::testing {

class FakeClock final : public Clock {
 public:
  // Starts at a fixed instant, so results do not depend on when tests run.
  FakeClock() : FakeClock(absl::FromUnixSeconds(1'780'000'000)) {}
  explicit FakeClock(absl::Time start) : now_(start) {}

  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }
  void Set(absl::Time t) {
    absl::MutexLock lock(&mu_);
    now_ = t;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace clipforge::base::testing
