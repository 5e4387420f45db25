#include "services/generation/store.h"

#include <pqxx/pqxx>

#include <stdexcept>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/kit/outbox.h"
#include "services/kit/pg_idempotency.h"
#include "services/kit/pg_time.h"
#include "services/kit/pg_transaction.h"
#include "services/kit/pg_tx_base.h"

namespace clipforge::generation_service {
namespace {

using kit::SqlMicros;
using kit::SqlTimestampParam;
using kit::ToMicros;

constexpr char kLockUser[] = "generation_lock_user";
constexpr char kEnsureUser[] = "generation_ensure_user";
constexpr char kSetUserTag[] = "generation_set_user_tag";
constexpr char kSetUserTier[] = "generation_set_user_tier";
constexpr char kQueueClock[] = "generation_queue_clock";
constexpr char kAdvanceClock[] = "generation_advance_clock";
constexpr char kCountAhead[] = "generation_count_ahead";
constexpr char kCountUsage[] = "generation_count_usage";
constexpr char kInsertJob[] = "generation_insert_job";
constexpr char kGetJob[] = "generation_get_job";
constexpr char kLockJob[] = "generation_lock_job";
constexpr char kUpdateJob[] = "generation_update_job";
constexpr char kDeleteJob[] = "generation_delete_job";
constexpr char kListJobs[] = "generation_list_jobs";
constexpr char kFindCompleted[] = "generation_find_completed";
constexpr char kLockQueueHead[] = "generation_lock_queue_head";
constexpr char kLockQueueHeadFull[] = "generation_lock_queue_head_full";

// How many jobs at the queue's head the fast lease path looks at.
constexpr int kQueueHeadWindow = 64;
constexpr char kFindLease[] = "generation_find_lease";
constexpr char kLockExpired[] = "generation_lock_expired";
constexpr char kPutUpload[] = "generation_put_upload";
constexpr char kListUploads[] = "generation_list_uploads";
constexpr char kPutUserUpload[] = "generation_put_user_upload";
constexpr char kGetUserUpload[] = "generation_get_user_upload";
constexpr char kDeleteUploadsOf[] = "generation_delete_uploads_of";
constexpr char kUserUploadUsage[] = "generation_user_upload_usage";
constexpr char kInsertApiKey[] = "generation_insert_api_key";
constexpr char kGetApiKey[] = "generation_get_api_key";
constexpr char kCountLiveApiKeys[] = "generation_count_live_api_keys";
constexpr char kListApiKeys[] = "generation_list_api_keys";
constexpr char kRevokeApiKey[] = "generation_revoke_api_key";
constexpr char kTouchApiKey[] = "generation_touch_api_key";
constexpr char kRevokeUserApiKeys[] = "generation_revoke_user_api_keys";
constexpr char kCountApiKeySeconds[] = "generation_count_api_key_seconds";
constexpr char kInsertCredential[] = "generation_insert_credential";
constexpr char kGetCredential[] = "generation_get_credential";
constexpr char kRevokeCredential[] = "generation_revoke_credential";

// "No cursor" in keyset paging: every UUIDv7 sorts after it... and before
// it, for newest-first paging, the largest UUID.
constexpr char kMaxUuid[] = "ffffffff-ffff-ffff-ffff-ffffffffffff";

// An optional time crosses as microseconds, -1 for NULL.
std::string SqlOptionalTimestampParam(int n) {
  return absl::StrCat("(CASE WHEN $", n, "::bigint < 0 THEN NULL ELSE ", SqlTimestampParam(n), " END)");
}
std::string SqlOptionalMicros(const char* column) { return absl::StrCat("coalesce(", SqlMicros(column), ", -1)"); }
int64_t OptionalMicros(const std::optional<absl::Time>& t) { return t ? ToMicros(*t) : -1; }
std::optional<absl::Time> OptionalTime(const pqxx::field& f) {
  const int64_t micros = f.as<int64_t>();
  if (micros < 0) return std::nullopt;
  return absl::FromUnixMicros(micros);
}

// Messages cross as hex (decode()/encode() in SQL).
std::string Hex(const google::protobuf::Message& message) {
  return absl::BytesToHexString(message.SerializeAsString());
}
template <typename Message>
Message FromHex(const pqxx::field& f) {
  Message message;
  if (!message.ParseFromString(absl::HexStringToBytes(f.as<std::string>()))) {
    throw std::runtime_error("generation: unreadable stored message");
  }
  return message;
}

// smallint[] literals of enum or integer lists.
template <typename T>
std::string IntArray(const std::vector<T>& values) {
  return absl::StrCat("{", absl::StrJoin(values, ",", [](std::string* out, T v) {
                        absl::StrAppend(out, static_cast<int>(v));
                      }), "}");
}
std::string TextArray(const std::vector<std::string>& values) {
  // Renderer names are validated ([a-z0-9._-]), so no quoting is needed;
  // quote anyway so that a future name with a comma cannot split.
  return absl::StrCat("{", absl::StrJoin(values, ",", [](std::string* out, const std::string& v) {
                        absl::StrAppend(out, "\"", v, "\"");
                      }), "}");
}

const std::string kJobColumns = absl::StrCat(
    "job_id::text, user_id::text, request_id::text, status, tier, encode(spec, 'hex'), renderer, seconds, pixels, "
    "quality, quota_seconds, fingerprint, queue_tag, lease_epoch, ",
    SqlOptionalMicros("lease_expires_at"),
    ", worker_id, coalesce(lease_request_id::text, ''), coalesce(lease_credential::text, ''), attempt, "
    "max_attempts, progress_percent, stage, failure_code, failure_message, coalesce(encode(outputs, 'hex'), ''), ",
    SqlMicros("created_at"), ", ", SqlOptionalMicros("started_at"), ", ", SqlOptionalMicros("finished_at"), ", ",
    SqlMicros("updated_at"), ", version, array_to_string(effects, ','), coalesce(api_key_id::text, ''), "
    "coalesce(encode(parent_provenance, 'hex'), '')");

JobRecord JobFromRow(const pqxx::row& r) {
  JobRecord job;
  job.job_id = r[0].as<std::string>();
  job.user_id = r[1].as<std::string>();
  job.request_id = r[2].as<std::string>();
  job.status = static_cast<v1::JobStatus>(r[3].as<int>());
  job.tier = static_cast<v1::Tier>(r[4].as<int>());
  job.spec = FromHex<v1::JobSpec>(r[5]);
  job.renderer = r[6].as<std::string>();
  job.seconds = r[7].as<int32_t>();
  job.pixels = r[8].as<int64_t>();
  job.quality = static_cast<v1::GenerationQuality>(r[9].as<int>());
  job.quota_seconds = r[10].as<int32_t>();
  job.fingerprint = r[11].as<std::string>();
  job.queue_tag = r[12].as<int64_t>();
  job.lease_epoch = r[13].as<int64_t>();
  job.lease_expires = OptionalTime(r[14]);
  job.worker_id = r[15].as<std::string>();
  job.lease_request_id = r[16].as<std::string>();
  job.lease_credential = r[17].as<std::string>();
  job.attempt = r[18].as<int32_t>();
  job.max_attempts = r[19].as<int32_t>();
  job.progress_percent = r[20].as<int32_t>();
  job.stage = r[21].as<std::string>();
  job.failure_code = static_cast<v1::GenerationFailureCode>(r[22].as<int>());
  job.failure_message = r[23].as<std::string>();
  if (!r[24].as<std::string>().empty()) job.outputs = FromHex<v1::JobOutputs>(r[24]);
  job.create_time = absl::FromUnixMicros(r[25].as<int64_t>());
  job.start_time = OptionalTime(r[26]);
  job.finish_time = OptionalTime(r[27]);
  job.update_time = absl::FromUnixMicros(r[28].as<int64_t>());
  job.version = r[29].as<int64_t>();
  std::vector<std::string> effects = absl::StrSplit(r[30].as<std::string>(), ',', absl::SkipEmpty());
  job.effects = std::move(effects);
  job.api_key_id = r[31].as<std::string>();
  if (!r[32].as<std::string>().empty()) job.parent_provenance = FromHex<v1::BlobRef>(r[32]);
  return job;
}

std::optional<JobRecord> FirstJob(const pqxx::result& r) {
  if (r.empty()) return std::nullopt;
  return JobFromRow(r[0]);
}

const std::string kApiKeyColumns =
    absl::StrCat("key_id::text, user_id::text, name, encode(secret_sha256, 'hex'), daily_seconds, ",
                 SqlMicros("created_at"), ", ", SqlOptionalMicros("last_used_at"), ", ",
                 SqlOptionalMicros("revoked_at"));

ApiKeyRecord ApiKeyFromRow(const pqxx::row& r) {
  return ApiKeyRecord{.key_id = r[0].as<std::string>(),
                      .user_id = r[1].as<std::string>(),
                      .name = r[2].as<std::string>(),
                      .secret_sha256 = absl::HexStringToBytes(r[3].as<std::string>()),
                      .daily_seconds = r[4].as<int32_t>(),
                      .create_time = absl::FromUnixMicros(r[5].as<int64_t>()),
                      .last_use_time = OptionalTime(r[6]),
                      .revoke_time = OptionalTime(r[7])};
}

const std::string kCredentialColumns = absl::StrCat("credential_id::text, name, encode(secret_sha256, 'hex'), ",
                                                    SqlMicros("created_at"), ", ", SqlOptionalMicros("revoked_at"));

const kit::PgIdempotencyLog& Idempotency() {
  static const kit::PgIdempotencyLog log("generation");
  return log;
}

class PgGenerationTx final : public kit::PgTxBase<GenerationTx> {
 public:
  explicit PgGenerationTx(pqxx::work& txn) : PgTxBase(txn, Idempotency()) {}

  UserQueueState LockUser(const std::string& user_id) override {
    txn_.exec_prepared(kEnsureUser, user_id);
    const pqxx::row r = txn_.exec_prepared1(kLockUser, user_id);
    return {.tier = static_cast<v1::Tier>(r[0].as<int>()), .last_tag = r[1].as<int64_t>()};
  }
  void SetUserLastTag(const std::string& user_id, int64_t tag) override {
    txn_.exec_prepared(kSetUserTag, user_id, tag);
  }
  void SetUserTier(const std::string& user_id, v1::Tier tier) override {
    txn_.exec_prepared(kSetUserTier, user_id, static_cast<int>(tier));
  }
  int64_t QueueClock() override { return txn_.exec_prepared1(kQueueClock)[0].as<int64_t>(); }
  void AdvanceQueueClock(int64_t tag) override { txn_.exec_prepared(kAdvanceClock, tag); }
  int32_t CountAhead(int64_t tag, const std::string& job_id, int32_t cap) override {
    return txn_.exec_prepared1(kCountAhead, tag, job_id, cap)[0].as<int32_t>();
  }
  UsageCount CountUsage(const std::string& user_id, absl::Time since) override {
    const pqxx::row r = txn_.exec_prepared1(kCountUsage, user_id, ToMicros(since));
    return {.active_jobs = r[0].as<int32_t>(), .seconds_since = r[1].as<int32_t>()};
  }

  void InsertJob(const JobRecord& j) override {
    txn_.exec_prepared(kInsertJob, j.job_id, j.user_id, j.request_id, static_cast<int>(j.status),
                       static_cast<int>(j.tier), Hex(j.spec), j.renderer, j.seconds, j.pixels,
                       static_cast<int>(j.quality), j.quota_seconds, j.fingerprint, j.queue_tag, j.max_attempts,
                       ToMicros(j.create_time), j.outputs ? Hex(*j.outputs) : std::string(),
                       j.progress_percent, OptionalMicros(j.finish_time), TextArray(j.effects), j.api_key_id,
                       j.parent_provenance ? Hex(*j.parent_provenance) : std::string());
  }
  std::optional<JobRecord> GetJob(const std::string& job_id) override {
    return FirstJob(txn_.exec_prepared(kGetJob, job_id));
  }
  std::optional<JobRecord> LockJob(const std::string& job_id) override {
    return FirstJob(txn_.exec_prepared(kLockJob, job_id));
  }
  int64_t UpdateJob(const JobRecord& j) override {
    return txn_
        .exec_prepared1(kUpdateJob, j.job_id, static_cast<int>(j.status), j.lease_epoch,
                        OptionalMicros(j.lease_expires), j.worker_id, j.lease_request_id, j.lease_credential,
                        j.attempt, j.progress_percent, j.stage, static_cast<int>(j.failure_code),
                        j.failure_message, j.outputs ? Hex(*j.outputs) : std::string(),
                        OptionalMicros(j.start_time), OptionalMicros(j.finish_time), ToMicros(j.update_time),
                        j.queue_tag)[0]
        .as<int64_t>();
  }
  void DeleteJob(const std::string& job_id) override { txn_.exec_prepared(kDeleteJob, job_id); }
  std::vector<JobRecord> ListJobs(const std::string& user_id, const std::vector<v1::JobStatus>& statuses,
                                  const std::optional<JobCursor>& cursor, int limit) override {
    std::vector<JobRecord> jobs;
    for (const pqxx::row& row : txn_.exec_prepared(kListJobs, user_id, IntArray(statuses),
                                                   cursor ? cursor->before_job_id : std::string(kMaxUuid), limit)) {
      jobs.push_back(JobFromRow(row));
    }
    return jobs;
  }
  std::optional<JobRecord> FindCompleted(const std::string& fingerprint) override {
    return FirstJob(txn_.exec_prepared(kFindCompleted, fingerprint));
  }

  std::optional<JobRecord> LockQueueHead(const LeaseFilter& f) override {
    const std::string renderers = TextArray(f.renderers), qualities = IntArray(f.qualities),
                      effects = TextArray(f.effects);
    if (std::optional<JobRecord> head = FirstJob(
            txn_.exec_prepared(kLockQueueHead, renderers, qualities, f.max_seconds, f.max_pixels, effects))) {
      return head;
    }
    // Every job near the head is locked by other workers or beyond this
    // worker's capabilities: look through the whole queue.
    return FirstJob(
        txn_.exec_prepared(kLockQueueHeadFull, renderers, qualities, f.max_seconds, f.max_pixels, effects));
  }
  std::optional<JobRecord> FindLease(const std::string& credential_id, const std::string& request_id) override {
    return FirstJob(txn_.exec_prepared(kFindLease, credential_id, request_id));
  }
  std::vector<JobRecord> LockExpiredLeases(absl::Time now, int limit) override {
    std::vector<JobRecord> jobs;
    for (const pqxx::row& row : txn_.exec_prepared(kLockExpired, ToMicros(now), limit)) jobs.push_back(JobFromRow(row));
    return jobs;
  }

  void PutUpload(const UploadRecord& u) override {
    txn_.exec_prepared(kPutUpload, u.job_id, u.lease_epoch, static_cast<int>(u.variant), u.blob.sha256(),
                       u.blob.content_type(), u.blob.size_bytes());
  }
  std::vector<UploadRecord> ListUploads(const std::string& job_id, int64_t lease_epoch) override {
    std::vector<UploadRecord> uploads;
    for (const pqxx::row& r : txn_.exec_prepared(kListUploads, job_id, lease_epoch)) {
      UploadRecord u{.job_id = job_id,
                     .lease_epoch = lease_epoch,
                     .variant = static_cast<v1::ContentVariant>(r[0].as<int>())};
      u.blob.set_sha256(r[1].as<std::string>());
      u.blob.set_content_type(r[2].as<std::string>());
      u.blob.set_size_bytes(r[3].as<int64_t>());
      uploads.push_back(std::move(u));
    }
    return uploads;
  }

  void PutUserUpload(const UserUploadRecord& u) override {
    txn_.exec_prepared(kPutUserUpload, u.user_id, u.blob.sha256(), static_cast<int>(u.kind), u.blob.content_type(),
                       u.blob.size_bytes(), ToMicros(u.create_time), ToMicros(u.expire_time));
  }

  void DeleteUploadsOf(const std::string& sha256) override { txn_.exec_prepared(kDeleteUploadsOf, sha256); }
  std::optional<UserUploadRecord> GetUserUpload(const std::string& user_id, const std::string& sha256,
                                                v1::UploadKind kind) override {
    const pqxx::result r = txn_.exec_prepared(kGetUserUpload, user_id, sha256, static_cast<int>(kind));
    if (r.empty()) return std::nullopt;
    UserUploadRecord upload{.user_id = user_id,
                            .kind = kind,
                            .create_time = absl::FromUnixMicros(r[0][2].as<int64_t>()),
                            .expire_time = absl::FromUnixMicros(r[0][3].as<int64_t>())};
    upload.blob.set_sha256(sha256);
    upload.blob.set_content_type(r[0][0].as<std::string>());
    upload.blob.set_size_bytes(r[0][1].as<int64_t>());
    return upload;
  }

  generation::UploadUsage UserUploadUsage(const std::string& user_id, absl::Time now) override {
    const pqxx::row r = txn_.exec_prepared1(kUserUploadUsage, user_id, ToMicros(now));
    generation::UploadUsage usage{.live_uploads = r[0].as<int64_t>(), .live_bytes = r[1].as<int64_t>()};
    if (!r[2].is_null()) usage.next_expiry = absl::FromUnixMicros(r[2].as<int64_t>());
    return usage;
  }

  bool InsertApiKey(const ApiKeyRecord& k) override {
    return !txn_
                .exec_prepared(kInsertApiKey, k.key_id, k.user_id, k.name, absl::BytesToHexString(k.secret_sha256),
                               k.daily_seconds, ToMicros(k.create_time))
                .empty();
  }
  std::optional<ApiKeyRecord> GetApiKey(const std::string& key_id) override {
    const pqxx::result r = txn_.exec_prepared(kGetApiKey, key_id);
    if (r.empty()) return std::nullopt;
    return ApiKeyFromRow(r[0]);
  }
  int32_t CountLiveApiKeys(const std::string& user_id) override {
    return txn_.exec_prepared1(kCountLiveApiKeys, user_id)[0].as<int32_t>();
  }
  std::vector<ApiKeyRecord> ListApiKeys(const std::string& user_id, bool include_revoked, int limit) override {
    std::vector<ApiKeyRecord> keys;
    for (const pqxx::row& r : txn_.exec_prepared(kListApiKeys, user_id, include_revoked, limit)) {
      keys.push_back(ApiKeyFromRow(r));
    }
    return keys;
  }
  void RevokeApiKey(const std::string& key_id, absl::Time now) override {
    txn_.exec_prepared(kRevokeApiKey, key_id, ToMicros(now));
  }
  void TouchApiKey(const std::string& key_id, absl::Time now) override {
    txn_.exec_prepared(kTouchApiKey, key_id, ToMicros(now));
  }
  void RevokeUserApiKeys(const std::string& user_id, absl::Time now) override {
    txn_.exec_prepared(kRevokeUserApiKeys, user_id, ToMicros(now));
  }
  int32_t CountApiKeySeconds(const std::string& key_id, absl::Time since) override {
    return txn_.exec_prepared1(kCountApiKeySeconds, key_id, ToMicros(since))[0].as<int32_t>();
  }

  bool InsertCredential(const WorkerCredentialRecord& c) override {
    return !txn_
                .exec_prepared(kInsertCredential, c.credential_id, c.name, absl::BytesToHexString(c.secret_sha256),
                               ToMicros(c.create_time))
                .empty();
  }
  std::optional<WorkerCredentialRecord> GetCredential(const std::string& credential_id) override {
    const pqxx::result r = txn_.exec_prepared(kGetCredential, credential_id);
    if (r.empty()) return std::nullopt;
    return WorkerCredentialRecord{.credential_id = r[0][0].as<std::string>(),
                                  .name = r[0][1].as<std::string>(),
                                  .secret_sha256 = absl::HexStringToBytes(r[0][2].as<std::string>()),
                                  .create_time = absl::FromUnixMicros(r[0][3].as<int64_t>()),
                                  .revoke_time = OptionalTime(r[0][4])};
  }
  bool RevokeCredential(const std::string& name, absl::Time now) override {
    return !txn_.exec_prepared(kRevokeCredential, name, ToMicros(now)).empty();
  }
};

}  // namespace

std::vector<kit::PreparedStatement> PgGenerationStore::Statements() {
  std::vector<kit::PreparedStatement> statements = {
      {kEnsureUser, "INSERT INTO generation.users (user_id) VALUES ($1::uuid) ON CONFLICT (user_id) DO NOTHING"},
      {kLockUser, "SELECT tier, last_tag FROM generation.users WHERE user_id = $1::uuid FOR UPDATE"},
      {kSetUserTag, "UPDATE generation.users SET last_tag = $2 WHERE user_id = $1::uuid"},
      {kSetUserTier,
       "INSERT INTO generation.users (user_id, tier) VALUES ($1::uuid, $2) ON CONFLICT (user_id) DO UPDATE SET "
       "tier = excluded.tier"},
      {kQueueClock, "SELECT tag FROM generation.queue_clock"},
      {kAdvanceClock, "UPDATE generation.queue_clock SET tag = greatest(tag, $1)"},
      {kCountAhead,
       "SELECT count(*) FROM (SELECT 1 FROM generation.jobs WHERE status = 1 AND (queue_tag, job_id) < ($1, "
       "$2::uuid) LIMIT $3) ahead"},
      {kCountUsage,
       absl::StrCat("SELECT count(*) FILTER (WHERE status IN (1, 2, 3)), coalesce(sum(quota_seconds) FILTER "
                    "(WHERE status NOT IN (5, 6) AND created_at >= ",
                    SqlTimestampParam(2), "), 0) FROM generation.jobs WHERE user_id = $1::uuid AND (status IN "
                    "(1, 2, 3) OR created_at >= ", SqlTimestampParam(2), ")")},
      {kInsertJob,
       absl::StrCat("INSERT INTO generation.jobs (job_id, user_id, request_id, status, tier, spec, renderer, seconds, "
                    "pixels, quality, quota_seconds, fingerprint, queue_tag, max_attempts, created_at, updated_at, "
                    "outputs, progress_percent, finished_at, effects, api_key_id, parent_provenance) VALUES ($1::uuid, $2::uuid, "
                    "$3::uuid, $4, $5, "
                    "decode($6, 'hex'), $7, $8, $9, $10, $11, $12, $13, $14, ",
                    SqlTimestampParam(15), ", ", SqlTimestampParam(15),
                    ", nullif(decode($16, 'hex'), ''::bytea), $17, ", SqlOptionalTimestampParam(18),
                    ", $19::text[], nullif($20, '')::uuid, nullif(decode($21, 'hex'), ''::bytea))")},
      {kGetJob, absl::StrCat("SELECT ", kJobColumns, " FROM generation.jobs WHERE job_id = $1::uuid")},
      {kLockJob, absl::StrCat("SELECT ", kJobColumns, " FROM generation.jobs WHERE job_id = $1::uuid FOR UPDATE")},
      {kUpdateJob,
       absl::StrCat("UPDATE generation.jobs SET status = $2, lease_epoch = $3, lease_expires_at = ",
                    SqlOptionalTimestampParam(4),
                    ", worker_id = $5, lease_request_id = nullif($6, '')::uuid, lease_credential = nullif($7, "
                    "'')::uuid, attempt = $8, progress_percent = $9, stage = $10, failure_code = $11, "
                    "failure_message = $12, outputs = nullif(decode($13, 'hex'), ''::bytea), started_at = ",
                    SqlOptionalTimestampParam(14), ", finished_at = ", SqlOptionalTimestampParam(15),
                    ", updated_at = ", SqlTimestampParam(16),
                    ", queue_tag = $17, version = version + 1 WHERE job_id = $1::uuid RETURNING version")},
      {kDeleteJob, "DELETE FROM generation.jobs WHERE job_id = $1::uuid"},
      {kListJobs,
       absl::StrCat("SELECT ", kJobColumns, " FROM generation.jobs WHERE user_id = $1::uuid AND (cardinality($2::"
                    "smallint[]) = 0 OR status = ANY($2::smallint[])) AND job_id < $3::uuid ORDER BY job_id DESC "
                    "LIMIT $4")},
      {kFindCompleted, absl::StrCat("SELECT ", kJobColumns, " FROM generation.jobs WHERE fingerprint = $1 AND "
                                    "status = 4 ORDER BY job_id LIMIT 1")},
      // The queue's head, in two steps. First the window: the first jobs of
      // the partial index jobs_queue in tag order (a plain ordered index
      // scan: no filter a planner could misjudge), then the worker's filter
      // and the lock on those few rows. Without the window a generic plan
      // over stale statistics read and sorted the whole queue for each
      // lease (16 ms at 10,000 queued jobs, bench/generation_scheduler_bench).
      {kLockQueueHead,
       absl::StrCat("SELECT ", kJobColumns, " FROM generation.jobs WHERE job_id = ANY(ARRAY(SELECT job_id FROM "
                    "generation.jobs WHERE status = 1 ORDER BY queue_tag, job_id LIMIT ", kQueueHeadWindow,
                    ")) AND status = 1 AND renderer = ANY($1::text[]) AND (cardinality($2::smallint[]) = 0 OR "
                    "quality = ANY($2::smallint[])) AND ($3 = 0 OR seconds <= $3) AND ($4::bigint = 0 OR pixels <= "
                    "$4::bigint) AND (cardinality($5::text[]) = 0 OR effects <@ $5::text[]) ORDER BY queue_tag, job_id LIMIT 1 "
                    "FOR UPDATE SKIP LOCKED")},
      {kLockQueueHeadFull,
       absl::StrCat("SELECT ", kJobColumns, " FROM generation.jobs WHERE status = 1 AND renderer = ANY($1::text[]) "
                    "AND (cardinality($2::smallint[]) = 0 OR quality = ANY($2::smallint[])) AND ($3 = 0 OR seconds "
                    "<= $3) AND ($4::bigint = 0 OR pixels <= $4::bigint) AND (cardinality($5::text[]) = 0 OR "
                    "effects <@ $5::text[]) ORDER BY queue_tag, job_id LIMIT 1 FOR UPDATE SKIP LOCKED")},
      {kFindLease, absl::StrCat("SELECT ", kJobColumns, " FROM generation.jobs WHERE status = 3 AND lease_credential "
                                "= $1::uuid AND lease_request_id = $2::uuid FOR UPDATE")},
      {kLockExpired, absl::StrCat("SELECT ", kJobColumns, " FROM generation.jobs WHERE status = 3 AND "
                                  "lease_expires_at < ", SqlTimestampParam(1),
                                  " ORDER BY lease_expires_at LIMIT $2 FOR UPDATE SKIP LOCKED")},
      {kPutUpload,
       "INSERT INTO generation.job_uploads (job_id, lease_epoch, variant, sha256, content_type, size_bytes) VALUES "
       "($1::uuid, $2, $3, $4, $5, $6) ON CONFLICT (job_id, lease_epoch, variant) DO UPDATE SET sha256 = "
       "excluded.sha256, content_type = excluded.content_type, size_bytes = excluded.size_bytes"},
      {kListUploads,
       "SELECT variant, sha256, content_type, size_bytes FROM generation.job_uploads WHERE job_id = $1::uuid AND "
       "lease_epoch = $2 ORDER BY variant"},
      {kPutUserUpload,
       absl::StrCat("INSERT INTO generation.uploads (user_id, sha256, kind, content_type, size_bytes, created_at, "
                    "expires_at) VALUES ($1::uuid, $2, $3, $4, $5, ",
                    SqlTimestampParam(6), ", ", SqlTimestampParam(7),
                    ") ON CONFLICT (user_id, sha256, kind) DO UPDATE SET expires_at = excluded.expires_at")},
      {kDeleteUploadsOf, "DELETE FROM generation.uploads WHERE sha256 = $1"},
      // uploads_expiry's index does not lead with the user: this reads the
      // user's rows by the primary key (user_id first), at most the quota.
      {kUserUploadUsage,
       absl::StrCat("SELECT count(*), coalesce(sum(size_bytes), 0)::bigint, ", SqlMicros("min(expires_at)"),
                    " FROM generation.uploads WHERE user_id = $1::uuid AND expires_at > ", SqlTimestampParam(2))},
      {kGetUserUpload,
       absl::StrCat("SELECT content_type, size_bytes, ", SqlMicros("created_at"), ", ", SqlMicros("expires_at"),
                    " FROM generation.uploads WHERE user_id = $1::uuid AND sha256 = $2 AND kind = $3")},
      {kInsertApiKey,
       absl::StrCat("INSERT INTO generation.api_keys (key_id, user_id, name, secret_sha256, daily_seconds, "
                    "created_at) VALUES ($1::uuid, $2::uuid, $3, decode($4, 'hex'), $5, ",
                    SqlTimestampParam(6),
                    ") ON CONFLICT (user_id, name) WHERE revoked_at IS NULL DO NOTHING RETURNING 1")},
      {kGetApiKey, absl::StrCat("SELECT ", kApiKeyColumns, " FROM generation.api_keys WHERE key_id = $1::uuid")},
      {kCountLiveApiKeys,
       "SELECT count(*) FROM generation.api_keys WHERE user_id = $1::uuid AND revoked_at IS NULL"},
      {kListApiKeys,
       absl::StrCat("SELECT ", kApiKeyColumns, " FROM generation.api_keys WHERE user_id = $1::uuid AND ($2 OR "
                    "revoked_at IS NULL) ORDER BY revoked_at IS NOT NULL, key_id DESC LIMIT $3")},
      {kRevokeApiKey, absl::StrCat("UPDATE generation.api_keys SET revoked_at = coalesce(revoked_at, ",
                                   SqlTimestampParam(2), ") WHERE key_id = $1::uuid")},
      {kTouchApiKey, absl::StrCat("UPDATE generation.api_keys SET last_used_at = ", SqlTimestampParam(2),
                                  " WHERE key_id = $1::uuid")},
      {kRevokeUserApiKeys, absl::StrCat("UPDATE generation.api_keys SET revoked_at = ", SqlTimestampParam(2),
                                        " WHERE user_id = $1::uuid AND revoked_at IS NULL")},
      {kCountApiKeySeconds,
       absl::StrCat("SELECT coalesce(sum(quota_seconds), 0) FROM generation.jobs WHERE api_key_id = $1::uuid AND "
                    "created_at >= ", SqlTimestampParam(2), " AND status NOT IN (5, 6)")},
      {kInsertCredential,
       absl::StrCat("INSERT INTO generation.worker_credentials (credential_id, name, secret_sha256, created_at) "
                    "VALUES ($1::uuid, $2, decode($3, 'hex'), ",
                    SqlTimestampParam(4), ") ON CONFLICT (name) DO NOTHING RETURNING 1")},
      {kGetCredential, absl::StrCat("SELECT ", kCredentialColumns,
                                    " FROM generation.worker_credentials WHERE credential_id = $1::uuid")},
      {kRevokeCredential, absl::StrCat("UPDATE generation.worker_credentials SET revoked_at = coalesce(revoked_at, ",
                                       SqlTimestampParam(2), ") WHERE name = $1 RETURNING 1")},
  };
  for (kit::PreparedStatement& s : Idempotency().Statements()) statements.push_back(std::move(s));
  statements.push_back(kit::OutboxWriter::Statement());
  return statements;
}

absl::Status PgGenerationStore::InTransaction(pqxx::work& txn,
                                              absl::FunctionRef<absl::Status(GenerationTx&)> work) {
  PgGenerationTx tx(txn);
  return work(tx);
}

absl::Status PgGenerationStore::Transact(TxMode mode, absl::FunctionRef<absl::Status(GenerationTx&)> work) {
  const kit::TxnOptions options{.read_only = mode == TxMode::kReadOnly};
  return kit::RunInTransaction(pool_, options, [&](pqxx::work& txn) {
    PgGenerationTx tx(txn);
    return work(tx);
  });
}

}  // namespace clipforge::generation_service
