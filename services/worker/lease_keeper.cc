#include "services/worker/lease_keeper.h"

#include <algorithm>
#include <utility>

#include "services/worker/rpc_status.h"

namespace clipforge::worker {

LeaseKeeper::LeaseKeeper(WorkerClient& client, JobLease lease, LeaseKeeperOptions options, const base::Clock& clock,
                         kit::Logger& logger)
    : client_(client), lease_(std::move(lease)), options_(options), clock_(clock), logger_(logger) {
  // The lease was just granted: the first heartbeat is one interval away.
  next_heartbeat_ = clock_.Now() + options_.heartbeat_interval;
  thread_ = std::thread([this] { Run(); });
}

LeaseKeeper::~LeaseKeeper() { Stop(); }

void LeaseKeeper::Stop() {
  {
    absl::MutexLock lock(&mu_);
    shutting_down_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void LeaseKeeper::SetProgress(int percent, absl::string_view stage) {
  absl::MutexLock lock(&mu_);
  if (percent == percent_ && stage == stage_) return;
  percent_ = percent;
  stage_ = std::string(stage);
  wake_ = true;
}

void LeaseKeeper::Run() {
  absl::Time wake_at = next_heartbeat_;
  while (stop_reason_.load() == JobStopReason::kNone) {
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(this, &LeaseKeeper::Woken),
                           std::max(absl::ZeroDuration(), wake_at - clock_.Now()));
      if (shutting_down_) return;
      wake_ = false;
    }
    wake_at = Tick(clock_.Now());
  }
}

absl::Time LeaseKeeper::Tick(absl::Time now) {
  int percent;
  std::string stage;
  {
    absl::MutexLock lock(&mu_);
    percent = percent_;
    stage = stage_;
  }
  const bool changed = percent >= 0 && (percent != sent_percent_ || stage != sent_stage_);
  if (changed && now >= last_report_ + options_.min_progress_gap) {
    absl::StatusOr<v1::ReportProgressResponse> answer = client_.ReportProgress(lease_, percent, stage);
    Note(answer.status(), answer.ok() && answer->cancel_requested(), "report_progress");
    last_report_ = now;
    if (answer.ok()) {
      sent_percent_ = percent;
      sent_stage_ = stage;
      next_heartbeat_ = now + options_.heartbeat_interval;  // a report extends the lease too
    }
  } else if (now >= next_heartbeat_) {
    absl::StatusOr<v1::HeartbeatResponse> answer = client_.Heartbeat(lease_);
    Note(answer.status(), answer.ok() && answer->cancel_requested(), "heartbeat");
    next_heartbeat_ = now + (answer.ok() ? options_.heartbeat_interval
                                         : std::min(options_.retry_after_failure, options_.heartbeat_interval));
  }
  absl::Time wake_at = next_heartbeat_;
  // A change held back by the gap (or a report that failed) goes out as
  // soon as the gap has passed.
  const bool pending = percent >= 0 && (percent != sent_percent_ || stage != sent_stage_);
  if (pending) wake_at = std::min(wake_at, last_report_ + options_.min_progress_gap);
  return wake_at;
}

void LeaseKeeper::Note(const absl::Status& status, bool cancel_requested, absl::string_view call) {
  if (cancel_requested) {
    stop_reason_ = JobStopReason::kCancelRequested;
  } else if (IsLeaseLost(status)) {
    stop_reason_ = JobStopReason::kLeaseLost;
  } else if (!status.ok()) {
    // The lease outlives a few missed heartbeats; keep trying.
    logger_.Warn("lease_call_failed", {{"job_id", lease_.job_id},
                                       {"lease_epoch", lease_.epoch},
                                       {"call", call},
                                       {"code", absl::StatusCodeToString(status.code())},
                                       {"detail", status.message()}});
  }
}

}  // namespace clipforge::worker
