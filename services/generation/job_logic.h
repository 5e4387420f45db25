// The user side of generation jobs: create (prompt check, tier limits,
// quotas, the fair-queue tag, reuse of an identical earlier render), read,
// list, cancel and delete. Workers' side: worker_logic.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "base/uuid.h"
#include "generation/job_spec.h"
#include "services/generation/content_checks.h"
#include "generation/upload_quota.h"
#include "services/generation/events.h"
#include "services/generation/store_interface.h"
#include "services/kit/caller.h"
#include "services/kit/idempotency.h"

namespace clipforge::generation_service {

struct JobRules {
  // Attempts a job gets (leases that lapse and retryable failures).
  int32_t max_attempts = 3;
  // Queued jobs counted ahead of one (the position shown stops there).
  int32_t queue_position_cap = 10000;
  // What one user may keep uploaded at once.
  generation::UploadLimits uploads;
};

// A validated CreateJob: the spec as stored (defaults and the seed filled
// in) and the core's view of it.
struct NewJob {
  v1::JobSpec spec;
  generation::JobSpec core;
  std::string renderer;          // Its name, e.g. "procedural-1".
  std::string renderer_version;  // Part of the fingerprint.
  std::string effects_key;       // The effects' canonical bytes; part of it too.
  // A remix's parent manifest store (an ingredient of the new manifest, so
  // part of the fingerprint as well).
  std::optional<v1::BlobRef> parent_provenance;
};

// A job as its owner sees it.
struct JobView {
  JobRecord job;
  int32_t queue_position = 0;  // Jobs ahead while queued.
};

struct JobPage {
  std::vector<JobRecord> jobs;
  std::optional<JobCursor> next;  // Unset on the last page.
};

class JobLogic {
 public:
  JobLogic(GenerationStore& store, const base::Clock& clock, base::UuidV7Generator& ids,
           const GenerationEvents& events, ContentChecks& checks, JobRules rules = {})
      : store_(store), clock_(clock), ids_(ids), events_(events), checks_(checks), rules_(rules) {}

  // Checks the prompt (BLOCK: FAILED_PRECONDITION "PROMPT_BLOCKED" naming
  // the categories; REVIEW: the job waits in PENDING_REVIEW), the tier's
  // limits (FAILED_PRECONDITION "LIMIT_EXCEEDED") and quotas
  // (RESOURCE_EXHAUSTED "QUOTA_EXCEEDED"), then queues the job, or completes
  // it at once with the outputs of an earlier identical render.
  absl::StatusOr<JobView> Create(const kit::Caller& caller, const CheckOnBehalf& who, const kit::IdempotencyKey& key,
                                 const NewJob& input);
  // The caller's job (admins: any); NOT_FOUND otherwise.
  absl::StatusOr<JobView> Get(const kit::Caller& caller, const std::string& job_id);
  absl::StatusOr<JobPage> List(const kit::Caller& caller, const std::vector<v1::JobStatus>& statuses,
                               const std::optional<JobCursor>& cursor, int limit);
  // Cancels an unfinished job (a cancelled one: OK as it is; completed or
  // failed: FAILED_PRECONDITION). A worker rendering it learns at its next
  // heartbeat.
  absl::StatusOr<JobView> Cancel(const kit::Caller& caller, const kit::IdempotencyKey& key, const std::string& job_id);
  // Deletes a finished job (FAILED_PRECONDITION for an unfinished one).
  absl::Status Delete(const kit::Caller& caller, const kit::IdempotencyKey& key, const std::string& job_id);
  // Whether the caller has room for `upload` (its kind, size and, when the
  // client sent it, hash), within the rules' upload limits: asked before the
  // bytes are accepted, so that a user at the quota does not get to stream
  // 20 MiB first. A retry of a recorded request (same key: request id,
  // method and fingerprint), or a re-upload of a live upload, always has
  // room (RecordUpload replays or refreshes it); a request id used for
  // another request is ALREADY_EXISTS here already.
  absl::Status CheckUploadRoom(const kit::Caller& caller, const kit::IdempotencyKey& key,
                               const UserUploadRecord& upload);
  // Records the caller's upload (idempotent by the key: a retry with the
  // same request id and hash replays). The quota is checked again here,
  // under the user's row lock, so uploads racing each other cannot pass it
  // together; re-uploading a live upload only refreshes its expiry.
  absl::Status RecordUpload(const kit::Caller& caller, const kit::IdempotencyKey& key,
                            const UserUploadRecord& upload);
  // The media filter blocked blob `sha256` (and it was deleted): nobody's
  // upload of it may be used any more.
  absl::Status ForgetBlockedUpload(const std::string& sha256);
  // A moderator's decision on the prompt of a job in PENDING_REVIEW, in the
  // caller's transaction: `approved` queues it (its tag taken now), else it
  // fails PROMPT_REJECTED. A job no longer pending (cancelled meanwhile, or
  // unknown) is left as it is.
  absl::Status ApplyReview(GenerationTx& tx, const std::string& job_id, bool approved,
                           const std::vector<v1::ModerationCategory>& categories);
  // The user deleted their account, in the caller's transaction: their
  // unfinished jobs are cancelled (a worker rendering one learns at its next
  // heartbeat) and their API keys revoked. Applying it twice changes
  // nothing more.
  absl::Status ApplyAccountDeleted(GenerationTx& tx, const std::string& user_id);

 private:
  absl::StatusOr<JobRecord> OwnedJob(GenerationTx& tx, const kit::Caller& caller, const std::string& job_id,
                                     bool lock);
  JobView ViewOf(GenerationTx& tx, JobRecord job);
  // Cancels `job` (locked, not finished) and appends its event.
  absl::Status CancelUnfinished(GenerationTx& tx, JobRecord& job, absl::Time now);

  GenerationStore& store_;
  const base::Clock& clock_;
  base::UuidV7Generator& ids_;
  const GenerationEvents& events_;
  ContentChecks& checks_;
  const JobRules rules_;
};

}  // namespace clipforge::generation_service
