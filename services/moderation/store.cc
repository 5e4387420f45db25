#include "services/moderation/store.h"

#include <pqxx/pqxx>

#include <limits>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"
#include "services/kit/outbox.h"
#include "services/kit/pg_idempotency.h"
#include "services/kit/pg_time.h"
#include "services/kit/pg_tx_base.h"
#include "services/kit/pg_transaction.h"
#include "services/moderation/bank_queries.h"
#include "services/moderation/case_queries.h"
#include "services/moderation/pg_values.h"

namespace clipforge::moderation_service {
namespace {

using kit::SqlMicros;
using kit::SqlTimestampParam;
using kit::TimeFromMicros;
using kit::ToMicros;

constexpr char kBumpVersion[] = "moderation_bump_version";
constexpr char kPolicyVersion[] = "moderation_policy_version";
constexpr char kCountRules[] = "moderation_count_rules";
constexpr char kInsertRule[] = "moderation_insert_rule";
constexpr char kLockRule[] = "moderation_lock_rule";
constexpr char kUpdateRule[] = "moderation_update_rule";
constexpr char kDeleteRule[] = "moderation_delete_rule";
constexpr char kListRules[] = "moderation_list_rules";
constexpr char kEnabledRules[] = "moderation_enabled_rules";
constexpr char kChangedRules[] = "moderation_changed_rules";
constexpr char kDeletedSince[] = "moderation_deleted_since";
constexpr char kLockAuditHead[] = "moderation_lock_audit_head";
constexpr char kReadAuditHead[] = "moderation_read_audit_head";
constexpr char kInsertAudit[] = "moderation_insert_audit";
constexpr char kMoveAuditHead[] = "moderation_move_audit_head";
constexpr char kListAudit[] = "moderation_list_audit";
constexpr char kScanAudit[] = "moderation_scan_audit";

// Audit entries read per round trip when scanning a range.
constexpr int kAuditScanBatch = 5000;

// Hashes cross the boundary as hex (decode()/encode() in SQL).
const char kAuditColumns[] =
    "sequence, actor_kind, actor_id, actor_roles, action, target_kind, target_id, object_id, details_json, "
    "created_at_micros, encode(prev_hash, 'hex'), encode(entry_hash, 'hex')";
constexpr char kListPolicies[] = "moderation_list_policies";
constexpr char kLockPolicy[] = "moderation_lock_policy";
constexpr char kUpdatePolicy[] = "moderation_update_policy";

const kit::PgIdempotencyLog& Idempotency() {
  static const kit::PgIdempotencyLog log("moderation");
  return log;
}

const std::string kRuleColumns = absl::StrCat(
    "rule_id::text, seq, kind, pattern, category, decision, array_to_string(locales, ','), "
    "array_to_string(surfaces, ','), enabled, description, version, create_user_id::text, ",
    SqlMicros("created_at"), ", ", SqlMicros("updated_at"));

const std::string kPolicyColumns = absl::StrCat(
    "category, max_automatic_decision, media_match_decision, queue_priority, terms_clause, description, version, ",
    SqlMicros("updated_at"));

RuleRecord RuleFromRow(const pqxx::row& r) {
  RuleRecord rule;
  rule.rule_id = r[0].as<std::string>();
  rule.seq = r[1].as<int64_t>();
  rule.kind = static_cast<v1::RuleKind>(r[2].as<int>());
  rule.pattern = r[3].as<std::string>();
  rule.category = static_cast<v1::ModerationCategory>(r[4].as<int>());
  rule.decision = static_cast<v1::ModerationDecision>(r[5].as<int>());
  const std::string locales = r[6].as<std::string>();
  if (!locales.empty()) rule.locales = absl::StrSplit(locales, ',');
  rule.surfaces = EnumsFrom<v1::TextSurface>(r[7]);
  rule.enabled = r[8].as<bool>();
  rule.description = r[9].as<std::string>();
  rule.version = r[10].as<int64_t>();
  rule.create_user_id = r[11].as<std::string>();
  rule.create_time = TimeFromMicros(r[12]);
  rule.update_time = TimeFromMicros(r[13]);
  return rule;
}

CategoryPolicyRecord PolicyFromRow(const pqxx::row& r) {
  return {.category = static_cast<v1::ModerationCategory>(r[0].as<int>()),
          .max_automatic_decision = static_cast<v1::ModerationDecision>(r[1].as<int>()),
          .media_match_decision = static_cast<v1::ModerationDecision>(r[2].as<int>()),
          .queue_priority = r[3].as<int32_t>(),
          .terms_clause = r[4].as<std::string>(),
          .description = r[5].as<std::string>(),
          .version = r[6].as<int64_t>(),
          .update_time = TimeFromMicros(r[7])};
}

AuditEntryRecord AuditFromRow(const pqxx::row& r) {
  AuditEntryRecord e;
  e.fields = {.sequence = r[0].as<int64_t>(),
              .actor_kind = r[1].as<int32_t>(),
              .actor_id = r[2].as<std::string>(),
              .actor_roles = r[3].as<uint32_t>(),
              .action = r[4].as<std::string>(),
              .target_kind = r[5].as<int32_t>(),
              .target_id = r[6].as<std::string>(),
              .object_id = r[7].as<std::string>(),
              .details_json = r[8].as<std::string>(),
              .create_micros = r[9].as<int64_t>()};
  e.prev_hash = Unhex(r[10]);
  e.entry_hash = Unhex(r[11]);
  return e;
}

AuditHead HeadFromRow(const pqxx::row& r) { return {r[0].as<int64_t>(), Unhex(r[1])}; }

// Locales are validated BCP-47 tags (letters, digits, '-'), so a plain
// array literal is unambiguous.
std::string LocalesLiteral(const std::vector<std::string>& locales) {
  return absl::StrCat("{", absl::StrJoin(locales, ","), "}");
}

class PgModerationTx final : public kit::PgTxBase<ModerationTx> {
 public:
  explicit PgModerationTx(pqxx::work& txn) : PgTxBase(txn, Idempotency()), cases_(txn), banks_(txn) {}

  int64_t BumpPolicyVersion() override { return txn_.exec_prepared1(kBumpVersion)[0].as<int64_t>(); }
  int64_t CountRules() override { return txn_.exec_prepared1(kCountRules)[0].as<int64_t>(); }
  void InsertRule(RuleRecord& rule) override {
    rule.seq = txn_.exec_prepared1(kInsertRule, rule.rule_id, static_cast<int>(rule.kind), rule.pattern,
                                   static_cast<int>(rule.category), static_cast<int>(rule.decision),
                                   LocalesLiteral(rule.locales), EnumArray(rule.surfaces), rule.enabled,
                                   rule.description, rule.version, rule.create_user_id, ToMicros(rule.create_time))
                   [0].as<int64_t>();
  }
  std::optional<RuleRecord> LockRule(const std::string& rule_id) override {
    const pqxx::result r = txn_.exec_prepared(kLockRule, rule_id);
    if (r.empty()) return std::nullopt;
    return RuleFromRow(r[0]);
  }
  void UpdateRule(const RuleRecord& rule) override {
    txn_.exec_prepared(kUpdateRule, rule.rule_id, static_cast<int>(rule.kind), rule.pattern,
                       static_cast<int>(rule.category), static_cast<int>(rule.decision), LocalesLiteral(rule.locales),
                       EnumArray(rule.surfaces), rule.enabled, rule.description, rule.version,
                       ToMicros(rule.update_time));
  }
  void DeleteRule(const std::string& rule_id, int64_t version) override {
    txn_.exec_prepared(kDeleteRule, rule_id, version);
  }
  std::vector<RuleRecord> ListRules(v1::ModerationCategory category, int64_t after_seq, int limit) override {
    std::vector<RuleRecord> rules;
    for (const pqxx::row& row : txn_.exec_prepared(kListRules, static_cast<int>(category), after_seq, limit)) {
      rules.push_back(RuleFromRow(row));
    }
    return rules;
  }

  std::vector<CategoryPolicyRecord> ListPolicies() override {
    std::vector<CategoryPolicyRecord> policies;
    for (const pqxx::row& row : txn_.exec_prepared(kListPolicies)) policies.push_back(PolicyFromRow(row));
    return policies;
  }
  std::optional<CategoryPolicyRecord> LockPolicy(v1::ModerationCategory category) override {
    const pqxx::result r = txn_.exec_prepared(kLockPolicy, static_cast<int>(category));
    if (r.empty()) return std::nullopt;
    return PolicyFromRow(r[0]);
  }
  void UpdatePolicy(const CategoryPolicyRecord& p) override {
    txn_.exec_prepared(kUpdatePolicy, static_cast<int>(p.category), static_cast<int>(p.max_automatic_decision),
                       static_cast<int>(p.media_match_decision), p.queue_priority, p.terms_clause, p.description,
                       p.version, ToMicros(p.update_time));
  }

  AuditHead LockAuditHead() override { return HeadFromRow(txn_.exec_prepared1(kLockAuditHead)); }
  void AppendAuditEntry(const AuditEntryRecord& e) override {
    const moderation::AuditFields& f = e.fields;
    txn_.exec_prepared(kInsertAudit, f.sequence, f.actor_kind, f.actor_id, f.actor_roles, f.action, f.target_kind,
                       f.target_id, f.object_id, f.details_json, f.create_micros, absl::BytesToHexString(e.prev_hash),
                       absl::BytesToHexString(e.entry_hash));
    txn_.exec_prepared(kMoveAuditHead, f.sequence, absl::BytesToHexString(e.entry_hash));
  }
  std::vector<AuditEntryRecord> ListAudit(const AuditFilter& filter, int limit) override {
    std::vector<AuditEntryRecord> entries;
    const pqxx::result r = txn_.exec_prepared(
        kListAudit, filter.from_sequence, filter.actor_id, filter.target_kind, filter.target_id,
        filter.from_micros.value_or(std::numeric_limits<int64_t>::min()),
        filter.until_micros.value_or(std::numeric_limits<int64_t>::max()), limit);
    for (const pqxx::row& row : r) entries.push_back(AuditFromRow(row));
    return entries;
  }

  // Reports, cases, decisions and appeals: case_queries.h.
  std::optional<ReportRecord> FindOpenReport(const std::string& reporter_id, const TargetRef& target) override {
    return cases_.FindOpenReport(reporter_id, target);
  }
  int64_t CountReportsSince(const std::string& reporter_id, absl::Time since) override {
    return cases_.CountReportsSince(reporter_id, since);
  }
  void InsertReport(const ReportRecord& report) override { cases_.InsertReport(report); }
  std::optional<ReportRecord> GetReport(const std::string& report_id) override { return cases_.GetReport(report_id); }
  std::vector<ReportRecord> ListReports(const std::string& reporter_id, const std::optional<ReportCursor>& before,
                                        int limit) override {
    return cases_.ListReports(reporter_id, before, limit);
  }
  void CloseReports(const std::string& case_id, v1::ReportStatus status, const std::string& decision_id,
                    absl::Time now) override {
    cases_.CloseReports(case_id, status, decision_id, now);
  }
  bool HasReportedCase(const std::string& case_id, const std::string& user_id) override {
    return cases_.HasReportedCase(case_id, user_id);
  }
  CaseSlot LockOrInsertUndecidedCase(const CaseRecord& fresh) override {
    return cases_.LockOrInsertUndecidedCase(fresh);
  }
  void InsertCase(const CaseRecord& record) override { cases_.InsertCase(record); }
  void UpdateCase(const CaseRecord& record) override { cases_.UpdateCase(record); }
  std::optional<CaseRecord> GetCase(const std::string& case_id, bool lock) override {
    return cases_.GetCase(case_id, lock);
  }
  std::optional<CaseRecord> LockNextClaimable(const QueueFilter& filter, const std::string& moderator_id,
                                              absl::Time now) override {
    return cases_.LockNextClaimable(filter, moderator_id, now);
  }
  int64_t CountLiveClaims(const std::string& moderator_id, absl::Time now) override {
    return cases_.CountLiveClaims(moderator_id, now);
  }
  std::vector<CaseRecord> ListQueue(const QueueFilter& filter, const std::optional<QueueCursor>& after,
                                    int limit) override {
    return cases_.ListQueue(filter, after, limit);
  }
  int64_t CountClaimable(const QueueFilter& filter, absl::Time now) override {
    return cases_.CountClaimable(filter, now);
  }
  void InsertDecision(const DecisionRecord& decision) override { cases_.InsertDecision(decision); }
  std::optional<DecisionRecord> GetDecision(const std::string& decision_id) override {
    return cases_.GetDecision(decision_id);
  }
  std::vector<DecisionRecord> PriorDecisions(const TargetRef& target, const std::string& subject_user_id,
                                             int limit) override {
    return cases_.PriorDecisions(target, subject_user_id, limit);
  }
  void InsertAppeal(const AppealRecord& appeal) override { cases_.InsertAppeal(appeal); }
  std::optional<AppealRecord> GetAppeal(const std::string& appeal_id, bool lock) override {
    return cases_.GetAppeal(appeal_id, lock);
  }
  std::optional<AppealRecord> FindAppeal(const std::string& decision_id, const std::string& appellant_id) override {
    return cases_.FindAppeal(decision_id, appellant_id);
  }
  void UpdateAppeal(const AppealRecord& appeal) override { cases_.UpdateAppeal(appeal); }

  // Hash banks and the allow-list: bank_queries.h.
  int64_t BumpBanksVersion() override { return banks_.BumpBanksVersion(); }
  int64_t CountBankEntries() override { return banks_.CountBankEntries(); }
  bool InsertBank(HashBankRecord& bank) override { return banks_.InsertBank(bank); }
  std::optional<HashBankRecord> LockBank(const std::string& bank_id) override { return banks_.LockBank(bank_id); }
  bool UpdateBank(const HashBankRecord& bank) override { return banks_.UpdateBank(bank); }
  std::vector<HashBankRecord> ListBanks(const std::string& after_name, int limit) override {
    return banks_.ListBanks(after_name, limit);
  }
  int64_t InsertBankEntries(const std::string& bank_id, const std::vector<BankEntryInput>& entries,
                            absl::Time now) override {
    return banks_.InsertBankEntries(bank_id, entries, now);
  }
  void InsertAllowListEntry(const AllowListRecord& entry) override { banks_.InsertAllowListEntry(entry); }
  std::optional<AllowListRecord> DeleteAllowListEntry(const std::string& entry_id) override {
    return banks_.DeleteAllowListEntry(entry_id);
  }
  int64_t CountAllowListEntries() override { return banks_.CountAllowListEntries(); }
  std::vector<AllowListRecord> ListAllowList(const std::string& bank_id, const std::optional<AllowListCursor>& before,
                                             int limit) override {
    return banks_.ListAllowList(bank_id, before, limit);
  }

 private:
  PgCaseQueries cases_;
  PgBankQueries banks_;
};

}  // namespace

std::vector<kit::PreparedStatement> PgModerationStore::Statements() {
  std::vector<kit::PreparedStatement> statements = {
      {kBumpVersion, "UPDATE moderation.policy_state SET version = version + 1 RETURNING version"},
      {kPolicyVersion, "SELECT version FROM moderation.policy_state"},
      {kCountRules, "SELECT count(*) FROM moderation.rules"},
      {kInsertRule,
       absl::StrCat("INSERT INTO moderation.rules (rule_id, kind, pattern, category, decision, locales, surfaces, "
                    "enabled, description, version, create_user_id, created_at, updated_at) VALUES ($1::uuid, $2, "
                    "$3, $4, $5, $6::text[], $7::smallint[], $8, $9, $10, $11::uuid, ",
                    SqlTimestampParam(12), ", ", SqlTimestampParam(12), ") RETURNING seq")},
      {kLockRule, absl::StrCat("SELECT ", kRuleColumns, " FROM moderation.rules WHERE rule_id = $1::uuid FOR UPDATE")},
      {kUpdateRule,
       absl::StrCat("UPDATE moderation.rules SET kind = $2, pattern = $3, category = $4, decision = $5, "
                    "locales = $6::text[], surfaces = $7::smallint[], enabled = $8, description = $9, version = $10, "
                    "updated_at = ", SqlTimestampParam(11), " WHERE rule_id = $1::uuid")},
      {kDeleteRule,
       "WITH gone AS (DELETE FROM moderation.rules WHERE rule_id = $1::uuid RETURNING seq) "
       "INSERT INTO moderation.deleted_rules (seq, version) SELECT seq, $2 FROM gone"},
      {kChangedRules, absl::StrCat("SELECT ", kRuleColumns, " FROM moderation.rules WHERE version > $1 ORDER BY seq")},
      {kDeletedSince, "SELECT seq FROM moderation.deleted_rules WHERE version > $1 ORDER BY seq"},
      {kLockAuditHead, "SELECT sequence, encode(hash, 'hex') FROM moderation.audit_head FOR UPDATE"},
      {kReadAuditHead, "SELECT sequence, encode(hash, 'hex') FROM moderation.audit_head"},
      {kInsertAudit,
       "INSERT INTO moderation.audit_log (sequence, actor_kind, actor_id, actor_roles, action, target_kind, target_id, "
       "object_id, details_json, created_at_micros, prev_hash, entry_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
       "$9, $10, decode($11, 'hex'), decode($12, 'hex'))"},
      {kMoveAuditHead, "UPDATE moderation.audit_head SET sequence = $1, hash = decode($2, 'hex')"},
      {kListAudit,
       absl::StrCat("SELECT ", kAuditColumns, " FROM moderation.audit_log WHERE sequence >= $1 "
                    "AND ($2 = '' OR actor_id = $2) AND ($3::smallint = 0 OR (target_kind = $3 AND target_id = $4)) "
                    "AND created_at_micros >= $5 AND created_at_micros < $6 ORDER BY sequence LIMIT $7")},
      {kScanAudit, absl::StrCat("SELECT ", kAuditColumns, " FROM moderation.audit_log WHERE sequence BETWEEN $1 AND $2 "
                                "ORDER BY sequence LIMIT $3")},
      {kListRules, absl::StrCat("SELECT ", kRuleColumns, " FROM moderation.rules WHERE ($1::smallint = 0 OR "
                                "category = $1) AND seq > $2 ORDER BY seq LIMIT $3")},
      {kEnabledRules, absl::StrCat("SELECT ", kRuleColumns, " FROM moderation.rules WHERE enabled ORDER BY seq")},
      {kListPolicies, absl::StrCat("SELECT ", kPolicyColumns, " FROM moderation.category_policies ORDER BY category")},
      {kLockPolicy,
       absl::StrCat("SELECT ", kPolicyColumns, " FROM moderation.category_policies WHERE category = $1 FOR UPDATE")},
      {kUpdatePolicy,
       absl::StrCat("UPDATE moderation.category_policies SET max_automatic_decision = $2, media_match_decision = $3, "
                    "queue_priority = $4, terms_clause = $5, description = $6, version = $7, updated_at = ",
                    SqlTimestampParam(8), " WHERE category = $1")},
  };
  for (kit::PreparedStatement& s : PgCaseQueries::Statements()) statements.push_back(std::move(s));
  for (kit::PreparedStatement& s : PgBankQueries::Statements()) statements.push_back(std::move(s));
  for (kit::PreparedStatement& s : Idempotency().Statements()) statements.push_back(std::move(s));
  statements.push_back(kit::OutboxWriter::Statement());
  return statements;
}

absl::Status PgModerationStore::Transact(TxMode mode, absl::FunctionRef<absl::Status(ModerationTx&)> work) {
  const kit::TxnOptions options{.read_only = mode == TxMode::kReadOnly};
  return kit::RunInTransaction(pool_, options, [&](pqxx::work& txn) {
    PgModerationTx tx(txn);
    return work(tx);
  });
}

absl::StatusOr<int64_t> PgModerationStore::PolicyVersion() {
  int64_t version = 0;
  CF_RETURN_IF_ERROR(kit::RunAutocommit(pool_, [&](pqxx::transaction_base& read) {
    version = read.exec_prepared1(kPolicyVersion)[0].as<int64_t>();
    return absl::OkStatus();
  }));
  return version;
}

absl::StatusOr<PolicySnapshot> PgModerationStore::LoadPolicy() {
  PolicySnapshot snapshot;
  // One snapshot: the version, the rules and the caps agree.
  const kit::TxnOptions options{.isolation = kit::Isolation::kRepeatableRead, .read_only = true};
  CF_RETURN_IF_ERROR(kit::RunInTransaction(pool_, options, [&](pqxx::work& txn) {
    snapshot = PolicySnapshot{};
    snapshot.version = txn.exec_prepared1(kPolicyVersion)[0].as<int64_t>();
    for (const pqxx::row& row : txn.exec_prepared(kEnabledRules)) snapshot.enabled_rules.push_back(RuleFromRow(row));
    for (const pqxx::row& row : txn.exec_prepared(kListPolicies)) snapshot.policies.push_back(PolicyFromRow(row));
    return absl::OkStatus();
  }));
  return snapshot;
}

absl::StatusOr<AuditHead> PgModerationStore::ReadAuditHead() {
  AuditHead head;
  CF_RETURN_IF_ERROR(kit::RunAutocommit(pool_, [&](pqxx::transaction_base& read) {
    head = HeadFromRow(read.exec_prepared1(kReadAuditHead));
    return absl::OkStatus();
  }));
  return head;
}

absl::Status PgModerationStore::ScanAudit(int64_t first, int64_t last,
                                          absl::FunctionRef<void(const AuditEntryRecord&)> visit) {
  // Batch by batch, each its own read: entries never change once written,
  // so separate snapshots see the same rows.
  int64_t next = first;
  while (next <= last) {
    std::vector<AuditEntryRecord> batch;
    CF_RETURN_IF_ERROR(kit::RunAutocommit(pool_, [&](pqxx::transaction_base& read) {
      batch.clear();
      for (const pqxx::row& row : read.exec_prepared(kScanAudit, next, last, kAuditScanBatch)) {
        batch.push_back(AuditFromRow(row));
      }
      return absl::OkStatus();
    }));
    for (const AuditEntryRecord& entry : batch) visit(entry);
    if (static_cast<int>(batch.size()) < kAuditScanBatch) return absl::OkStatus();
    next = batch.back().fields.sequence + 1;
  }
  return absl::OkStatus();
}

absl::StatusOr<PolicyChanges> PgModerationStore::LoadPolicyChanges(int64_t since) {
  PolicyChanges changes;
  const kit::TxnOptions options{.isolation = kit::Isolation::kRepeatableRead, .read_only = true};
  CF_RETURN_IF_ERROR(kit::RunInTransaction(pool_, options, [&](pqxx::work& txn) {
    changes = PolicyChanges{.since = since};
    changes.version = txn.exec_prepared1(kPolicyVersion)[0].as<int64_t>();
    for (const pqxx::row& row : txn.exec_prepared(kChangedRules, since)) changes.changed_rules.push_back(RuleFromRow(row));
    for (const pqxx::row& row : txn.exec_prepared(kDeletedSince, since)) changes.deleted_seqs.push_back(row[0].as<int64_t>());
    for (const pqxx::row& row : txn.exec_prepared(kListPolicies)) changes.policies.push_back(PolicyFromRow(row));
    return absl::OkStatus();
  }));
  return changes;
}

absl::StatusOr<int64_t> PgModerationStore::BanksVersion() {
  int64_t version = 0;
  CF_RETURN_IF_ERROR(kit::RunAutocommit(pool_, [&](pqxx::transaction_base& read) {
    version = PgBankQueries(read).BanksVersion();
    return absl::OkStatus();
  }));
  return version;
}

absl::StatusOr<BankSnapshot> PgModerationStore::LoadBanks() {
  BankSnapshot snapshot;
  // One snapshot: the version, banks, entries and allow-list agree.
  const kit::TxnOptions options{.isolation = kit::Isolation::kRepeatableRead, .read_only = true};
  CF_RETURN_IF_ERROR(kit::RunInTransaction(pool_, options, [&](pqxx::work& txn) {
    snapshot = BankSnapshot{};
    PgBankQueries(txn).LoadInto(snapshot);
    for (const pqxx::row& row : txn.exec_prepared(kListPolicies)) snapshot.policies.push_back(PolicyFromRow(row));
    return absl::OkStatus();
  }));
  return snapshot;
}

}  // namespace clipforge::moderation_service
