#include "tests/unit/moderation_service/fake_moderation_store.h"

namespace clipforge::moderation_service::testing {
namespace {

class FakeTx final : public ModerationTx {
 public:
  FakeTx(FakeModerationState& s, bool read_only) : s_(s), read_only_(read_only) {}

  int64_t BumpPolicyVersion() override {
    Write();
    return ++s_.version;
  }
  int64_t CountRules() override { return static_cast<int64_t>(s_.rules.size()); }
  void InsertRule(RuleRecord& rule) override {
    Write();
    rule.seq = s_.next_seq++;
    s_.rules[rule.rule_id] = rule;
  }
  std::optional<RuleRecord> LockRule(const std::string& rule_id) override {
    const auto it = s_.rules.find(rule_id);
    if (it == s_.rules.end()) return std::nullopt;
    return it->second;
  }
  void UpdateRule(const RuleRecord& rule) override {
    Write();
    s_.rules[rule.rule_id] = rule;
  }
  void DeleteRule(const std::string& rule_id, int64_t version) override {
    Write();
    const auto it = s_.rules.find(rule_id);
    if (it == s_.rules.end()) return;
    s_.deleted[it->second.seq] = version;
    s_.rules.erase(it);
  }
  std::vector<RuleRecord> ListRules(v1::ModerationCategory category, int64_t after_seq, int limit) override {
    std::map<int64_t, RuleRecord> by_seq;
    for (const auto& [id, rule] : s_.rules) {
      if ((category == v1::MODERATION_CATEGORY_UNSPECIFIED || rule.category == category) && rule.seq > after_seq) {
        by_seq[rule.seq] = rule;
      }
    }
    std::vector<RuleRecord> out;
    for (const auto& [seq, rule] : by_seq) {
      if (static_cast<int>(out.size()) == limit) break;
      out.push_back(rule);
    }
    return out;
  }
  std::vector<CategoryPolicyRecord> ListPolicies() override {
    std::vector<CategoryPolicyRecord> out;
    for (const auto& [category, policy] : s_.policies) out.push_back(policy);
    return out;
  }
  std::optional<CategoryPolicyRecord> LockPolicy(v1::ModerationCategory category) override {
    const auto it = s_.policies.find(category);
    if (it == s_.policies.end()) return std::nullopt;
    return it->second;
  }
  void UpdatePolicy(const CategoryPolicyRecord& policy) override {
    Write();
    s_.policies[policy.category] = policy;
  }
  AuditHead LockAuditHead() override { return s_.audit_head; }
  void AppendAuditEntry(const AuditEntryRecord& entry) override {
    Write();
    s_.audit.push_back(entry);
    s_.audit_head = {entry.fields.sequence, entry.entry_hash};
  }
  std::vector<AuditEntryRecord> ListAudit(const AuditFilter& filter, int limit) override {
    std::vector<AuditEntryRecord> out;
    for (const AuditEntryRecord& e : s_.audit) {
      if (static_cast<int>(out.size()) == limit) break;
      const moderation::AuditFields& f = e.fields;
      if (f.sequence < filter.from_sequence) continue;
      if (!filter.actor_id.empty() && f.actor_id != filter.actor_id) continue;
      if (filter.target_kind != 0 && (f.target_kind != filter.target_kind || f.target_id != filter.target_id)) continue;
      if (filter.from_micros && f.create_micros < *filter.from_micros) continue;
      if (filter.until_micros && f.create_micros >= *filter.until_micros) continue;
      out.push_back(e);
    }
    return out;
  }
  absl::Status AppendEvent(const v1::EventEnvelope& event) override {
    Write();
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
    s_.idempotency[{key.caller_id, key.request_id}] = {key.method, key.fingerprint, result};
  }

 private:
  void Write() const {
    if (read_only_) throw std::logic_error("write in a read-only transaction");
  }

  FakeModerationState& s_;
  const bool read_only_;
};

}  // namespace

FakeModerationStore::FakeModerationStore() {
  for (int c = 1; c < v1::ModerationCategory_ARRAYSIZE; ++c) {
    const auto category = static_cast<v1::ModerationCategory>(c);
    state_.policies[c] = {.category = category, .queue_priority = 10 * (c % 10), .version = 1};
  }
}

absl::Status FakeModerationStore::Transact(TxMode mode, absl::FunctionRef<absl::Status(ModerationTx&)> work) {
  absl::MutexLock lock(&mu_);
  FakeModerationState copy = state_;
  FakeTx tx(copy, mode == TxMode::kReadOnly);
  absl::Status status;
  try {
    status = work(tx);
  } catch (const std::logic_error& e) {
    return absl::InternalError(e.what());
  }
  if (status.ok()) state_ = std::move(copy);
  return status;
}

absl::StatusOr<int64_t> FakeModerationStore::PolicyVersion() {
  absl::MutexLock lock(&mu_);
  return state_.version;
}

absl::StatusOr<PolicySnapshot> FakeModerationStore::LoadPolicy() {
  absl::MutexLock lock(&mu_);
  ++loads_;
  PolicySnapshot snapshot{.version = state_.version};
  std::map<int64_t, RuleRecord> by_seq;
  for (const auto& [id, rule] : state_.rules) {
    if (rule.enabled) by_seq[rule.seq] = rule;
  }
  for (auto& [seq, rule] : by_seq) snapshot.enabled_rules.push_back(rule);
  for (const auto& [category, policy] : state_.policies) snapshot.policies.push_back(policy);
  return snapshot;
}

absl::StatusOr<PolicyChanges> FakeModerationStore::LoadPolicyChanges(int64_t since) {
  absl::MutexLock lock(&mu_);
  ++loads_;
  PolicyChanges changes{.version = state_.version, .since = since};
  std::map<int64_t, RuleRecord> by_seq;
  for (const auto& [id, rule] : state_.rules) {
    if (rule.version > since) by_seq[rule.seq] = rule;
  }
  for (auto& [seq, rule] : by_seq) changes.changed_rules.push_back(rule);
  for (const auto& [seq, version] : state_.deleted) {
    if (version > since) changes.deleted_seqs.push_back(seq);
  }
  for (const auto& [category, policy] : state_.policies) changes.policies.push_back(policy);
  return changes;
}

absl::Status FakeModerationStore::ScanAudit(int64_t first, int64_t last,
                                            absl::FunctionRef<void(const AuditEntryRecord&)> visit) {
  std::vector<AuditEntryRecord> range;
  {
    absl::MutexLock lock(&mu_);
    for (const AuditEntryRecord& e : state_.audit) {
      if (e.fields.sequence >= first && e.fields.sequence <= last) range.push_back(e);
    }
  }
  for (const AuditEntryRecord& e : range) visit(e);
  return absl::OkStatus();
}

absl::StatusOr<AuditHead> FakeModerationStore::ReadAuditHead() {
  absl::MutexLock lock(&mu_);
  return state_.audit_head;
}

FakeModerationState FakeModerationStore::state() const {
  absl::MutexLock lock(&mu_);
  return state_;
}

void FakeModerationStore::set_state(FakeModerationState state) {
  absl::MutexLock lock(&mu_);
  state_ = std::move(state);
}

int FakeModerationStore::loads() const {
  absl::MutexLock lock(&mu_);
  return loads_;
}

}  // namespace clipforge::moderation_service::testing
