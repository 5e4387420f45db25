#include "services/moderation/case_queries.h"

#include <pqxx/pqxx>

#include <limits>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/kit/pg_time.h"
#include "services/moderation/pg_values.h"

namespace clipforge::moderation_service {
namespace {

using kit::SqlMicros;
using kit::SqlTimestampParam;
using kit::TimeFromMicros;
using kit::ToMicros;

constexpr char kFindOpenReport[] = "moderation_find_open_report";
constexpr char kCountReportsSince[] = "moderation_count_reports_since";
constexpr char kInsertReport[] = "moderation_insert_report";
constexpr char kGetReport[] = "moderation_get_report";
constexpr char kListReports[] = "moderation_list_reports";
constexpr char kCloseReports[] = "moderation_close_reports";
constexpr char kHasReported[] = "moderation_has_reported";
constexpr char kInsertCaseIfNone[] = "moderation_insert_case_if_none";
constexpr char kLockUndecidedCase[] = "moderation_lock_undecided_case";
constexpr char kInsertCase[] = "moderation_insert_case";
constexpr char kUpdateCase[] = "moderation_update_case";
constexpr char kGetCase[] = "moderation_get_case";
constexpr char kLockCase[] = "moderation_lock_case";
constexpr char kLockNextClaimable[] = "moderation_lock_next_claimable";
constexpr char kCountLiveClaims[] = "moderation_count_live_claims";
constexpr char kListQueue[] = "moderation_list_queue";
constexpr char kCountClaimable[] = "moderation_count_claimable";
constexpr char kInsertDecision[] = "moderation_insert_decision";
constexpr char kGetDecision[] = "moderation_get_decision";
constexpr char kPriorDecisions[] = "moderation_prior_decisions";
constexpr char kInsertAppeal[] = "moderation_insert_appeal";
constexpr char kGetAppeal[] = "moderation_get_appeal";
constexpr char kLockAppeal[] = "moderation_lock_appeal";
constexpr char kFindAppeal[] = "moderation_find_appeal";
constexpr char kUpdateAppeal[] = "moderation_update_appeal";

// Tries of LockOrInsertUndecidedCase: each lost race means the competing
// case was decided between our insert and our read.
constexpr int kCaseSlotTries = 5;

// A nullable timestamptz parameter: 0 micros is NULL.
std::string SqlNullableTimestampParam(int n) {
  return absl::StrCat("(timestamptz 'epoch' + NULLIF($", n, "::bigint, 0) * interval '1 microsecond')");
}
std::string SqlNullableMicros(const char* column) { return absl::StrCat("coalesce(", SqlMicros(column), ", 0)"); }
int64_t NullableMicros(absl::Time t) { return t == absl::InfinitePast() ? 0 : ToMicros(t); }
absl::Time NullableTime(const pqxx::field& f) {
  const int64_t micros = f.as<int64_t>();
  return micros == 0 ? absl::InfinitePast() : absl::FromUnixMicros(micros);
}

// Message columns are stored serialized and cross as hex.
std::string MessageHex(const google::protobuf::Message& message) {
  return absl::BytesToHexString(message.SerializeAsString());
}
template <typename Message>
Message ParseMessage(const pqxx::field& f) {
  Message message;
  if (!message.ParseFromString(Unhex(f))) throw std::runtime_error("moderation: malformed stored message");
  return message;
}

// The queue filter's two array parameters, as $n and $n+1.
std::string QueueFilterSql(int n) {
  return absl::StrCat("(cardinality($", n, "::smallint[]) = 0 OR source = ANY($", n,
                      "::smallint[])) AND (cardinality($", n + 1, "::smallint[]) = 0 OR categories && $", n + 1,
                      "::smallint[])");
}

const std::string kReportColumns = absl::StrCat(
    "report_id::text, reporter_id::text, target_kind, target_id, reason, details, status, case_id::text, "
    "coalesce(decision_id::text, ''), ",
    SqlMicros("created_at"), ", ", SqlMicros("updated_at"));

ReportRecord ReportFromRow(const pqxx::row& r) {
  return {.report_id = r[0].as<std::string>(),
          .reporter_id = r[1].as<std::string>(),
          .target = {static_cast<v1::ContentKind>(r[2].as<int>()), r[3].as<std::string>()},
          .reason = static_cast<v1::ModerationCategory>(r[4].as<int>()),
          .details = r[5].as<std::string>(),
          .status = static_cast<v1::ReportStatus>(r[6].as<int>()),
          .case_id = r[7].as<std::string>(),
          .decision_id = r[8].as<std::string>(),
          .create_time = TimeFromMicros(r[9]),
          .update_time = TimeFromMicros(r[10])};
}

const std::string kCaseColumns = absl::StrCat(
    "case_id::text, target_kind, target_id, subject_user_id, recused_user_id, source, status, "
    "array_to_string(categories, ','), severity, views, report_count, rank_micros, coalesce(claim_id::text, ''), "
    "claim_user_id, ", SqlNullableMicros("claim_expires_at"), ", coalesce(appeal_id::text, ''), prompt, text, "
    "encode(evidence, 'hex'), coalesce(decision_id::text, ''), ",
    SqlMicros("created_at"), ", ", SqlMicros("updated_at"));

CaseRecord CaseFromRow(const pqxx::row& r) {
  return {.case_id = r[0].as<std::string>(),
          .target = {static_cast<v1::ContentKind>(r[1].as<int>()), r[2].as<std::string>()},
          .subject_user_id = r[3].as<std::string>(),
          .recused_user_id = r[4].as<std::string>(),
          .source = static_cast<v1::CaseSource>(r[5].as<int>()),
          .status = static_cast<v1::CaseStatus>(r[6].as<int>()),
          .categories = EnumsFrom<v1::ModerationCategory>(r[7]),
          .severity = r[8].as<int32_t>(),
          .views = r[9].as<int64_t>(),
          .report_count = r[10].as<int32_t>(),
          .rank_micros = r[11].as<int64_t>(),
          .claim_id = r[12].as<std::string>(),
          .claim_user_id = r[13].as<std::string>(),
          .claim_expire_time = NullableTime(r[14]),
          .appeal_id = r[15].as<std::string>(),
          .prompt = r[16].as<std::string>(),
          .text = r[17].as<std::string>(),
          .evidence = ParseMessage<v1::ReviewCase>(r[18]),
          .decision_id = r[19].as<std::string>(),
          .create_time = TimeFromMicros(r[20]),
          .update_time = TimeFromMicros(r[21])};
}

const std::string kDecisionColumns = absl::StrCat(
    "decision_id::text, case_id::text, target_kind, target_id, subject_user_id, action, "
    "array_to_string(categories, ','), encode(statement, 'hex'), moderator_id, coalesce(appeal_id::text, ''), ",
    SqlMicros("created_at"), ", ", SqlMicros("appeal_deadline"));

DecisionRecord DecisionFromRow(const pqxx::row& r) {
  return {.decision_id = r[0].as<std::string>(),
          .case_id = r[1].as<std::string>(),
          .target = {static_cast<v1::ContentKind>(r[2].as<int>()), r[3].as<std::string>()},
          .subject_user_id = r[4].as<std::string>(),
          .action = static_cast<v1::ModerationAction>(r[5].as<int>()),
          .categories = EnumsFrom<v1::ModerationCategory>(r[6]),
          .statement = ParseMessage<v1::StatementOfReasons>(r[7]),
          .moderator_id = r[8].as<std::string>(),
          .appeal_id = r[9].as<std::string>(),
          .create_time = TimeFromMicros(r[10]),
          .appeal_deadline = TimeFromMicros(r[11])};
}

const std::string kAppealColumns = absl::StrCat(
    "appeal_id::text, decision_id::text, appellant_id::text, text, status, case_id::text, "
    "coalesce(outcome_decision_id::text, ''), ",
    SqlMicros("created_at"), ", ", SqlNullableMicros("decided_at"));

AppealRecord AppealFromRow(const pqxx::row& r) {
  AppealRecord appeal{.appeal_id = r[0].as<std::string>(),
                      .decision_id = r[1].as<std::string>(),
                      .appellant_id = r[2].as<std::string>(),
                      .text = r[3].as<std::string>(),
                      .status = static_cast<v1::AppealStatus>(r[4].as<int>()),
                      .case_id = r[5].as<std::string>(),
                      .outcome_decision_id = r[6].as<std::string>(),
                      .create_time = TimeFromMicros(r[7])};
  if (r[8].as<int64_t>() != 0) appeal.decide_time = TimeFromMicros(r[8]);
  return appeal;
}

template <typename Record, typename FromRow>
std::optional<Record> First(const pqxx::result& r, FromRow from_row) {
  if (r.empty()) return std::nullopt;
  return from_row(r[0]);
}

// The case columns an insert writes, $1..$21 (see CaseInsertArgs).
const std::string kCaseInsert = absl::StrCat(
    "INSERT INTO moderation.cases (case_id, target_kind, target_id, subject_user_id, recused_user_id, source, "
    "status, categories, severity, views, report_count, rank_micros, claim_id, claim_user_id, claim_expires_at, "
    "appeal_id, prompt, text, evidence, decision_id, created_at, updated_at) VALUES ($1::uuid, $2, $3, $4, $5, $6, "
    "$7, $8::smallint[], $9, $10, $11, $12, NULLIF($13, '')::uuid, $14, ", SqlNullableTimestampParam(15),
    ", NULLIF($16, '')::uuid, $17, $18, decode($19, 'hex'), NULLIF($20, '')::uuid, ", SqlTimestampParam(21), ", ",
    SqlTimestampParam(21), ")");

}  // namespace

std::vector<kit::PreparedStatement> PgCaseQueries::Statements() {
  return {
      {kFindOpenReport, absl::StrCat("SELECT ", kReportColumns, " FROM moderation.reports WHERE reporter_id = "
                                     "$1::uuid AND target_kind = $2 AND target_id = $3 AND status = 1")},
      {kCountReportsSince, absl::StrCat("SELECT count(*) FROM moderation.reports WHERE reporter_id = $1::uuid AND "
                                        "created_at >= ", SqlTimestampParam(2))},
      {kInsertReport,
       absl::StrCat("INSERT INTO moderation.reports (report_id, reporter_id, target_kind, target_id, reason, details, "
                    "status, case_id, created_at, updated_at) VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, "
                    "$8::uuid, ", SqlTimestampParam(9), ", ", SqlTimestampParam(9), ")")},
      {kGetReport, absl::StrCat("SELECT ", kReportColumns, " FROM moderation.reports WHERE report_id = $1::uuid")},
      {kListReports,
       absl::StrCat("SELECT ", kReportColumns, " FROM moderation.reports WHERE reporter_id = $1::uuid AND "
                    "($2::bigint = 0 OR (created_at, report_id) < (", SqlTimestampParam(2), ", $3::uuid)) "
                    "ORDER BY created_at DESC, report_id DESC LIMIT $4")},
      {kCloseReports, absl::StrCat("UPDATE moderation.reports SET status = $2, decision_id = $3::uuid, updated_at = ",
                                   SqlTimestampParam(4), " WHERE case_id = $1::uuid AND status = 1")},
      {kHasReported, "SELECT EXISTS (SELECT 1 FROM moderation.reports WHERE case_id = $1::uuid AND reporter_id = "
                     "$2::uuid)"},
      {kInsertCaseIfNone, absl::StrCat(kCaseInsert, " ON CONFLICT (target_kind, target_id, source) WHERE status <> 3 "
                                                    "AND source <> 4 DO NOTHING RETURNING case_id")},
      {kLockUndecidedCase, absl::StrCat("SELECT ", kCaseColumns, " FROM moderation.cases WHERE target_kind = $1 AND "
                                        "target_id = $2 AND source = $3 AND status <> 3 FOR UPDATE")},
      {kInsertCase, kCaseInsert},
      {kUpdateCase,
       absl::StrCat("UPDATE moderation.cases SET status = $2, categories = $3::smallint[], severity = $4, views = $5, "
                    "report_count = $6, rank_micros = $7, claim_id = NULLIF($8, '')::uuid, claim_user_id = $9, "
                    "claim_expires_at = ", SqlNullableTimestampParam(10), ", prompt = $11, text = $12, "
                    "evidence = decode($13, 'hex'), decision_id = NULLIF($14, '')::uuid, updated_at = ",
                    SqlTimestampParam(15), " WHERE case_id = $1::uuid")},
      {kGetCase, absl::StrCat("SELECT ", kCaseColumns, " FROM moderation.cases WHERE case_id = $1::uuid")},
      {kLockCase, absl::StrCat("SELECT ", kCaseColumns, " FROM moderation.cases WHERE case_id = $1::uuid FOR UPDATE")},
      {kLockNextClaimable,
       absl::StrCat("SELECT ", kCaseColumns, " FROM moderation.cases WHERE status <> 3 AND (status = 1 OR "
                    "claim_expires_at <= ", SqlTimestampParam(3), ") AND subject_user_id <> $4 AND recused_user_id "
                    "<> $4 AND ", QueueFilterSql(1), " ORDER BY rank_micros, case_id LIMIT 1 FOR UPDATE SKIP LOCKED")},
      {kCountLiveClaims, absl::StrCat("SELECT count(*) FROM moderation.cases WHERE status = 2 AND claim_user_id = $1 "
                                      "AND claim_expires_at > ", SqlTimestampParam(2))},
      {kListQueue,
       absl::StrCat("SELECT ", kCaseColumns, " FROM moderation.cases WHERE status <> 3 AND ", QueueFilterSql(1),
                    " AND (rank_micros, case_id) > ($3, $4::uuid) ORDER BY rank_micros, case_id LIMIT $5")},
      {kCountClaimable, absl::StrCat("SELECT count(*) FROM moderation.cases WHERE status <> 3 AND (status = 1 OR "
                                     "claim_expires_at <= ", SqlTimestampParam(3), ") AND ", QueueFilterSql(1))},
      {kInsertDecision,
       absl::StrCat("INSERT INTO moderation.decisions (decision_id, case_id, target_kind, target_id, subject_user_id, "
                    "action, categories, statement, moderator_id, appeal_id, created_at, appeal_deadline) VALUES "
                    "($1::uuid, $2::uuid, $3, $4, $5, $6, $7::smallint[], decode($8, 'hex'), $9, "
                    "NULLIF($10, '')::uuid, ", SqlTimestampParam(11), ", ", SqlTimestampParam(12), ")")},
      {kGetDecision, absl::StrCat("SELECT ", kDecisionColumns, " FROM moderation.decisions WHERE decision_id = "
                                  "$1::uuid")},
      {kPriorDecisions,
       absl::StrCat("SELECT ", kDecisionColumns, " FROM moderation.decisions WHERE (target_kind = $1 AND target_id = "
                    "$2) OR ($3 <> '' AND subject_user_id = $3) ORDER BY created_at DESC, decision_id DESC LIMIT $4")},
      {kInsertAppeal,
       absl::StrCat("INSERT INTO moderation.appeals (appeal_id, decision_id, appellant_id, text, status, case_id, "
                    "created_at) VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6::uuid, ", SqlTimestampParam(7),
                    ")")},
      {kGetAppeal, absl::StrCat("SELECT ", kAppealColumns, " FROM moderation.appeals WHERE appeal_id = $1::uuid")},
      {kLockAppeal,
       absl::StrCat("SELECT ", kAppealColumns, " FROM moderation.appeals WHERE appeal_id = $1::uuid FOR UPDATE")},
      {kFindAppeal, absl::StrCat("SELECT ", kAppealColumns, " FROM moderation.appeals WHERE decision_id = $1::uuid "
                                 "AND appellant_id = $2::uuid")},
      {kUpdateAppeal,
       absl::StrCat("UPDATE moderation.appeals SET status = $2, outcome_decision_id = NULLIF($3, '')::uuid, "
                    "decided_at = ", SqlNullableTimestampParam(4), " WHERE appeal_id = $1::uuid")},
  };
}

std::optional<ReportRecord> PgCaseQueries::FindOpenReport(const std::string& reporter_id, const TargetRef& target) {
  return First<ReportRecord>(
      txn_.exec_prepared(kFindOpenReport, reporter_id, static_cast<int>(target.kind), target.id), ReportFromRow);
}

int64_t PgCaseQueries::CountReportsSince(const std::string& reporter_id, absl::Time since) {
  return txn_.exec_prepared1(kCountReportsSince, reporter_id, ToMicros(since))[0].as<int64_t>();
}

void PgCaseQueries::InsertReport(const ReportRecord& r) {
  txn_.exec_prepared(kInsertReport, r.report_id, r.reporter_id, static_cast<int>(r.target.kind), r.target.id,
                     static_cast<int>(r.reason), r.details, static_cast<int>(r.status), r.case_id,
                     ToMicros(r.create_time));
}

std::optional<ReportRecord> PgCaseQueries::GetReport(const std::string& report_id) {
  return First<ReportRecord>(txn_.exec_prepared(kGetReport, report_id), ReportFromRow);
}

std::vector<ReportRecord> PgCaseQueries::ListReports(const std::string& reporter_id,
                                                     const std::optional<ReportCursor>& before, int limit) {
  std::vector<ReportRecord> reports;
  const pqxx::result r =
      txn_.exec_prepared(kListReports, reporter_id, before ? ToMicros(before->create_time) : int64_t{0},
                         before ? before->report_id : std::string(kNilUuid), limit);
  for (const pqxx::row& row : r) reports.push_back(ReportFromRow(row));
  return reports;
}

void PgCaseQueries::CloseReports(const std::string& case_id, v1::ReportStatus status, const std::string& decision_id,
                                 absl::Time now) {
  txn_.exec_prepared(kCloseReports, case_id, static_cast<int>(status), decision_id, ToMicros(now));
}

bool PgCaseQueries::HasReportedCase(const std::string& case_id, const std::string& user_id) {
  return txn_.exec_prepared1(kHasReported, case_id, user_id)[0].as<bool>();
}

namespace {

// Runs `name` with a case's columns as $1..$21.
pqxx::result ExecCaseInsert(pqxx::work& txn, const char* name, const CaseRecord& c) {
  return txn.exec_prepared(name, c.case_id, static_cast<int>(c.target.kind), c.target.id, c.subject_user_id,
                           c.recused_user_id, static_cast<int>(c.source), static_cast<int>(c.status),
                           EnumArray(c.categories), c.severity, c.views, c.report_count, c.rank_micros, c.claim_id,
                           c.claim_user_id, NullableMicros(c.claim_expire_time), c.appeal_id, c.prompt, c.text,
                           MessageHex(c.evidence), c.decision_id, ToMicros(c.create_time));
}

}  // namespace

ModerationTx::CaseSlot PgCaseQueries::LockOrInsertUndecidedCase(const CaseRecord& fresh) {
  for (int attempt = 0; attempt < kCaseSlotTries; ++attempt) {
    if (!ExecCaseInsert(txn_, kInsertCaseIfNone, fresh).empty()) return {fresh, true};
    // Another case holds the slot (its inserter committed: ON CONFLICT
    // waited for it). Lock it, unless it was decided meanwhile.
    const pqxx::result r = txn_.exec_prepared(kLockUndecidedCase, static_cast<int>(fresh.target.kind),
                                              fresh.target.id, static_cast<int>(fresh.source));
    if (!r.empty()) return {CaseFromRow(r[0]), false};
  }
  throw std::runtime_error("moderation: the undecided case of a target kept changing");
}

void PgCaseQueries::InsertCase(const CaseRecord& record) { ExecCaseInsert(txn_, kInsertCase, record); }

void PgCaseQueries::UpdateCase(const CaseRecord& c) {
  txn_.exec_prepared(kUpdateCase, c.case_id, static_cast<int>(c.status), EnumArray(c.categories), c.severity,
                     c.views, c.report_count, c.rank_micros, c.claim_id, c.claim_user_id,
                     NullableMicros(c.claim_expire_time), c.prompt, c.text, MessageHex(c.evidence), c.decision_id,
                     ToMicros(c.update_time));
}

std::optional<CaseRecord> PgCaseQueries::GetCase(const std::string& case_id, bool lock) {
  return First<CaseRecord>(txn_.exec_prepared(lock ? kLockCase : kGetCase, case_id), CaseFromRow);
}

std::optional<CaseRecord> PgCaseQueries::LockNextClaimable(const QueueFilter& filter, const std::string& moderator_id,
                                                           absl::Time now) {
  return First<CaseRecord>(txn_.exec_prepared(kLockNextClaimable, EnumArray(filter.sources),
                                              EnumArray(filter.categories), ToMicros(now), moderator_id),
                           CaseFromRow);
}

int64_t PgCaseQueries::CountLiveClaims(const std::string& moderator_id, absl::Time now) {
  return txn_.exec_prepared1(kCountLiveClaims, moderator_id, ToMicros(now))[0].as<int64_t>();
}

std::vector<CaseRecord> PgCaseQueries::ListQueue(const QueueFilter& filter, const std::optional<QueueCursor>& after,
                                                 int limit) {
  std::vector<CaseRecord> cases;
  const pqxx::result r = txn_.exec_prepared(
      kListQueue, EnumArray(filter.sources), EnumArray(filter.categories),
      after ? after->rank_micros : std::numeric_limits<int64_t>::min(),
      after ? after->case_id : std::string(kNilUuid), limit);
  for (const pqxx::row& row : r) cases.push_back(CaseFromRow(row));
  return cases;
}

int64_t PgCaseQueries::CountClaimable(const QueueFilter& filter, absl::Time now) {
  return txn_.exec_prepared1(kCountClaimable, EnumArray(filter.sources), EnumArray(filter.categories), ToMicros(now))
      [0].as<int64_t>();
}

void PgCaseQueries::InsertDecision(const DecisionRecord& d) {
  txn_.exec_prepared(kInsertDecision, d.decision_id, d.case_id, static_cast<int>(d.target.kind), d.target.id,
                     d.subject_user_id, static_cast<int>(d.action), EnumArray(d.categories), MessageHex(d.statement),
                     d.moderator_id, d.appeal_id, ToMicros(d.create_time), ToMicros(d.appeal_deadline));
}

std::optional<DecisionRecord> PgCaseQueries::GetDecision(const std::string& decision_id) {
  return First<DecisionRecord>(txn_.exec_prepared(kGetDecision, decision_id), DecisionFromRow);
}

std::vector<DecisionRecord> PgCaseQueries::PriorDecisions(const TargetRef& target, const std::string& subject_user_id,
                                                          int limit) {
  std::vector<DecisionRecord> decisions;
  const pqxx::result r = txn_.exec_prepared(kPriorDecisions, static_cast<int>(target.kind), target.id,
                                            subject_user_id, limit);
  for (const pqxx::row& row : r) decisions.push_back(DecisionFromRow(row));
  return decisions;
}

void PgCaseQueries::InsertAppeal(const AppealRecord& a) {
  txn_.exec_prepared(kInsertAppeal, a.appeal_id, a.decision_id, a.appellant_id, a.text, static_cast<int>(a.status),
                     a.case_id, ToMicros(a.create_time));
}

std::optional<AppealRecord> PgCaseQueries::GetAppeal(const std::string& appeal_id, bool lock) {
  return First<AppealRecord>(txn_.exec_prepared(lock ? kLockAppeal : kGetAppeal, appeal_id), AppealFromRow);
}

std::optional<AppealRecord> PgCaseQueries::FindAppeal(const std::string& decision_id,
                                                      const std::string& appellant_id) {
  return First<AppealRecord>(txn_.exec_prepared(kFindAppeal, decision_id, appellant_id), AppealFromRow);
}

void PgCaseQueries::UpdateAppeal(const AppealRecord& a) {
  txn_.exec_prepared(kUpdateAppeal, a.appeal_id, static_cast<int>(a.status), a.outcome_decision_id,
                     a.decide_time ? ToMicros(*a.decide_time) : int64_t{0});
}

}  // namespace clipforge::moderation_service
