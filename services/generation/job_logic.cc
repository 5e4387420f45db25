#include "services/generation/job_logic.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/role.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "generation/scheduling.h"
#include "generation/tiers.h"
#include "services/generation/job_inputs.h"

namespace clipforge::generation_service {
namespace {

generation::Tier CoreTier(v1::Tier tier) {
  return tier == v1::TIER_PLUS ? generation::Tier::kPlus
                               : tier == v1::TIER_PRO ? generation::Tier::kPro : generation::Tier::kFree;
}

// What decides the rendered bytes: the core's spec fingerprint, and the
// effects and the soundtrack when there are any (both name uploads by
// their hashes, which fix their bytes).
std::string Fingerprint(const NewJob& input) {
  const std::string core =
      generation::SpecFingerprint(input.core, absl::StrCat(input.renderer, "/", input.renderer_version));
  const std::string& soundtrack = input.spec.soundtrack().sha256();
  const std::string parent = input.parent_provenance ? input.parent_provenance->sha256() : "";
  if (input.effects_key.empty() && soundtrack.empty() && parent.empty()) return core;
  // Without a soundtrack or a parent the text is what it was before they
  // existed, so that earlier renders with effects are still found.
  std::string text = absl::StrCat(core, "|effects|", input.effects_key);
  if (!soundtrack.empty()) absl::StrAppend(&text, "|soundtrack|", soundtrack);
  if (!parent.empty()) absl::StrAppend(&text, "|parent|", parent);
  return base::Sha256Hex(text);
}

// The user's upload of `sha256` as `kind`, unless it has expired.
std::optional<UserUploadRecord> LiveUpload(GenerationTx& tx, const std::string& user_id, const std::string& sha256,
                                           v1::UploadKind kind, absl::Time now) {
  std::optional<UserUploadRecord> upload = tx.GetUserUpload(user_id, sha256, kind);
  if (!upload || upload->expire_time <= now) return std::nullopt;
  return upload;
}

// Each upload `spec` references must be the caller's own, of the right
// kind and unexpired: someone else's hash (learned from a clip, a log or a
// guess) reads as no upload at all. The type and size come from the
// store's record; the use keeps the upload alive for another retention
// period, so it outlives the job that reads it.
absl::Status ClaimInputs(GenerationTx& tx, const std::string& user_id, absl::Time now, v1::JobSpec& spec) {
  for (const InputUse& use : InputUses(spec)) {
    std::optional<UserUploadRecord> upload = LiveUpload(tx, user_id, use.blob->sha256(), use.kind, now);
    if (!upload) {
      return absl::NotFoundError(absl::StrCat(
          use.field, ": you have no ", use.kind == v1::UPLOAD_KIND_STICKER ? "sticker" : "soundtrack",
          " upload with this SHA-256 (upload it with UploadMedia; uploads are kept 7 days)"));
    }
    *use.blob = upload->blob;
    upload->expire_time = std::max(upload->expire_time, now + kUploadRetention);
    tx.PutUserUpload(*upload);
  }
  return absl::OkStatus();
}

// A job created with an API key counts against the key's own daily quota
// as well as the user's. Read in the transaction (under the user's lock,
// which serializes the key's creates): a key revoked since the call was
// authenticated creates nothing.
// A reuse of an earlier render (`free`) costs no quota.
absl::Status ChargeApiKey(GenerationTx& tx, const kit::Caller& caller, const NewJob& input, bool free,
                          absl::Time now) {
  const std::optional<ApiKeyRecord> key = tx.GetApiKey(caller.api_key_id);
  if (!key || key->revoke_time || key->user_id != caller.user_id) {
    return absl::UnauthenticatedError("authorization: the API key was revoked");
  }
  if (!free) {
    CF_RETURN_IF_ERROR(generation::CheckKeyQuota(
        key->daily_seconds, tx.CountApiKeySeconds(key->key_id, generation::QuotaDayStart(now)), input.core, now));
  }
  tx.TouchApiKey(key->key_id, now);
  return absl::OkStatus();
}

}  // namespace


JobView JobLogic::ViewOf(GenerationTx& tx, JobRecord job) {
  JobView view{.job = std::move(job)};
  if (view.job.status == v1::JOB_STATUS_QUEUED) {
    view.queue_position = tx.CountAhead(view.job.queue_tag, view.job.job_id, rules_.queue_position_cap);
  }
  return view;
}

absl::StatusOr<JobRecord> JobLogic::OwnedJob(GenerationTx& tx, const kit::Caller& caller, const std::string& job_id,
                                             bool lock) {
  std::optional<JobRecord> job = lock ? tx.LockJob(job_id) : tx.GetJob(job_id);
  // Someone else's job is indistinguishable from no job.
  if (!job || (job->user_id != caller.user_id && !caller.HasRole(base::Role::kAdmin))) {
    return absl::NotFoundError(absl::StrCat("job_id: no job ", job_id));
  }
  return *std::move(job);
}

absl::StatusOr<JobView> JobLogic::Create(const kit::Caller& caller, const CheckOnBehalf& who,
                                         const kit::IdempotencyKey& key, const NewJob& input) {
  // Outside the transaction: a check is a network call, and a retried
  // request checks again (policies change; the check is cheap).
  CF_ASSIGN_OR_RETURN(const Verdict verdict, checks_.CheckPrompt(who, input.spec.prompt()));
  if (verdict.decision == v1::MODERATION_DECISION_BLOCK) return BlockedByPolicy("spec.prompt", "PROMPT_BLOCKED", verdict);

  JobView view;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](GenerationTx& tx) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const std::string job_id,
                        kit::RunIdempotent(tx, key, kit::kTextCodec, [&]() -> absl::StatusOr<std::string> {
      // The user's row lock serializes their creates: quotas stay exact
      // under concurrent requests.
      const UserQueueState user = tx.LockUser(caller.user_id);
      const generation::Tier tier = CoreTier(user.tier);
      CF_RETURN_IF_ERROR(generation::CheckTierAllows(tier, input.core));
      const absl::Time now = clock_.Now();
      const std::string fingerprint = Fingerprint(input);
      // The renderer is deterministic: an identical spec already rendered
      // (and passed the media filter) is that clip again, at no cost, so no
      // quota stands in its way. A prompt held for review waits instead.
      std::optional<JobRecord> earlier;
      if (verdict.decision != v1::MODERATION_DECISION_REVIEW) earlier = tx.FindCompleted(fingerprint);
      if (!earlier) {
        const UsageCount usage = tx.CountUsage(caller.user_id, generation::QuotaDayStart(now));
        CF_RETURN_IF_ERROR(generation::CheckQuota(
            tier, {.active_jobs = usage.active_jobs, .seconds_today = usage.seconds_since}, input.core, now));
      }
      if (!caller.api_key_id.empty()) {
        CF_RETURN_IF_ERROR(ChargeApiKey(tx, caller, input, /*free=*/earlier.has_value(), now));
      }
      v1::JobSpec spec = input.spec;
      CF_RETURN_IF_ERROR(ClaimInputs(tx, caller.user_id, now, spec));

      JobRecord job{.job_id = ids_.Next(),
                    .user_id = caller.user_id,
                    .request_id = key.request_id,
                    .status = verdict.decision == v1::MODERATION_DECISION_REVIEW ? v1::JOB_STATUS_PENDING_REVIEW
                                                                                  : v1::JOB_STATUS_QUEUED,
                    .tier = user.tier,
                    .spec = std::move(spec),
                    .renderer = input.renderer,
                    .effects = EffectKinds(input.spec),
                    .seconds = input.core.seconds,
                    .pixels = input.core.size.pixels(),
                    .quality = input.spec.quality(),
                    .quota_seconds = generation::QuotaSeconds(input.core),
                    .fingerprint = fingerprint,
                    .api_key_id = caller.api_key_id,
                    .max_attempts = rules_.max_attempts,
                    .parent_provenance = input.parent_provenance,
                    .create_time = now,
                    .update_time = now};
      if (earlier) {
        job.status = v1::JOB_STATUS_COMPLETED;
        job.outputs = earlier->outputs;
        job.progress_percent = 100;
        job.quota_seconds = 0;
        job.finish_time = now;
      }
      if (job.status == v1::JOB_STATUS_QUEUED) {
        job.queue_tag = generation::NextQueueTag(user.last_tag, tx.QueueClock(), tier);
        tx.SetUserLastTag(caller.user_id, job.queue_tag);
      }
      tx.InsertJob(job);
      CF_RETURN_IF_ERROR(tx.AppendEvent(events_.Created(job)));
      if (job.status == v1::JOB_STATUS_COMPLETED) CF_RETURN_IF_ERROR(tx.AppendEvent(events_.Completed(job)));
      return job.job_id;
    }));
    CF_ASSIGN_OR_RETURN(JobRecord job, OwnedJob(tx, caller, job_id, /*lock=*/false));
    view = ViewOf(tx, std::move(job));
    return absl::OkStatus();
  }));
  // After the commit, so that the case names a job that exists. A retry of
  // the request replays the job and asks again (the case merges), so a
  // failure here loses nothing.
  if (view.job.status == v1::JOB_STATUS_PENDING_REVIEW) {
    CF_RETURN_IF_ERROR(checks_.RequestPromptReview(view.job.job_id, view.job.user_id, view.job.spec.prompt(), verdict));
  }
  return view;
}

absl::Status JobLogic::CheckUploadRoom(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                       const UserUploadRecord& upload) {
  return store_.Transact(TxMode::kReadOnly, [&](GenerationTx& tx) -> absl::Status {
    if (const std::optional<kit::IdempotencyRecord> record = tx.FindIdempotency(key.caller_id, key.request_id)) {
      if (record->method != key.method || record->fingerprint != key.fingerprint) {
        return absl::AlreadyExistsError("request_id: already used for a different request");
      }
      return absl::OkStatus();  // RecordUpload replays it
    }
    const absl::Time now = clock_.Now();
    if (!upload.blob.sha256().empty() &&
        LiveUpload(tx, caller.user_id, upload.blob.sha256(), upload.kind, now).has_value()) {
      return absl::OkStatus();  // RecordUpload refreshes it
    }
    return generation::CheckUploadQuota(rules_.uploads, tx.UserUploadUsage(caller.user_id, now),
                                        upload.blob.size_bytes());
  });
}

absl::Status JobLogic::RecordUpload(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                    const UserUploadRecord& upload) {
  return store_.Transact(TxMode::kReadWrite, [&](GenerationTx& tx) -> absl::Status {
    return kit::RunIdempotent(tx, key, kit::kTextCodec, [&]() -> absl::StatusOr<std::string> {
             UserUploadRecord mine = upload;
             mine.user_id = caller.user_id;
             // The user's row lock serializes their uploads' quota checks.
             tx.LockUser(caller.user_id);
             const absl::Time now = clock_.Now();
             if (!LiveUpload(tx, caller.user_id, mine.blob.sha256(), mine.kind, now)) {
               CF_RETURN_IF_ERROR(generation::CheckUploadQuota(
                   rules_.uploads, tx.UserUploadUsage(caller.user_id, now), mine.blob.size_bytes()));
             }
             tx.PutUserUpload(mine);
             return mine.blob.sha256();
           })
        .status();
  });
}

absl::Status JobLogic::ForgetBlockedUpload(const std::string& sha256) {
  return store_.Transact(TxMode::kReadWrite, [&](GenerationTx& tx) {
    tx.DeleteUploadsOf(sha256);
    return absl::OkStatus();
  });
}

absl::Status JobLogic::ApplyReview(GenerationTx& tx, const std::string& job_id, bool approved,
                                   const std::vector<v1::ModerationCategory>& categories) {
  std::optional<JobRecord> job = tx.LockJob(job_id);
  if (!job || job->status != v1::JOB_STATUS_PENDING_REVIEW) return absl::OkStatus();
  const absl::Time now = clock_.Now();
  job->update_time = now;
  if (approved) {
    const UserQueueState user = tx.LockUser(job->user_id);
    job->status = v1::JOB_STATUS_QUEUED;
    job->queue_tag = generation::NextQueueTag(user.last_tag, tx.QueueClock(), CoreTier(job->tier));
    tx.SetUserLastTag(job->user_id, job->queue_tag);
    tx.UpdateJob(*job);
    return absl::OkStatus();
  }
  const std::string names = CategoryNames(categories);
  job->status = v1::JOB_STATUS_FAILED;
  job->failure_code = v1::GENERATION_FAILURE_CODE_PROMPT_REJECTED;
  job->failure_message =
      absl::StrCat("a moderator rejected the prompt", names.empty() ? "" : absl::StrCat(" (", names, ")"));
  job->finish_time = now;
  tx.UpdateJob(*job);
  return tx.AppendEvent(events_.Failed(*job));
}

absl::Status JobLogic::CancelUnfinished(GenerationTx& tx, JobRecord& job, absl::Time now) {
  const bool was_in_progress = job.status == v1::JOB_STATUS_IN_PROGRESS;
  job.status = v1::JOB_STATUS_CANCELLED;
  job.finish_time = job.update_time = now;
  // The lease stays as it was: the worker's next heartbeat (same epoch) is
  // told to stop, and every later call of it is refused.
  tx.UpdateJob(job);
  return tx.AppendEvent(events_.Cancelled(job, was_in_progress));
}

absl::Status JobLogic::ApplyAccountDeleted(GenerationTx& tx, const std::string& user_id) {
  const absl::Time now = clock_.Now();
  // A tier allows at most 8 unfinished jobs; the bound is generous.
  const std::vector<JobRecord> unfinished = tx.ListJobs(
      user_id, {v1::JOB_STATUS_QUEUED, v1::JOB_STATUS_PENDING_REVIEW, v1::JOB_STATUS_IN_PROGRESS}, std::nullopt, 1000);
  for (const JobRecord& listed : unfinished) {
    std::optional<JobRecord> job = tx.LockJob(listed.job_id);
    if (job && !job->finished()) CF_RETURN_IF_ERROR(CancelUnfinished(tx, *job, now));
  }
  tx.RevokeUserApiKeys(user_id, now);
  return absl::OkStatus();
}

absl::StatusOr<JobView> JobLogic::Get(const kit::Caller& caller, const std::string& job_id) {
  JobView view;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](GenerationTx& tx) -> absl::Status {
    CF_ASSIGN_OR_RETURN(JobRecord job, OwnedJob(tx, caller, job_id, /*lock=*/false));
    view = ViewOf(tx, std::move(job));
    return absl::OkStatus();
  }));
  return view;
}

absl::StatusOr<JobPage> JobLogic::List(const kit::Caller& caller, const std::vector<v1::JobStatus>& statuses,
                                       const std::optional<JobCursor>& cursor, int limit) {
  JobPage page;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](GenerationTx& tx) -> absl::Status {
    page = JobPage{};
    page.jobs = tx.ListJobs(caller.user_id, statuses, cursor, limit + 1);
    if (static_cast<int>(page.jobs.size()) > limit) {
      page.jobs.pop_back();
      page.next = JobCursor{.before_job_id = page.jobs.back().job_id};
    }
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<JobView> JobLogic::Cancel(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                         const std::string& job_id) {
  JobView view;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](GenerationTx& tx) -> absl::Status {
    CF_RETURN_IF_ERROR(kit::RunIdempotent(tx, key, kit::kTextCodec, [&]() -> absl::StatusOr<std::string> {
      CF_ASSIGN_OR_RETURN(JobRecord job, OwnedJob(tx, caller, job_id, /*lock=*/true));
      if (job.status == v1::JOB_STATUS_CANCELLED) return job.job_id;
      if (job.finished()) {
        return absl::FailedPreconditionError(absl::StrCat("job_id: the job is already ",
                                                          job.status == v1::JOB_STATUS_COMPLETED ? "completed"
                                                                                                  : "failed"));
      }
      CF_RETURN_IF_ERROR(CancelUnfinished(tx, job, clock_.Now()));
      return job.job_id;
    }).status());
    CF_ASSIGN_OR_RETURN(JobRecord job, OwnedJob(tx, caller, job_id, /*lock=*/false));
    view = ViewOf(tx, std::move(job));
    return absl::OkStatus();
  }));
  return view;
}

absl::Status JobLogic::Delete(const kit::Caller& caller, const kit::IdempotencyKey& key, const std::string& job_id) {
  return store_.Transact(TxMode::kReadWrite, [&](GenerationTx& tx) -> absl::Status {
    return kit::RunIdempotent(tx, key, kit::kTextCodec, [&]() -> absl::StatusOr<std::string> {
             CF_ASSIGN_OR_RETURN(const JobRecord job, OwnedJob(tx, caller, job_id, /*lock=*/true));
             if (!job.finished()) {
               return absl::FailedPreconditionError("job_id: the job is not finished; cancel it first");
             }
             // Outputs are content-addressed and may be shared (reused
             // renders, published clips), so the blobs stay; collecting
             // unreferenced blobs is a store-wide sweep, not this call's.
             tx.DeleteJob(job.job_id);
             return job.job_id;
           })
        .status();
  });
}

}  // namespace clipforge::generation_service
