#include "services/generation/job_watch.h"

#include <algorithm>
#include <vector>

#include "services/generation/convert.h"

namespace clipforge::generation_service {
namespace {

bool Terminal(v1::JobStatus status) {
  return status == v1::JOB_STATUS_COMPLETED || status == v1::JOB_STATUS_FAILED ||
         status == v1::JOB_STATUS_CANCELLED;
}

}  // namespace

void JobWatchStream::Start(const JobView& first) {
  job_id_ = first.job.job_id;
  const absl::Status added = hub_.Add(this);
  if (!added.ok()) {
    Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, std::string(added.message())));
    return;
  }
  Offer(first);
}

void JobWatchStream::Offer(const JobView& view) {
  {
    absl::MutexLock lock(&mu_);
    if (finishing_ || view.job.version <= std::max(sent_version_, pending_version_)) return;
    v1::WatchJobResponse response;
    FillJob(view, response.mutable_job());
    pending_ = std::move(response);
    pending_version_ = view.job.version;
    pending_terminal_ = Terminal(view.job.status);
    if (writing_) return;  // OnWriteDone sends it.
    TakePendingLocked();
  }
  // Outside the lock: gRPC may run OnWriteDone on another thread at once.
  StartWrite(&in_flight_);
}

void JobWatchStream::TakePendingLocked() {
  in_flight_ = *std::move(pending_);
  pending_.reset();
  sent_version_ = pending_version_;
  last_terminal_ = pending_terminal_;
  writing_ = true;
  timeout_.WriteStarted();
}

void JobWatchStream::OnWriteDone(bool ok) {
  timeout_.WriteDone();
  enum class Next { kNothing, kWrite, kFinishOk, kFinishCancelled } next = Next::kNothing;
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (finishing_) return;
    if (!ok) {
      next = Next::kFinishCancelled;
    } else if (last_terminal_) {
      next = Next::kFinishOk;
    } else if (pending_) {
      TakePendingLocked();
      next = Next::kWrite;
    }
    if (next == Next::kFinishOk || next == Next::kFinishCancelled) finishing_ = true;
  }
  switch (next) {
    case Next::kWrite: StartWrite(&in_flight_); break;
    case Next::kFinishOk: Finish(grpc::Status::OK); break;
    case Next::kFinishCancelled: Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away")); break;
    case Next::kNothing: break;
  }
}

void JobWatchStream::OnDone() {
  hub_.Remove(this);
  timeout_.CallDone();
  delete this;
}

JobWatchHub::JobWatchHub(GenerationStore& store, absl::Duration poll_interval, size_t max_streams)
    : store_(store), poll_interval_(poll_interval), max_streams_(max_streams), thread_([this] { Run(); }) {}

JobWatchHub::~JobWatchHub() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

absl::Status JobWatchHub::Add(JobWatchStream* stream) {
  absl::MutexLock lock(&mu_);
  if (streams_.size() >= max_streams_) {
    return absl::ResourceExhaustedError("job_id: too many jobs are being watched on this server; retry later");
  }
  streams_.insert(stream);
  return absl::OkStatus();
}

void JobWatchHub::Remove(JobWatchStream* stream) {
  absl::MutexLock lock(&mu_);
  streams_.erase(stream);
}

void JobWatchHub::Poke() {
  absl::MutexLock lock(&mu_);
  poked_ = true;
}

void JobWatchHub::Run() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      const auto wake = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || poked_; };
      mu_.AwaitWithTimeout(absl::Condition(&wake), poll_interval_);
      if (stopping_) return;
      poked_ = false;
    }
    PollOnce();
  }
}

void JobWatchHub::PollOnce() {
  std::vector<std::string> job_ids;
  {
    absl::MutexLock lock(&mu_);
    for (JobWatchStream* stream : streams_) job_ids.push_back(stream->job_id());
  }
  if (job_ids.empty()) return;
  std::vector<JobView> views;
  const absl::Status read = store_.Transact(TxMode::kReadOnly, [&](GenerationTx& tx) {
    views.clear();
    for (const std::string& job_id : job_ids) {
      if (std::optional<JobRecord> job = tx.GetJob(job_id)) views.push_back(JobView{.job = *std::move(job)});
    }
    return absl::OkStatus();
  });
  if (!read.ok()) return;  // The next poll tries again.
  // Under the lock: a stream removes itself (OnDone) before it is deleted,
  // so every stream in the set is alive while it is offered a state.
  absl::MutexLock lock(&mu_);
  for (JobWatchStream* stream : streams_) {
    for (const JobView& view : views) {
      if (view.job.job_id == stream->job_id()) stream->Offer(view);
    }
  }
}

}  // namespace clipforge::generation_service
