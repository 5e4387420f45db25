// Keeps one job's lease alive while it renders, on a thread of its own so
// that a slow server never stalls the encoder: progress reports (which
// extend the lease) coalesced to at most one per `min_progress_gap` and
// sent only on change, and a heartbeat whenever `heartbeat_interval` passes
// without either. It watches the answers: the owner cancelling the job or
// the lease being lost sets stop_reason(), which the render polls.
#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "services/kit/logger.h"
#include "services/worker/worker_client.h"

namespace clipforge::worker {

enum class JobStopReason {
  kNone,             // the job may go on
  kCancelRequested,  // its owner cancelled it: drop it
  kLeaseLost,        // another lease superseded this one: drop it
};

struct LeaseKeeperOptions {
  absl::Duration heartbeat_interval = absl::Seconds(10);
  // 4 reports a second at most, as WatchJob shows them.
  absl::Duration min_progress_gap = absl::Milliseconds(250);
  // After a heartbeat that failed (not LEASE_LOST), the next try comes this
  // soon, or at the interval when that is shorter.
  absl::Duration retry_after_failure = absl::Seconds(1);
};

class LeaseKeeper {
 public:
  // Starts the thread. `client`, `clock` and `logger` must outlive it.
  LeaseKeeper(WorkerClient& client, JobLease lease, LeaseKeeperOptions options, const base::Clock& clock,
              kit::Logger& logger);
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;
  ~LeaseKeeper();

  // Records the job's progress for the next report; never blocks on the
  // network. Thread-safe.
  void SetProgress(int percent, absl::string_view stage);
  JobStopReason stop_reason() const { return stop_reason_.load(); }
  // Ends the thread (waits for a call in flight); idempotent. Call before
  // ending the lease (CompleteJob, FailJob) so that no heartbeat follows.
  void Stop();

 private:
  void Run();
  bool Woken() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return wake_ || shutting_down_; }
  // Sends one report or heartbeat when one is due; returns when to wake
  // next.
  absl::Time Tick(absl::Time now);
  void Note(const absl::Status& status, bool cancel_requested, absl::string_view call);

  WorkerClient& client_;
  const JobLease lease_;
  const LeaseKeeperOptions options_;
  const base::Clock& clock_;
  kit::Logger& logger_;
  std::atomic<JobStopReason> stop_reason_{JobStopReason::kNone};

  absl::Mutex mu_;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  bool wake_ ABSL_GUARDED_BY(mu_) = false;
  int percent_ ABSL_GUARDED_BY(mu_) = -1;
  std::string stage_ ABSL_GUARDED_BY(mu_);

  // Touched only by the keeper's thread.
  int sent_percent_ = -1;
  std::string sent_stage_;
  absl::Time last_report_ = absl::InfinitePast();
  absl::Time next_heartbeat_;

  std::thread thread_;
};

}  // namespace clipforge::worker
