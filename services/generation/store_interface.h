// What the generation logic needs from storage: PgGenerationStore
// (store.h) implements it over Postgres, the unit tests' fake in memory.
//
// GenerationTx is one transaction: a job change, its idempotency record and
// its event commit together or not at all. Its methods report failure by
// throwing (the Postgres driver's exceptions, which Transact maps to a
// status); logic never catches them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "clipforge/v1/events.pb.h"
#include "generation/upload_quota.h"
#include "services/generation/records.h"
#include "services/kit/idempotency.h"

namespace clipforge::generation_service {

// A user's place in the fair queue.
struct UserQueueState {
  v1::Tier tier = v1::TIER_FREE;
  int64_t last_tag = 0;
};

// What a leasing worker can render; a job matches when its renderer is one
// of `renderers`, it needs no effect kind outside `effects`, and it is
// within the other bounds (0: no bound).
struct LeaseFilter {
  std::vector<std::string> renderers;
  std::vector<int32_t> qualities;  // Empty: all.
  int32_t max_seconds = 0;
  int64_t max_pixels = 0;
  std::vector<std::string> effects;  // Effect kinds (job_inputs.h); empty: all.
};

struct UsageCount {
  int32_t active_jobs = 0;
  int32_t seconds_since = 0;
};

class GenerationTx : public kit::IdempotencyLog {
 public:
  // --- The fair queue ---
  // The user's tier and last tag (a free user with tag 0 when unknown),
  // with the user's row locked until the transaction ends, so that one
  // user's creates serialize (quotas and tags stay exact).
  virtual UserQueueState LockUser(const std::string& user_id) = 0;
  virtual void SetUserLastTag(const std::string& user_id, int64_t tag) = 0;
  virtual void SetUserTier(const std::string& user_id, v1::Tier tier) = 0;
  // The largest tag dispatched so far.
  virtual int64_t QueueClock() = 0;
  // Moves the clock up to `tag` (never down).
  virtual void AdvanceQueueClock(int64_t tag) = 0;
  // Queued jobs ahead of (tag, job_id), counted up to `cap`.
  virtual int32_t CountAhead(int64_t tag, const std::string& job_id, int32_t cap) = 0;
  // The user's unfinished jobs, and the quota seconds of jobs created at or
  // after `since` that did not fail or get cancelled.
  virtual UsageCount CountUsage(const std::string& user_id, absl::Time since) = 0;

  // --- Jobs ---
  virtual void InsertJob(const JobRecord& job) = 0;
  virtual std::optional<JobRecord> GetJob(const std::string& job_id) = 0;
  // Also locks the job's row until the transaction ends.
  virtual std::optional<JobRecord> LockJob(const std::string& job_id) = 0;
  // Writes every mutable field of `job` (status through outputs) and sets
  // update_time; bumps and returns its version.
  virtual int64_t UpdateJob(const JobRecord& job) = 0;
  virtual void DeleteJob(const std::string& job_id) = 0;
  // The user's jobs, newest first, after `cursor`, only `statuses` (empty:
  // all), at most `limit`.
  virtual std::vector<JobRecord> ListJobs(const std::string& user_id, const std::vector<v1::JobStatus>& statuses,
                                          const std::optional<JobCursor>& cursor, int limit) = 0;
  // A completed job with this fingerprint, if any (its outputs are reused).
  virtual std::optional<JobRecord> FindCompleted(const std::string& fingerprint) = 0;

  // --- Leases ---
  // The queued job with the smallest tag that `filter` matches, locked,
  // skipping rows other transactions hold (FOR UPDATE SKIP LOCKED), so
  // that concurrent workers take different jobs without waiting.
  virtual std::optional<JobRecord> LockQueueHead(const LeaseFilter& filter) = 0;
  // The job in progress that LeaseJob `request_id` of `credential_id` took.
  virtual std::optional<JobRecord> FindLease(const std::string& credential_id, const std::string& request_id) = 0;
  // In-progress jobs whose lease expired before `now`, locked (skipping
  // locked ones), at most `limit`.
  virtual std::vector<JobRecord> LockExpiredLeases(absl::Time now, int limit) = 0;

  // --- Outputs uploaded under a lease ---
  virtual void PutUpload(const UploadRecord& upload) = 0;
  virtual std::vector<UploadRecord> ListUploads(const std::string& job_id, int64_t lease_epoch) = 0;

  // --- Users' uploads ---
  // Stores `upload` (an upload of the same blob as the same kind by the
  // same user refreshes its expiry).
  virtual void PutUserUpload(const UserUploadRecord& upload) = 0;
  // Deletes every user's upload of `sha256` (a blob the media filter
  // blocked and the store no longer holds).
  virtual void DeleteUploadsOf(const std::string& sha256) = 0;
  // The user's upload of `sha256` as `kind`, expired or not.
  virtual std::optional<UserUploadRecord> GetUserUpload(const std::string& user_id, const std::string& sha256,
                                                        v1::UploadKind kind) = 0;
  // The user's uploads that expire after `now`: how many, their bytes and
  // the first expiry.
  virtual generation::UploadUsage UserUploadUsage(const std::string& user_id, absl::Time now) = 0;

  // --- API keys ---
  // False when the user has a live key of that name.
  virtual bool InsertApiKey(const ApiKeyRecord& key) = 0;
  virtual std::optional<ApiKeyRecord> GetApiKey(const std::string& key_id) = 0;
  virtual int32_t CountLiveApiKeys(const std::string& user_id) = 0;
  // The user's keys, live first then revoked, newest first in each; only
  // live ones unless `include_revoked`; at most `limit`.
  virtual std::vector<ApiKeyRecord> ListApiKeys(const std::string& user_id, bool include_revoked, int limit) = 0;
  // Sets revoke_time unless already set.
  virtual void RevokeApiKey(const std::string& key_id, absl::Time now) = 0;
  virtual void TouchApiKey(const std::string& key_id, absl::Time now) = 0;
  // Revokes every live key of the user.
  virtual void RevokeUserApiKeys(const std::string& user_id, absl::Time now) = 0;
  // The quota seconds of the key's jobs created at or after `since` that
  // did not fail or get cancelled.
  virtual int32_t CountApiKeySeconds(const std::string& key_id, absl::Time since) = 0;

  // --- Worker credentials ---
  // False when the name is taken.
  virtual bool InsertCredential(const WorkerCredentialRecord& credential) = 0;
  virtual std::optional<WorkerCredentialRecord> GetCredential(const std::string& credential_id) = 0;
  // False when there is no such credential.
  virtual bool RevokeCredential(const std::string& name, absl::Time now) = 0;

  // Appends an event to the outbox: published if and only if the
  // transaction commits.
  virtual absl::Status AppendEvent(const v1::EventEnvelope& event) = 0;
};

enum class TxMode { kReadWrite, kReadOnly };

class GenerationStore {
 public:
  virtual ~GenerationStore() = default;
  // Runs `work` in one transaction and commits when it returns OK. Work may
  // run more than once (transient failures are retried), so it must have no
  // effect outside the transaction.
  virtual absl::Status Transact(TxMode mode, absl::FunctionRef<absl::Status(GenerationTx&)> work) = 0;
};

}  // namespace clipforge::generation_service
