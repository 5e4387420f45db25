// What the moderation logic needs from storage, as interfaces:
// PgModerationStore (store.h) implements them over Postgres, the unit
// tests' fake in memory.
//
// ModerationTx is one transaction: a rule change, the policy version bump,
// its idempotency record and its event commit together or not at all. Its
// methods report failure by throwing (the Postgres store's driver
// exceptions, which Transact maps to a status); logic never catches them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clipforge/v1/common.pb.h"
#include "clipforge/v1/events.pb.h"
#include "clipforge/v1/moderation.pb.h"
#include "moderation/audit_chain.h"
#include "services/moderation/bank_records.h"
#include "services/moderation/case_records.h"
#include "services/kit/idempotency.h"

namespace clipforge::moderation_service {

// A prompt rule as stored (the fields of v1::Rule).
struct RuleRecord {
  std::string rule_id;
  int64_t seq = 0;  // Its number inside a compiled policy; assigned by the store.
  v1::RuleKind kind = v1::RULE_KIND_UNSPECIFIED;
  std::string pattern;
  v1::ModerationCategory category = v1::MODERATION_CATEGORY_UNSPECIFIED;
  v1::ModerationDecision decision = v1::MODERATION_DECISION_UNSPECIFIED;
  std::vector<std::string> locales;
  std::vector<v1::TextSurface> surfaces;
  bool enabled = true;
  std::string description;
  int64_t version = 0;  // The policy version of its last change.
  std::string create_user_id;
  absl::Time create_time;
  absl::Time update_time;
};

// What ClipForge does with one category (the fields of v1::CategoryPolicy).
struct CategoryPolicyRecord {
  v1::ModerationCategory category = v1::MODERATION_CATEGORY_UNSPECIFIED;
  v1::ModerationDecision max_automatic_decision = v1::MODERATION_DECISION_BLOCK;
  v1::ModerationDecision media_match_decision = v1::MODERATION_DECISION_REVIEW;
  int32_t queue_priority = 0;
  std::string terms_clause;
  std::string description;
  int64_t version = 0;
  absl::Time update_time;
};

// Everything a compiled policy is made of, read in one snapshot.
struct PolicySnapshot {
  int64_t version = 0;
  std::vector<RuleRecord> enabled_rules;  // In seq order.
  std::vector<CategoryPolicyRecord> policies;
};

// What changed since version `since` (an instance's last full compile).
struct PolicyChanges {
  int64_t version = 0;
  int64_t since = 0;
  std::vector<RuleRecord> changed_rules;  // Changed or created after `since`, enabled or not; seq order.
  std::vector<int64_t> deleted_seqs;      // Deleted after `since`.
  std::vector<CategoryPolicyRecord> policies;  // All of them (13 rows).
};

// Everything the media filter matches with, read in one snapshot.
struct BankSnapshot {
  int64_t version = 0;
  std::vector<HashBankRecord> banks;      // Enabled ones.
  std::vector<BankEntryRecord> entries;   // Of enabled banks.
  std::vector<AllowListRecord> allow_list;
  std::vector<CategoryPolicyRecord> policies;
};

// One stored audit log entry.
struct AuditEntryRecord {
  moderation::AuditFields fields;
  std::string prev_hash;   // 32 bytes.
  std::string entry_hash;  // 32 bytes.
};

// The chain's last entry (sequence 0 and GenesisHash() when empty).
struct AuditHead {
  int64_t sequence = 0;
  std::string hash;
};

// Which audit entries ListAudit returns (each filter optional).
struct AuditFilter {
  int64_t from_sequence = 1;
  std::string actor_id;  // Empty: any.
  int32_t target_kind = 0;
  std::string target_id;
  std::optional<int64_t> from_micros;   // At or after.
  std::optional<int64_t> until_micros;  // Before.
};

class ModerationTx : public kit::IdempotencyLog {
 public:
  // Locks the policy version row (so changes serialize), bumps it and
  // returns the new version.
  virtual int64_t BumpPolicyVersion() = 0;
  virtual int64_t CountRules() = 0;
  // Stores `rule` and sets its seq.
  virtual void InsertRule(RuleRecord& rule) = 0;
  // Also locks the rule's row until the transaction ends.
  virtual std::optional<RuleRecord> LockRule(const std::string& rule_id) = 0;
  virtual void UpdateRule(const RuleRecord& rule) = 0;
  // Deletes the rule and leaves a tombstone of its seq at `version`.
  virtual void DeleteRule(const std::string& rule_id, int64_t version) = 0;
  // Up to `limit` rules with seq > after_seq, in seq order; only `category`
  // unless it is UNSPECIFIED.
  virtual std::vector<RuleRecord> ListRules(v1::ModerationCategory category, int64_t after_seq, int limit) = 0;

  // Every category's policy, in category order.
  virtual std::vector<CategoryPolicyRecord> ListPolicies() = 0;
  // Also locks the policy's row until the transaction ends.
  virtual std::optional<CategoryPolicyRecord> LockPolicy(v1::ModerationCategory category) = 0;
  virtual void UpdatePolicy(const CategoryPolicyRecord& policy) = 0;

  // Locks the audit chain's head until the transaction ends.
  virtual AuditHead LockAuditHead() = 0;
  // Stores the entry and makes it the head.
  virtual void AppendAuditEntry(const AuditEntryRecord& entry) = 0;
  // Up to `limit` entries matching `filter`, ascending sequence.
  virtual std::vector<AuditEntryRecord> ListAudit(const AuditFilter& filter, int limit) = 0;

  // --- Reports ---
  // The reporter's open report on `target`, if any.
  virtual std::optional<ReportRecord> FindOpenReport(const std::string& reporter_id, const TargetRef& target) = 0;
  virtual int64_t CountReportsSince(const std::string& reporter_id, absl::Time since) = 0;
  // Stores `report` (the caller holds its case's lock, so no concurrent
  // report on the target can race it).
  virtual void InsertReport(const ReportRecord& report) = 0;
  virtual std::optional<ReportRecord> GetReport(const std::string& report_id) = 0;
  // Up to `limit` of the reporter's reports older than `before` (none:
  // from the newest), newest first.
  virtual std::vector<ReportRecord> ListReports(const std::string& reporter_id,
                                                const std::optional<ReportCursor>& before, int limit) = 0;
  // Every open report of the case takes `status` and the decision.
  virtual void CloseReports(const std::string& case_id, v1::ReportStatus status, const std::string& decision_id,
                            absl::Time now) = 0;
  // Whether `user_id` filed a report merged into the case.
  virtual bool HasReportedCase(const std::string& case_id, const std::string& user_id) = 0;

  // --- Review cases ---
  // The undecided case of fresh's target and source, locked; when there is
  // none, stores `fresh` and returns it (inserted = true).
  struct CaseSlot {
    CaseRecord record;
    bool inserted = false;
  };
  virtual CaseSlot LockOrInsertUndecidedCase(const CaseRecord& fresh) = 0;
  // Stores a case that has no undecided twin (an appeal's).
  virtual void InsertCase(const CaseRecord& record) = 0;
  // Writes every mutable field (status, signals, rank, claim, decision).
  virtual void UpdateCase(const CaseRecord& record) = 0;
  // With `lock`, the row stays locked until the transaction ends.
  virtual std::optional<CaseRecord> GetCase(const std::string& case_id, bool lock) = 0;
  // The first case in queue order that is undecided, not held by a live
  // claim at `now`, and neither about `moderator_id` nor recusing them,
  // locked; cases other transactions hold locked are skipped, so
  // concurrent claims never wait for or take the same case.
  virtual std::optional<CaseRecord> LockNextClaimable(const QueueFilter& filter, const std::string& moderator_id,
                                                      absl::Time now) = 0;
  // Live claims `moderator_id` holds at `now`.
  virtual int64_t CountLiveClaims(const std::string& moderator_id, absl::Time now) = 0;
  // Up to `limit` undecided cases after `after` (none: from the front), in
  // queue order.
  virtual std::vector<CaseRecord> ListQueue(const QueueFilter& filter, const std::optional<QueueCursor>& after,
                                            int limit) = 0;
  virtual int64_t CountClaimable(const QueueFilter& filter, absl::Time now) = 0;

  // --- Decisions ---
  virtual void InsertDecision(const DecisionRecord& decision) = 0;
  virtual std::optional<DecisionRecord> GetDecision(const std::string& decision_id) = 0;
  // Decisions on `target`, or on anything of `subject_user_id` (when not
  // empty), newest first.
  virtual std::vector<DecisionRecord> PriorDecisions(const TargetRef& target, const std::string& subject_user_id,
                                                     int limit) = 0;

  // --- Appeals ---
  virtual void InsertAppeal(const AppealRecord& appeal) = 0;
  virtual std::optional<AppealRecord> GetAppeal(const std::string& appeal_id, bool lock) = 0;
  virtual std::optional<AppealRecord> FindAppeal(const std::string& decision_id, const std::string& appellant_id) = 0;
  virtual void UpdateAppeal(const AppealRecord& appeal) = 0;

  // --- Hash banks and the allow-list ---
  // Locks the banks version row (bank changes serialize), bumps it and
  // returns the new version.
  virtual int64_t BumpBanksVersion() = 0;
  // Entries over all banks.
  virtual int64_t CountBankEntries() = 0;
  // Stores `bank` and sets its seq; false when its name is taken.
  virtual bool InsertBank(HashBankRecord& bank) = 0;
  // Also locks the bank's row until the transaction ends.
  virtual std::optional<HashBankRecord> LockBank(const std::string& bank_id) = 0;
  // False when the new name is taken.
  virtual bool UpdateBank(const HashBankRecord& bank) = 0;
  // Up to `limit` banks with names after `after_name`, by name.
  virtual std::vector<HashBankRecord> ListBanks(const std::string& after_name, int limit) = 0;
  // Stores the entries not in the bank yet; returns how many were new.
  virtual int64_t InsertBankEntries(const std::string& bank_id, const std::vector<BankEntryInput>& entries,
                                    absl::Time now) = 0;
  virtual void InsertAllowListEntry(const AllowListRecord& entry) = 0;
  // Removes the entry and returns it; nullopt when there is none.
  virtual std::optional<AllowListRecord> DeleteAllowListEntry(const std::string& entry_id) = 0;
  virtual int64_t CountAllowListEntries() = 0;
  // Newest first, after `before`; only `bank_id`'s own entries unless it
  // is empty.
  virtual std::vector<AllowListRecord> ListAllowList(const std::string& bank_id,
                                                     const std::optional<AllowListCursor>& before, int limit) = 0;

  // Appends an event to the outbox: published if and only if the
  // transaction commits.
  virtual absl::Status AppendEvent(const v1::EventEnvelope& event) = 0;
};

enum class TxMode { kReadWrite, kReadOnly };

class ModerationStore {
 public:
  virtual ~ModerationStore() = default;

  // Runs `work` in one transaction and commits when it returns OK. Work may
  // run more than once (transient failures are retried), so it must have no
  // effect outside the transaction.
  virtual absl::Status Transact(TxMode mode, absl::FunctionRef<absl::Status(ModerationTx&)> work) = 0;

  // The current policy version: one cheap read, polled by every instance.
  virtual absl::StatusOr<int64_t> PolicyVersion() = 0;
  // The version with every enabled rule and category policy, from one
  // snapshot.
  virtual absl::StatusOr<PolicySnapshot> LoadPolicy() = 0;
  // What changed after `since`, from one snapshot: far less to read than
  // LoadPolicy when a few rules changed among many.
  virtual absl::StatusOr<PolicyChanges> LoadPolicyChanges(int64_t since) = 0;

  // The audit entries from `first` to `last` (inclusive) in sequence
  // order, read in batches (the range is never held in memory whole);
  // `visit` sees each entry once.
  virtual absl::Status ScanAudit(int64_t first, int64_t last,
                                 absl::FunctionRef<void(const AuditEntryRecord&)> visit) = 0;
  // The chain's head, unlocked.
  virtual absl::StatusOr<AuditHead> ReadAuditHead() = 0;

  // The banks version: one cheap read, polled by every instance.
  virtual absl::StatusOr<int64_t> BanksVersion() = 0;
  // Every enabled bank with its entries, the allow-list and the category
  // policies, from one snapshot.
  virtual absl::StatusOr<BankSnapshot> LoadBanks() = 0;
};

}  // namespace clipforge::moderation_service
