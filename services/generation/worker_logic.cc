#include "services/generation/worker_logic.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/error_reason.h"
#include "base/status_macros.h"
#include "generation/job_spec.h"

namespace clipforge::generation_service {
namespace {

constexpr size_t kMaxFailureMessage = 500;

// The slowest SpeedChange (0.25) makes a clip four times as long as its render.
static_assert(kMaxFrameHashes == generation::kMaxSeconds * 4 + 2,
              "kMaxFrameHashes follows the longest clip; update it and JobOutputs.frame_hashes' comment");

// Progress events go on the bus at every tenth, not every report.
bool CrossesTenth(int32_t before, int32_t after) { return after / 10 > before / 10; }

// At most `max` bytes of `text`, cut at a character boundary (UTF-8).
std::string Truncated(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

std::string EncodeOutcome(const FailOutcome& o) {
  return absl::StrCat(o.will_retry ? "1" : "0", ":", static_cast<int>(o.status));
}
absl::StatusOr<FailOutcome> DecodeOutcome(absl::string_view bytes) {
  if (bytes.size() < 3 || bytes[1] != ':') return absl::InternalError("unreadable fail outcome");
  int status = 0;
  if (!absl::SimpleAtoi(bytes.substr(2), &status)) return absl::InternalError("unreadable fail outcome");
  return FailOutcome{.will_retry = bytes[0] == '1', .status = static_cast<v1::JobStatus>(status)};
}
std::string EncodeStatus(const v1::JobStatus& s) { return absl::StrCat(static_cast<int>(s)); }
absl::StatusOr<v1::JobStatus> DecodeStatus(absl::string_view bytes) {
  int status = 0;
  if (!absl::SimpleAtoi(bytes, &status)) return absl::InternalError("unreadable job status");
  return static_cast<v1::JobStatus>(status);
}
const kit::IdempotencyCodec<FailOutcome> kFailCodec{EncodeOutcome, DecodeOutcome};
const kit::IdempotencyCodec<v1::JobStatus> kStatusCodec{EncodeStatus, DecodeStatus};

// The job's live lease is `epoch`.
// The lease is live, of this epoch, and the worker's credential took it:
// another credential that learns a job id and its (small) epoch gets
// nothing, not even the job's inputs.
bool Holds(const JobRecord& job, const WorkerIdentity& worker, int64_t epoch) {
  return job.status == v1::JOB_STATUS_IN_PROGRESS && job.lease_epoch == epoch &&
         job.lease_credential == worker.credential_id;
}

// The outputs a completion names must be exactly what this lease uploaded.
absl::Status CheckOutputs(const v1::JobOutputs& outputs, const std::vector<UploadRecord>& uploads) {
  const auto uploaded = [&](v1::ContentVariant variant, const v1::BlobRef& ref, const char* field,
                            bool required) -> absl::Status {
    if (ref.sha256().empty() && !required) return absl::OkStatus();
    for (const UploadRecord& u : uploads) {
      if (u.variant == variant && u.blob.sha256() == ref.sha256()) return absl::OkStatus();
    }
    return absl::InvalidArgumentError(
        absl::StrCat("outputs.", field, ": not a blob uploaded with UploadOutput under this lease"));
  };
  CF_RETURN_IF_ERROR(uploaded(v1::CONTENT_VARIANT_VIDEO, outputs.video(), "video", true));
  CF_RETURN_IF_ERROR(uploaded(v1::CONTENT_VARIANT_THUMBNAIL, outputs.thumbnail(), "thumbnail", true));
  CF_RETURN_IF_ERROR(uploaded(v1::CONTENT_VARIANT_SPRITESHEET, outputs.spritesheet(), "spritesheet", false));
  CF_RETURN_IF_ERROR(uploaded(v1::CONTENT_VARIANT_PROVENANCE, outputs.provenance(), "provenance", true));
  return absl::OkStatus();
}

// The stored refs (sizes and types as uploaded, not as the worker claims).
v1::JobOutputs StoredOutputs(v1::JobOutputs outputs, const std::vector<UploadRecord>& uploads) {
  for (const UploadRecord& u : uploads) {
    switch (u.variant) {
      case v1::CONTENT_VARIANT_VIDEO: *outputs.mutable_video() = u.blob; break;
      case v1::CONTENT_VARIANT_THUMBNAIL: *outputs.mutable_thumbnail() = u.blob; break;
      case v1::CONTENT_VARIANT_SPRITESHEET:
        if (!outputs.spritesheet().sha256().empty()) *outputs.mutable_spritesheet() = u.blob;
        break;
      case v1::CONTENT_VARIANT_PROVENANCE: *outputs.mutable_provenance() = u.blob; break;
      default: break;
    }
  }
  return outputs;
}

// The media filter's hashes of the video, never the worker's (a worker
// could otherwise pass its video off as a duplicate, or not as one); the
// first kMaxFrameHashes of them.
v1::JobOutputs WithFrameHashes(v1::JobOutputs outputs, const Verdict& verdict) {
  outputs.clear_frame_hashes();
  const size_t kept = std::min(verdict.frame_hashes.size(), static_cast<size_t>(kMaxFrameHashes));
  for (size_t i = 0; i < kept; ++i) outputs.add_frame_hashes(verdict.frame_hashes[i]);
  return outputs;
}

}  // namespace

absl::Status LeaseLost(const std::string& job_id) {
  return base::WithReason(
      absl::FailedPreconditionError(absl::StrCat("job_id: the lease of job ", job_id,
                                                 " is no longer held (expired, re-leased, cancelled or finished)")),
      "LEASE_LOST");
}

absl::StatusOr<std::optional<JobRecord>> WorkerLogic::Lease(const WorkerIdentity& worker,
                                                            const std::string& request_id,
                                                            const LeaseFilter& filter) {
  std::optional<JobRecord> leased;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](GenerationTx& tx) -> absl::Status {
    leased.reset();
    if (std::optional<JobRecord> earlier = tx.FindLease(worker.credential_id, request_id)) {
      leased = std::move(earlier);
      return absl::OkStatus();
    }
    std::optional<JobRecord> job = tx.LockQueueHead(filter);
    if (!job) return absl::OkStatus();
    const absl::Time now = clock_.Now();
    job->status = v1::JOB_STATUS_IN_PROGRESS;
    job->lease_epoch += 1;
    job->lease_expires = now + rules_.lease_length;
    job->worker_id = worker.instance;
    job->lease_request_id = request_id;
    job->lease_credential = worker.credential_id;
    job->attempt += 1;
    job->progress_percent = 0;
    job->stage = "starting";
    if (!job->start_time) job->start_time = now;
    job->update_time = now;
    job->version = tx.UpdateJob(*job);
    tx.AdvanceQueueClock(job->queue_tag);
    CF_RETURN_IF_ERROR(tx.AppendEvent(events_.Started(*job)));
    leased = std::move(job);
    return absl::OkStatus();
  }));
  return leased;
}

absl::StatusOr<LeaseState> WorkerLogic::Renew(const WorkerIdentity& worker, const std::string& job_id,
                                              int64_t epoch, std::optional<int32_t> percent,
                                              const std::string& stage) {
  LeaseState state;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](GenerationTx& tx) -> absl::Status {
    std::optional<JobRecord> job = tx.LockJob(job_id);
    if (!job || job->lease_epoch != epoch || job->lease_credential != worker.credential_id) return LeaseLost(job_id);
    if (job->status == v1::JOB_STATUS_CANCELLED && job->lease_expires) {
      state = LeaseState{.expires = *job->lease_expires, .cancel_requested = true};
      return absl::OkStatus();
    }
    if (!Holds(*job, worker, epoch)) return LeaseLost(job_id);
    const absl::Time now = clock_.Now();
    const int32_t before = job->progress_percent;
    job->lease_expires = now + rules_.lease_length;
    if (percent && *percent > job->progress_percent) job->progress_percent = *percent;
    if (percent && !stage.empty()) job->stage = stage;
    job->update_time = now;
    tx.UpdateJob(*job);
    if (CrossesTenth(before, job->progress_percent)) CF_RETURN_IF_ERROR(tx.AppendEvent(events_.Progress(*job)));
    state = LeaseState{.expires = *job->lease_expires};
    return absl::OkStatus();
  }));
  return state;
}

absl::StatusOr<JobRecord> WorkerLogic::Leased(const WorkerIdentity& worker, const std::string& job_id,
                                              int64_t epoch) {
  JobRecord leased;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](GenerationTx& tx) -> absl::Status {
    std::optional<JobRecord> job = tx.GetJob(job_id);
    if (!job || !Holds(*job, worker, epoch)) return LeaseLost(job_id);
    leased = *std::move(job);
    return absl::OkStatus();
  }));
  return leased;
}

absl::Status WorkerLogic::RecordUpload(const WorkerIdentity& worker, const UploadRecord& upload) {
  return store_.Transact(TxMode::kReadWrite, [&](GenerationTx& tx) -> absl::Status {
    std::optional<JobRecord> job = tx.LockJob(upload.job_id);
    if (!job || !Holds(*job, worker, upload.lease_epoch)) return LeaseLost(upload.job_id);
    tx.PutUpload(upload);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::JobStatus> WorkerLogic::Complete(const WorkerIdentity& worker, const kit::IdempotencyKey& key,
                                                    const std::string& job_id, int64_t epoch,
                                                    const Completion& completion) {
  // First a read: the lease and the outputs, so that the media filter (a
  // slow network call) runs only for a completion that can land.
  std::optional<JobRecord> in_progress;
  std::vector<UploadRecord> uploads;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](GenerationTx& tx) -> absl::Status {
    in_progress.reset();
    std::optional<JobRecord> job = tx.GetJob(job_id);
    if (job && Holds(*job, worker, epoch)) {
      uploads = tx.ListUploads(job_id, epoch);
      CF_RETURN_IF_ERROR(CheckOutputs(completion.outputs, uploads));
      in_progress = std::move(job);
    }
    return absl::OkStatus();
  }));
  std::optional<Verdict> verdict;
  if (in_progress) {
    CF_ASSIGN_OR_RETURN(verdict, checks_.CheckVideo(job_id, in_progress->user_id,
                                                    StoredOutputs(completion.outputs, uploads).video()));
  }
  v1::JobStatus status = v1::JOB_STATUS_UNSPECIFIED;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](GenerationTx& tx) -> absl::Status {
    CF_ASSIGN_OR_RETURN(status, kit::RunIdempotent(tx, key, kStatusCodec, [&]() -> absl::StatusOr<v1::JobStatus> {
      std::optional<JobRecord> job = tx.LockJob(job_id);
      // Without a verdict the job was not ours when we looked.
      if (!job || !Holds(*job, worker, epoch) || !verdict) return LeaseLost(job_id);
      // The verdict is about the uploads read above: one replaced since
      // (a later UploadOutput under this lease) was never filtered.
      const std::vector<UploadRecord> current = tx.ListUploads(job_id, epoch);
      CF_RETURN_IF_ERROR(CheckOutputs(completion.outputs, current));
      const absl::Time now = clock_.Now();
      job->lease_expires.reset();
      job->finish_time = job->update_time = now;
      if (verdict->decision == v1::MODERATION_DECISION_BLOCK) {
        job->status = v1::JOB_STATUS_FAILED;
        job->failure_code = v1::GENERATION_FAILURE_CODE_OUTPUT_REJECTED;
        job->failure_message = "the rendered video was blocked by the media filter";
        tx.UpdateJob(*job);
        CF_RETURN_IF_ERROR(tx.AppendEvent(events_.Failed(*job)));
        return job->status;
      }
      job->status = v1::JOB_STATUS_COMPLETED;
      job->progress_percent = 100;
      job->stage.clear();
      job->outputs = WithFrameHashes(StoredOutputs(completion.outputs, current), *verdict);
      tx.UpdateJob(*job);
      CF_RETURN_IF_ERROR(tx.AppendEvent(events_.Completed(*job)));
      return job->status;
    }));
    return absl::OkStatus();
  }));
  return status;
}

absl::Status WorkerLogic::RetryOrFail(GenerationTx& tx, JobRecord& job, v1::GenerationFailureCode code,
                                      const std::string& message, bool retryable) {
  const absl::Time now = clock_.Now();
  job.lease_expires.reset();
  job.progress_percent = 0;
  job.stage.clear();
  job.update_time = now;
  if (retryable && job.attempt < job.max_attempts) {
    // Back in the queue under its original tag: ahead of later arrivals,
    // as its place was earned when it was created.
    job.status = v1::JOB_STATUS_QUEUED;
    tx.UpdateJob(job);
    return absl::OkStatus();
  }
  job.status = v1::JOB_STATUS_FAILED;
  job.failure_code = code;
  job.failure_message = Truncated(message, kMaxFailureMessage);
  job.finish_time = now;
  tx.UpdateJob(job);
  return tx.AppendEvent(events_.Failed(job));
}

absl::StatusOr<FailOutcome> WorkerLogic::Fail(const WorkerIdentity& worker, const kit::IdempotencyKey& key,
                                              const std::string& job_id, int64_t epoch,
                                              v1::GenerationFailureCode code, const std::string& message,
                                              bool retryable) {
  FailOutcome outcome;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](GenerationTx& tx) -> absl::Status {
    CF_ASSIGN_OR_RETURN(outcome, kit::RunIdempotent(tx, key, kFailCodec, [&]() -> absl::StatusOr<FailOutcome> {
      std::optional<JobRecord> job = tx.LockJob(job_id);
      if (!job || !Holds(*job, worker, epoch)) return LeaseLost(job_id);
      CF_RETURN_IF_ERROR(RetryOrFail(tx, *job, code, message, retryable));
      return FailOutcome{.will_retry = job->status == v1::JOB_STATUS_QUEUED, .status = job->status};
    }));
    return absl::OkStatus();
  }));
  return outcome;
}

absl::StatusOr<int> WorkerLogic::ExpireLeases() {
  int handled = 0;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](GenerationTx& tx) -> absl::Status {
    handled = 0;
    for (JobRecord& job : tx.LockExpiredLeases(clock_.Now(), rules_.sweep_batch)) {
      CF_RETURN_IF_ERROR(RetryOrFail(tx, job, v1::GENERATION_FAILURE_CODE_ATTEMPTS_EXHAUSTED,
                                     absl::StrCat("the worker stopped answering; ", job.attempt,
                                                  " attempt(s) made"),
                                     /*retryable=*/true));
      ++handled;
    }
    return absl::OkStatus();
  }));
  return handled;
}

}  // namespace clipforge::generation_service
