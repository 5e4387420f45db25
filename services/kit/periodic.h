// Runs a task every `interval` on a thread of its own until destroyed;
// destruction wakes the thread at once (no waiting out the interval).
#pragma once

#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace clipforge::kit {

class Periodic {
 public:
  // A zero or negative interval starts nothing.
  Periodic(absl::Duration interval, std::function<void()> task);
  ~Periodic();
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

 private:
  void Run();

  const absl::Duration interval_;
  const std::function<void()> task_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace clipforge::kit
