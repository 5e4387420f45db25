// Runs a task every `interval` on a thread of its own until destroyed;
// destruction wakes the thread at once (no waiting out the interval).
// RunSoon asks for a run before the interval is up (an event said there is
// work): requests made while the task runs fold into one more run.
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

  // Wakes the thread to run the task now (or right after the current run).
  void RunSoon();

 private:
  void Run();

  const absl::Duration interval_;
  const std::function<void()> task_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool run_soon_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace clipforge::kit
