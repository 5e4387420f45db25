// Wakes LeaseJob long polls when a job may have become available here (a
// job queued or requeued by this instance); polls also look again every
// `recheck` for jobs other instances queued.
#pragma once

#include <cstdint>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace clipforge::generation_service {

class LeaseSignal {
 public:
  void Notify() {
    absl::MutexLock lock(&mu_);
    ++generation_;
  }
  // The current generation, to wait past.
  uint64_t Current() {
    absl::MutexLock lock(&mu_);
    return generation_;
  }
  // Returns when Notify was called after `seen` was read, or after `timeout`.
  void WaitPast(uint64_t seen, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    const auto moved = [this, seen]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return generation_ != seen; };
    mu_.AwaitWithTimeout(absl::Condition(&moved), timeout);
  }

 private:
  absl::Mutex mu_;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace clipforge::generation_service
