#include "tests/unit/generation_service/fake_generation_store.h"

#include <algorithm>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/uuid.h"
#include "base/validation.h"
#include "tests/support/fake_outbox.h"

namespace clipforge::generation_service::testing {
namespace {

// What the driver's exceptions become once Transact maps them: a unique
// key -> ALREADY_EXISTS, a CHECK or foreign key -> FAILED_PRECONDITION.
struct Violation {
  absl::Status status;
};

[[noreturn]] void Fail(absl::Status status) { throw Violation{std::move(status)}; }

void Check(bool ok, absl::string_view constraint) {
  if (!ok) Fail(absl::FailedPreconditionError(absl::StrCat("check violation: ", constraint)));
}

// Postgres text lengths count characters.
size_t Chars(const std::string& text) { return base::Utf8Length(text).value_or(text.size()); }

void CheckUuid(const std::string& value, absl::string_view column, bool nullable = false) {
  if (nullable && value.empty()) return;
  Check(base::ParseUuid(value).ok(), absl::StrCat(column, " is a uuid"));
}

// The CHECK constraints of generation.jobs (migrations/0012).
void CheckJob(const JobRecord& j) {
  CheckUuid(j.job_id, "job_id");
  CheckUuid(j.user_id, "user_id");
  CheckUuid(j.request_id, "request_id");
  CheckUuid(j.lease_request_id, "lease_request_id", /*nullable=*/true);
  CheckUuid(j.lease_credential, "lease_credential", /*nullable=*/true);
  Check(j.status >= 1 && j.status <= 6, "status BETWEEN 1 AND 6");
  Check(j.tier >= 1 && j.tier <= 3, "tier BETWEEN 1 AND 3");
  Check(j.spec.ByteSizeLong() <= 65536, "length(spec) <= 65536");
  Check(Chars(j.renderer) >= 1 && Chars(j.renderer) <= 64, "length(renderer) BETWEEN 1 AND 64");
  Check(j.seconds >= 4 && j.seconds <= 300, "seconds BETWEEN 4 AND 300");
  Check(j.pixels > 0, "pixels > 0");
  Check(j.quality == 1 || j.quality == 2, "quality IN (1, 2)");
  Check(j.quota_seconds >= 0, "quota_seconds >= 0");
  Check(j.fingerprint.size() == 64, "length(fingerprint) = 64");
  Check(Chars(j.worker_id) <= 128, "length(worker_id) <= 128");
  Check(j.attempt >= 0, "attempt >= 0");
  Check(j.max_attempts >= 1 && j.max_attempts <= 10, "max_attempts BETWEEN 1 AND 10");
  Check(j.progress_percent >= 0 && j.progress_percent <= 100, "progress_percent BETWEEN 0 AND 100");
  Check(Chars(j.stage) <= 32, "length(stage) <= 32");
  Check(Chars(j.failure_message) <= 500, "length(failure_message) <= 500");
}

template <typename T>
bool Contains(const std::vector<T>& values, T value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

bool Active(v1::JobStatus status) {
  return status == v1::JOB_STATUS_QUEUED || status == v1::JOB_STATUS_PENDING_REVIEW ||
         status == v1::JOB_STATUS_IN_PROGRESS;
}

// Postgres compares uuids as 16 bytes, which for the canonical lowercase
// text is the string order.
bool Before(const JobRecord& a, const JobRecord& b) {
  return std::tie(a.queue_tag, a.job_id) < std::tie(b.queue_tag, b.job_id);
}

class FakeTx final : public GenerationTx {
 public:
  FakeTx(FakeGenerationState& s, bool read_only) : s_(s), read_only_(read_only) {}

  // --- The fair queue ---
  UserQueueState LockUser(const std::string& user_id) override {
    // INSERT ... ON CONFLICT DO NOTHING, then SELECT ... FOR UPDATE.
    Write();
    CheckUuid(user_id, "user_id");
    return s_.users.try_emplace(user_id).first->second;
  }
  void SetUserLastTag(const std::string& user_id, int64_t tag) override {
    Write();
    Check(tag >= 0, "last_tag >= 0");
    const auto it = s_.users.find(user_id);
    if (it != s_.users.end()) it->second.last_tag = tag;  // UPDATE: no row, no change.
  }
  void SetUserTier(const std::string& user_id, v1::Tier tier) override {
    Write();
    CheckUuid(user_id, "user_id");
    Check(tier >= 1 && tier <= 3, "tier BETWEEN 1 AND 3");
    s_.users[user_id].tier = tier;
  }
  int64_t QueueClock() override { return s_.queue_clock; }
  void AdvanceQueueClock(int64_t tag) override {
    Write();
    s_.queue_clock = std::max(s_.queue_clock, tag);
  }
  int32_t CountAhead(int64_t tag, const std::string& job_id, int32_t cap) override {
    int32_t n = 0;
    for (const auto& [id, j] : s_.jobs) {
      if (n >= cap) break;
      if (j.status == v1::JOB_STATUS_QUEUED && std::tie(j.queue_tag, j.job_id) < std::tie(tag, job_id)) ++n;
    }
    return n;
  }
  UsageCount CountUsage(const std::string& user_id, absl::Time since) override {
    UsageCount usage;
    for (const auto& [id, j] : s_.jobs) {
      if (j.user_id != user_id || !(Active(j.status) || j.create_time >= since)) continue;
      if (Active(j.status)) ++usage.active_jobs;
      if (j.status != v1::JOB_STATUS_FAILED && j.status != v1::JOB_STATUS_CANCELLED && j.create_time >= since) {
        usage.seconds_since += j.quota_seconds;
      }
    }
    return usage;
  }

  // --- Jobs ---
  void InsertJob(const JobRecord& job) override {
    Write();
    // Only the columns the INSERT names; the rest take their defaults.
    JobRecord row;
    row.job_id = job.job_id;
    row.user_id = job.user_id;
    row.request_id = job.request_id;
    row.status = job.status;
    row.tier = job.tier;
    row.spec = job.spec;
    row.renderer = job.renderer;
    row.effects = job.effects;
    row.api_key_id = job.api_key_id;
    Check(job.effects.size() <= 5, "cardinality(effects) <= 5");
    row.seconds = job.seconds;
    row.pixels = job.pixels;
    row.quality = job.quality;
    row.quota_seconds = job.quota_seconds;
    row.fingerprint = job.fingerprint;
    row.queue_tag = job.queue_tag;
    row.max_attempts = job.max_attempts;
    row.create_time = row.update_time = job.create_time;
    row.outputs = job.outputs;
    row.progress_percent = job.progress_percent;
    row.finish_time = job.finish_time;
    row.version = 1;
    CheckJob(row);
    if (s_.jobs.count(row.job_id) > 0) Fail(absl::AlreadyExistsError("unique violation: jobs_pkey"));
    for (const auto& [id, j] : s_.jobs) {
      if (j.user_id == row.user_id && j.request_id == row.request_id) {
        Fail(absl::AlreadyExistsError("unique violation: jobs_user_id_request_id_key"));
      }
    }
    s_.jobs[row.job_id] = std::move(row);
  }
  std::optional<JobRecord> GetJob(const std::string& job_id) override {
    const auto it = s_.jobs.find(job_id);
    if (it == s_.jobs.end()) return std::nullopt;
    return it->second;
  }
  std::optional<JobRecord> LockJob(const std::string& job_id) override { return GetJob(job_id); }
  int64_t UpdateJob(const JobRecord& job) override {
    Write();
    const auto it = s_.jobs.find(job.job_id);
    if (it == s_.jobs.end()) throw std::logic_error("UpdateJob of a job that is not there (RETURNING gave no row)");
    // Only the columns the UPDATE sets.
    JobRecord row = it->second;
    row.status = job.status;
    row.lease_epoch = job.lease_epoch;
    row.lease_expires = job.lease_expires;
    row.worker_id = job.worker_id;
    row.lease_request_id = job.lease_request_id;
    row.lease_credential = job.lease_credential;
    row.attempt = job.attempt;
    row.progress_percent = job.progress_percent;
    row.stage = job.stage;
    row.failure_code = job.failure_code;
    row.failure_message = job.failure_message;
    row.outputs = job.outputs;
    row.start_time = job.start_time;
    row.finish_time = job.finish_time;
    row.update_time = job.update_time;
    row.queue_tag = job.queue_tag;
    row.version += 1;
    CheckJob(row);
    it->second = std::move(row);
    return it->second.version;
  }
  void DeleteJob(const std::string& job_id) override {
    Write();
    s_.jobs.erase(job_id);
    // job_uploads REFERENCES jobs ON DELETE CASCADE.
    for (auto it = s_.uploads.begin(); it != s_.uploads.end();) {
      it = std::get<0>(it->first) == job_id ? s_.uploads.erase(it) : std::next(it);
    }
  }
  std::vector<JobRecord> ListJobs(const std::string& user_id, const std::vector<v1::JobStatus>& statuses,
                                  const std::optional<JobCursor>& cursor, int limit) override {
    std::vector<JobRecord> out;
    // Newest first: descending job_id.
    for (auto it = s_.jobs.rbegin(); it != s_.jobs.rend(); ++it) {
      if (static_cast<int>(out.size()) >= limit) break;
      const JobRecord& j = it->second;
      if (j.user_id != user_id) continue;
      if (!statuses.empty() && !Contains(statuses, j.status)) continue;
      if (cursor && !(j.job_id < cursor->before_job_id)) continue;
      out.push_back(j);
    }
    return out;
  }
  std::optional<JobRecord> FindCompleted(const std::string& fingerprint) override {
    for (const auto& [id, j] : s_.jobs) {  // In job_id order: the oldest.
      if (j.fingerprint == fingerprint && j.status == v1::JOB_STATUS_COMPLETED) return j;
    }
    return std::nullopt;
  }

  // --- Leases ---
  std::optional<JobRecord> LockQueueHead(const LeaseFilter& f) override {
    std::optional<JobRecord> head;
    for (const auto& [id, j] : s_.jobs) {
      if (j.status != v1::JOB_STATUS_QUEUED) continue;
      if (!Contains(f.renderers, j.renderer)) continue;  // renderer = ANY('{}') is false.
      if (!f.qualities.empty() && !Contains(f.qualities, static_cast<int32_t>(j.quality))) continue;
      if (f.max_seconds != 0 && j.seconds > f.max_seconds) continue;
      if (f.max_pixels != 0 && j.pixels > f.max_pixels) continue;
      // effects <@ worker's effects, unless the worker listed none.
      if (!f.effects.empty() &&
          !std::all_of(j.effects.begin(), j.effects.end(), [&](const std::string& e) { return Contains(f.effects, e); })) {
        continue;
      }
      if (!head || Before(j, *head)) head = j;
    }
    return head;
  }
  std::optional<JobRecord> FindLease(const std::string& credential_id, const std::string& request_id) override {
    for (const auto& [id, j] : s_.jobs) {
      if (j.status == v1::JOB_STATUS_IN_PROGRESS && j.lease_credential == credential_id &&
          j.lease_request_id == request_id) {
        return j;
      }
    }
    return std::nullopt;
  }
  std::vector<JobRecord> LockExpiredLeases(absl::Time now, int limit) override {
    std::vector<JobRecord> out;
    for (const auto& [id, j] : s_.jobs) {
      if (j.status == v1::JOB_STATUS_IN_PROGRESS && j.lease_expires && *j.lease_expires < now) out.push_back(j);
    }
    std::sort(out.begin(), out.end(), [](const JobRecord& a, const JobRecord& b) {
      return std::tie(*a.lease_expires, a.job_id) < std::tie(*b.lease_expires, b.job_id);
    });
    if (static_cast<int>(out.size()) > limit) out.resize(static_cast<size_t>(std::max(limit, 0)));
    return out;
  }

  // --- Uploads ---
  void PutUpload(const UploadRecord& u) override {
    Write();
    if (s_.jobs.count(u.job_id) == 0) Fail(absl::FailedPreconditionError("foreign key violation: job_uploads_job_id"));
    Check(u.variant >= 1 && u.variant <= 4, "variant BETWEEN 1 AND 4");
    Check(u.blob.sha256().size() == 64, "length(sha256) = 64");
    Check(Chars(u.blob.content_type()) <= 100, "length(content_type) <= 100");
    Check(u.blob.size_bytes() >= 0, "size_bytes >= 0");
    // ON CONFLICT (job_id, lease_epoch, variant) DO UPDATE: replaces it.
    s_.uploads[{u.job_id, u.lease_epoch, static_cast<int>(u.variant)}] = u;
  }
  void PutUserUpload(const UserUploadRecord& u) override {
    Write();
    Check(u.kind >= 1 && u.kind <= 3, "kind BETWEEN 1 AND 3");
    Check(u.blob.sha256().size() == 64, "length(sha256) = 64");
    Check(u.blob.size_bytes() > 0, "size_bytes > 0");
    // ON CONFLICT (user_id, sha256, kind) DO UPDATE SET expires_at.
    const auto key = std::make_tuple(u.user_id, u.blob.sha256(), static_cast<int>(u.kind));
    auto it = s_.user_uploads.find(key);
    if (it == s_.user_uploads.end()) {
      s_.user_uploads[key] = u;
    } else {
      it->second.expire_time = u.expire_time;
    }
  }
  void DeleteUploadsOf(const std::string& sha256) override {
    Write();
    std::erase_if(s_.user_uploads, [&](const auto& entry) { return std::get<1>(entry.first) == sha256; });
  }
  std::optional<UserUploadRecord> GetUserUpload(const std::string& user_id, const std::string& sha256,
                                                v1::UploadKind kind) override {
    auto it = s_.user_uploads.find(std::make_tuple(user_id, sha256, static_cast<int>(kind)));
    if (it == s_.user_uploads.end()) return std::nullopt;
    return it->second;
  }
  generation::UploadUsage UserUploadUsage(const std::string& user_id, absl::Time now) override {
    generation::UploadUsage usage;
    for (const auto& [key, u] : s_.user_uploads) {
      if (std::get<0>(key) != user_id || u.expire_time <= now) continue;
      ++usage.live_uploads;
      usage.live_bytes += u.blob.size_bytes();
      usage.next_expiry = std::min(usage.next_expiry, u.expire_time);
    }
    return usage;
  }
  std::vector<UploadRecord> ListUploads(const std::string& job_id, int64_t lease_epoch) override {
    std::vector<UploadRecord> out;  // In variant order, as the map keeps them.
    for (const auto& [key, u] : s_.uploads) {
      if (std::get<0>(key) == job_id && std::get<1>(key) == lease_epoch) {
        // Only the stored columns come back.
        UploadRecord row{.job_id = job_id, .lease_epoch = lease_epoch, .variant = u.variant};
        row.blob.set_sha256(u.blob.sha256());
        row.blob.set_content_type(u.blob.content_type());
        row.blob.set_size_bytes(u.blob.size_bytes());
        out.push_back(std::move(row));
      }
    }
    return out;
  }

  // --- Worker credentials ---
  // --- API keys ---
  bool InsertApiKey(const ApiKeyRecord& k) override {
    Write();
    CheckUuid(k.key_id, "key_id");
    Check(Chars(k.name) >= 1 && Chars(k.name) <= 64, "length(name) BETWEEN 1 AND 64");
    Check(k.secret_sha256.size() == 32, "length(secret_sha256) = 32");
    Check(k.daily_seconds >= 0 && k.daily_seconds <= 86400, "daily_seconds BETWEEN 0 AND 86400");
    for (const auto& [id, existing] : s_.api_keys) {
      // ON CONFLICT (user_id, name) WHERE revoked_at IS NULL DO NOTHING.
      if (existing.user_id == k.user_id && existing.name == k.name && !existing.revoke_time) return false;
    }
    if (s_.api_keys.count(k.key_id) > 0) Fail(absl::AlreadyExistsError("unique violation: api_keys_pkey"));
    ApiKeyRecord row = k;
    row.last_use_time.reset();
    row.revoke_time.reset();
    s_.api_keys[k.key_id] = row;
    return true;
  }
  std::optional<ApiKeyRecord> GetApiKey(const std::string& key_id) override {
    auto it = s_.api_keys.find(key_id);
    if (it == s_.api_keys.end()) return std::nullopt;
    return it->second;
  }
  int32_t CountLiveApiKeys(const std::string& user_id) override {
    int32_t live = 0;
    for (const auto& [id, k] : s_.api_keys) live += k.user_id == user_id && !k.revoke_time ? 1 : 0;
    return live;
  }
  std::vector<ApiKeyRecord> ListApiKeys(const std::string& user_id, bool include_revoked, int limit) override {
    std::vector<ApiKeyRecord> keys;
    for (const auto& [id, k] : s_.api_keys) {
      if (k.user_id == user_id && (include_revoked || !k.revoke_time)) keys.push_back(k);
    }
    // ORDER BY revoked_at IS NOT NULL, key_id DESC.
    std::sort(keys.begin(), keys.end(), [](const ApiKeyRecord& a, const ApiKeyRecord& b) {
      const bool a_revoked = a.revoke_time.has_value(), b_revoked = b.revoke_time.has_value();
      if (a_revoked != b_revoked) return !a_revoked;
      return a.key_id > b.key_id;
    });
    if (static_cast<int>(keys.size()) > limit) keys.resize(static_cast<size_t>(std::max(limit, 0)));
    return keys;
  }
  void RevokeApiKey(const std::string& key_id, absl::Time now) override {
    Write();
    auto it = s_.api_keys.find(key_id);
    if (it != s_.api_keys.end() && !it->second.revoke_time) it->second.revoke_time = now;
  }
  void TouchApiKey(const std::string& key_id, absl::Time now) override {
    Write();
    auto it = s_.api_keys.find(key_id);
    if (it != s_.api_keys.end()) it->second.last_use_time = now;
  }
  void RevokeUserApiKeys(const std::string& user_id, absl::Time now) override {
    Write();
    for (auto& [id, k] : s_.api_keys) {
      if (k.user_id == user_id && !k.revoke_time) k.revoke_time = now;
    }
  }
  int32_t CountApiKeySeconds(const std::string& key_id, absl::Time since) override {
    int32_t seconds = 0;
    for (const auto& [id, j] : s_.jobs) {
      if (j.api_key_id == key_id && j.create_time >= since && j.status != v1::JOB_STATUS_FAILED &&
          j.status != v1::JOB_STATUS_CANCELLED) {
        seconds += j.quota_seconds;
      }
    }
    return seconds;
  }

  bool InsertCredential(const WorkerCredentialRecord& c) override {
    Write();
    CheckUuid(c.credential_id, "credential_id");
    Check(Chars(c.name) >= 1 && Chars(c.name) <= 64, "length(name) BETWEEN 1 AND 64");
    Check(c.secret_sha256.size() == 32, "length(secret_sha256) = 32");
    for (const auto& [id, existing] : s_.credentials) {
      if (existing.name == c.name) return false;  // ON CONFLICT (name) DO NOTHING.
    }
    if (s_.credentials.count(c.credential_id) > 0) {
      Fail(absl::AlreadyExistsError("unique violation: worker_credentials_pkey"));
    }
    WorkerCredentialRecord row = c;
    row.revoke_time.reset();
    s_.credentials[c.credential_id] = std::move(row);
    return true;
  }
  std::optional<WorkerCredentialRecord> GetCredential(const std::string& credential_id) override {
    const auto it = s_.credentials.find(credential_id);
    if (it == s_.credentials.end()) return std::nullopt;
    return it->second;
  }
  bool RevokeCredential(const std::string& name, absl::Time now) override {
    Write();
    for (auto& [id, c] : s_.credentials) {
      if (c.name != name) continue;
      if (!c.revoke_time) c.revoke_time = now;  // coalesce(revoked_at, now).
      return true;
    }
    return false;
  }

  // --- Outbox and idempotency ---
  absl::Status AppendEvent(const v1::EventEnvelope& event) override {
    Write();
    CF_RETURN_IF_ERROR(clipforge::testing::CheckOutboxEnvelope(event));
    s_.events.push_back(event);
    return absl::OkStatus();
  }
  std::optional<kit::IdempotencyRecord> FindIdempotency(const std::string& caller_id,
                                                        const std::string& request_id) override {
    const auto it = s_.idempotency.find({caller_id, request_id});
    if (it == s_.idempotency.end()) return std::nullopt;
    return it->second;
  }
  void SaveIdempotency(const kit::IdempotencyKey& key, const std::string& result) override {
    Write();
    CheckUuid(key.caller_id, "caller_id");
    CheckUuid(key.request_id, "request_id");
    const auto [it, inserted] =
        s_.idempotency.try_emplace({key.caller_id, key.request_id}, kit::IdempotencyRecord{key.method, key.fingerprint,
                                                                                            result});
    if (!inserted) Fail(absl::AlreadyExistsError("unique violation: idempotency_pkey"));
  }

 private:
  void Write() const {
    if (read_only_) throw std::logic_error("write in a read-only transaction");
  }

  FakeGenerationState& s_;
  const bool read_only_;
};

}  // namespace

absl::Status FakeGenerationStore::Transact(TxMode mode, absl::FunctionRef<absl::Status(GenerationTx&)> work) {
  return state_.Transact([&](FakeGenerationState& copy) -> absl::Status {
    FakeTx tx(copy, mode == TxMode::kReadOnly);
    try {
      return work(tx);
    } catch (const Violation& v) {
      return v.status;
    } catch (const std::logic_error& e) {
      return absl::InternalError(e.what());
    }
  });
}

}  // namespace clipforge::generation_service::testing
