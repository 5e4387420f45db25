// WatchJob's streams: one thread polls the watched jobs (a few times a
// second, and at once when this instance changed a job) and hands each stream the job's state when its
// version changed. A stream has at most one write in flight: states that
// arrive meanwhile replace each other, so a slow client gets the latest
// state, never a backlog. The stream ends after a terminal status.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <grpcpp/support/server_callback.h>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "clipforge/v1/generation.pb.h"
#include "services/generation/job_logic.h"
#include "services/kit/write_timeout.h"

namespace clipforge::generation_service {

class JobWatchHub;

class JobWatchStream final : public grpc::ServerWriteReactor<v1::WatchJobResponse> {
 public:
  JobWatchStream(grpc::CallbackServerContext* ctx, JobWatchHub& hub, absl::Duration write_timeout)
      : hub_(hub), timeout_(ctx, write_timeout) {}

  // Starts watching `first` (already read for the caller).
  void Start(const JobView& first);
  void Fail(const grpc::Status& status) { Finish(status); }
  // A newer state of the job (from the hub's thread).
  void Offer(const JobView& view);
  const std::string& job_id() const { return job_id_; }

  void OnWriteDone(bool ok) override;
  void OnDone() override;

 private:
  // Moves the pending state to in_flight_ and marks a write started.
  void TakePendingLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  JobWatchHub& hub_;
  kit::WriteTimeout timeout_;
  std::string job_id_;
  absl::Mutex mu_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finishing_ ABSL_GUARDED_BY(mu_) = false;
  int64_t sent_version_ ABSL_GUARDED_BY(mu_) = 0;
  std::optional<v1::WatchJobResponse> pending_ ABSL_GUARDED_BY(mu_);
  bool pending_terminal_ ABSL_GUARDED_BY(mu_) = false;
  bool last_terminal_ ABSL_GUARDED_BY(mu_) = false;
  int64_t pending_version_ ABSL_GUARDED_BY(mu_) = 0;
  v1::WatchJobResponse in_flight_;
};

class JobWatchHub {
 public:
  // At most `max_streams` at once on this instance (RESOURCE_EXHAUSTED
  // beyond); jobs are read every `poll_interval`.
  JobWatchHub(GenerationStore& store, absl::Duration poll_interval, size_t max_streams);
  ~JobWatchHub();

  absl::Status Add(JobWatchStream* stream);
  void Remove(JobWatchStream* stream);
  // A job changed on this instance: poll now rather than at the next tick
  // (changes made elsewhere are seen within the poll interval).
  void Poke();

 private:
  void Run();
  void PollOnce();

  GenerationStore& store_;
  const absl::Duration poll_interval_;
  const size_t max_streams_;
  absl::Mutex mu_;
  absl::flat_hash_set<JobWatchStream*> streams_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool poked_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace clipforge::generation_service
