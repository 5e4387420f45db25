// The worker side of generation jobs: lease the next job a worker can
// render (the fair queue), keep the lease alive, record uploaded outputs,
// complete or fail, and expire lapsed leases.
//
// Fencing: every lease of a job has a larger epoch than the one before, and
// every call about a job names the epoch it was given. A call whose epoch is
// not the job's current lease (the lease lapsed and the job went back to the
// queue, or it was leased again, or it finished) fails FAILED_PRECONDITION
// with reason "LEASE_LOST", so a slow or partitioned worker can never
// complete a job someone else now owns.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "services/generation/content_checks.h"
#include "services/generation/events.h"
#include "services/generation/store_interface.h"
#include "services/kit/idempotency.h"

namespace clipforge::generation_service {

struct LeaseRules {
  absl::Duration lease_length = absl::Seconds(30);
  absl::Duration heartbeat_interval = absl::Seconds(10);
  // Expired leases handled per sweep transaction.
  int sweep_batch = 100;
};

// Who is calling: an authenticated worker credential and the process.
struct WorkerIdentity {
  std::string credential_id;
  std::string instance;  // e.g. "gpu-node-3/worker-1"; for logs and the job row.
};

// A job of this lease, which a worker may ask to extend.
struct LeaseState {
  absl::Time expires;
  bool cancel_requested = false;
};

struct FailOutcome {
  bool will_retry = false;
  v1::JobStatus status = v1::JOB_STATUS_FAILED;
};

// The most frame hashes a job's outputs keep: one a second of the longest
// video a job makes (generation::kMaxSeconds rendered, slowed to a quarter
// speed: twenty minutes), plus the first and the last frame, which the
// media filter samples too. JobOutputs.frame_hashes in generation.proto
// names this number.
inline constexpr int kMaxFrameHashes = 1202;

// What a worker reports when it completes: the outputs it uploaded under
// this lease (blob refs) and their description. Its frame_hashes are not
// trusted: Complete replaces them with the media filter's.
struct Completion {
  v1::JobOutputs outputs;
};

class WorkerLogic {
 public:
  WorkerLogic(GenerationStore& store, const base::Clock& clock, const GenerationEvents& events,
              ContentChecks& checks, LeaseRules rules = {})
      : store_(store), clock_(clock), events_(events), checks_(checks), rules_(rules) {}

  const LeaseRules& rules() const { return rules_; }

  // Leases the queue's head among jobs `filter` matches; nullopt when none.
  // A retry of the same request_id while its lease is live returns that
  // lease again.
  absl::StatusOr<std::optional<JobRecord>> Lease(const WorkerIdentity& worker, const std::string& request_id,
                                                 const LeaseFilter& filter);
  // Extends the lease (and records progress when `percent` is set; a value
  // below the last one is ignored). A job cancelled during the lease answers
  // cancel_requested without extending it.
  absl::StatusOr<LeaseState> Renew(const WorkerIdentity& worker, const std::string& job_id, int64_t epoch,
                                   std::optional<int32_t> percent, const std::string& stage);
  // The job when `epoch` is its live lease (for uploads and downloads).
  absl::StatusOr<JobRecord> Leased(const WorkerIdentity& worker, const std::string& job_id, int64_t epoch);
  // Records a blob stored for the lease; a later upload of the same
  // variant under the same lease replaces it.
  absl::Status RecordUpload(const WorkerIdentity& worker, const UploadRecord& upload);
  // Completes the job: the outputs must be this lease's uploads (video,
  // thumbnail and provenance required). The video goes through the media
  // filter first: a BLOCK fails the job (OUTPUT_REJECTED). Returns the
  // job's status after.
  absl::StatusOr<v1::JobStatus> Complete(const WorkerIdentity& worker, const kit::IdempotencyKey& key,
                                         const std::string& job_id, int64_t epoch, const Completion& completion);
  absl::StatusOr<FailOutcome> Fail(const WorkerIdentity& worker, const kit::IdempotencyKey& key,
                                   const std::string& job_id, int64_t epoch, v1::GenerationFailureCode code,
                                   const std::string& message, bool retryable);
  // Puts jobs whose lease lapsed back in the queue while attempts remain,
  // else fails them (ATTEMPTS_EXHAUSTED). Returns how many it handled.
  absl::StatusOr<int> ExpireLeases();

 private:
  // Requeues `job` when attempts remain, else fails it with `code`.
  absl::Status RetryOrFail(GenerationTx& tx, JobRecord& job, v1::GenerationFailureCode code,
                           const std::string& message, bool retryable);

  GenerationStore& store_;
  const base::Clock& clock_;
  const GenerationEvents& events_;
  ContentChecks& checks_;
  const LeaseRules rules_;
};

// FAILED_PRECONDITION with reason "LEASE_LOST".
absl::Status LeaseLost(const std::string& job_id);

}  // namespace clipforge::generation_service
