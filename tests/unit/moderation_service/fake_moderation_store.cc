#include "tests/unit/moderation_service/fake_moderation_store.h"

#include <algorithm>
#include <set>
#include <stdexcept>
#include <tuple>

#include "base/status_macros.h"
#include "tests/support/fake_outbox.h"

namespace clipforge::moderation_service::testing {
namespace {

template <typename T>
bool Contains(const std::vector<T>& values, T value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

bool Matches(const QueueFilter& filter, const CaseRecord& c) {
  if (!filter.sources.empty() && !Contains(filter.sources, c.source)) return false;
  if (filter.categories.empty()) return true;
  for (v1::ModerationCategory category : c.categories) {
    if (Contains(filter.categories, category)) return true;
  }
  return false;
}

bool Claimable(const CaseRecord& c, absl::Time now) {
  return c.status == v1::CASE_STATUS_OPEN || (c.status == v1::CASE_STATUS_CLAIMED && c.claim_expire_time <= now);
}

template <typename Map>
std::optional<typename Map::mapped_type> Find(const Map& map, const std::string& key) {
  const auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  return it->second;
}

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
    CF_RETURN_IF_ERROR(clipforge::testing::CheckOutboxEnvelope(event));
    s_.events.push_back(event);
    return absl::OkStatus();
  }
  std::optional<ReportRecord> FindOpenReport(const std::string& reporter_id, const TargetRef& target) override {
    for (const auto& [id, r] : s_.reports) {
      if (r.reporter_id == reporter_id && r.target == target && r.status == v1::REPORT_STATUS_OPEN) return r;
    }
    return std::nullopt;
  }
  int64_t CountReportsSince(const std::string& reporter_id, absl::Time since) override {
    int64_t n = 0;
    for (const auto& [id, r] : s_.reports) n += r.reporter_id == reporter_id && r.create_time >= since;
    return n;
  }
  void InsertReport(const ReportRecord& report) override {
    Write();
    s_.reports[report.report_id] = report;
  }
  std::optional<ReportRecord> GetReport(const std::string& report_id) override { return Find(s_.reports, report_id); }
  std::vector<ReportRecord> ListReports(const std::string& reporter_id, const std::optional<ReportCursor>& before,
                                        int limit) override {
    std::vector<ReportRecord> mine;
    for (const auto& [id, r] : s_.reports) {
      const bool older = !before || r.create_time < before->create_time ||
                         (r.create_time == before->create_time && r.report_id < before->report_id);
      if (r.reporter_id == reporter_id && older) mine.push_back(r);
    }
    std::sort(mine.begin(), mine.end(), [](const ReportRecord& a, const ReportRecord& b) {
      return std::tie(a.create_time, a.report_id) > std::tie(b.create_time, b.report_id);
    });
    if (static_cast<int>(mine.size()) > limit) mine.resize(static_cast<size_t>(limit));
    return mine;
  }
  void CloseReports(const std::string& case_id, v1::ReportStatus status, const std::string& decision_id,
                    absl::Time now) override {
    Write();
    for (auto& [id, r] : s_.reports) {
      if (r.case_id != case_id || r.status != v1::REPORT_STATUS_OPEN) continue;
      r.status = status;
      r.decision_id = decision_id;
      r.update_time = now;
    }
  }
  bool HasReportedCase(const std::string& case_id, const std::string& user_id) override {
    for (const auto& [id, r] : s_.reports) {
      if (r.case_id == case_id && r.reporter_id == user_id) return true;
    }
    return false;
  }
  CaseSlot LockOrInsertUndecidedCase(const CaseRecord& fresh) override {
    for (const auto& [id, c] : s_.cases) {
      if (c.target == fresh.target && c.source == fresh.source && c.status != v1::CASE_STATUS_DECIDED) {
        return {c, false};
      }
    }
    InsertCase(fresh);
    return {fresh, true};
  }
  void InsertCase(const CaseRecord& record) override {
    Write();
    s_.cases[record.case_id] = record;
  }
  void UpdateCase(const CaseRecord& record) override {
    Write();
    s_.cases[record.case_id] = record;
  }
  std::optional<CaseRecord> GetCase(const std::string& case_id, bool) override { return Find(s_.cases, case_id); }
  std::optional<CaseRecord> LockNextClaimable(const QueueFilter& filter, const std::string& moderator_id,
                                              absl::Time now) override {
    std::optional<CaseRecord> best;
    for (const auto& [id, c] : s_.cases) {
      if (!Claimable(c, now) || !Matches(filter, c) || c.subject_user_id == moderator_id ||
          c.recused_user_id == moderator_id) {
        continue;
      }
      if (!best || std::tie(c.rank_micros, c.case_id) < std::tie(best->rank_micros, best->case_id)) best = c;
    }
    return best;
  }
  int64_t CountLiveClaims(const std::string& moderator_id, absl::Time now) override {
    int64_t n = 0;
    for (const auto& [id, c] : s_.cases) n += c.claim_user_id == moderator_id && c.ClaimedAt(now);
    return n;
  }
  std::vector<CaseRecord> ListQueue(const QueueFilter& filter, const std::optional<QueueCursor>& after,
                                    int limit) override {
    std::vector<CaseRecord> queue;
    for (const auto& [id, c] : s_.cases) {
      const bool later = !after || std::tie(c.rank_micros, c.case_id) > std::tie(after->rank_micros, after->case_id);
      if (c.status != v1::CASE_STATUS_DECIDED && Matches(filter, c) && later) queue.push_back(c);
    }
    std::sort(queue.begin(), queue.end(), [](const CaseRecord& a, const CaseRecord& b) {
      return std::tie(a.rank_micros, a.case_id) < std::tie(b.rank_micros, b.case_id);
    });
    if (static_cast<int>(queue.size()) > limit) queue.resize(static_cast<size_t>(limit));
    return queue;
  }
  int64_t CountClaimable(const QueueFilter& filter, absl::Time now) override {
    int64_t n = 0;
    for (const auto& [id, c] : s_.cases) n += Claimable(c, now) && Matches(filter, c);
    return n;
  }
  void InsertDecision(const DecisionRecord& decision) override {
    Write();
    s_.decisions[decision.decision_id] = decision;
  }
  std::optional<DecisionRecord> GetDecision(const std::string& decision_id) override {
    return Find(s_.decisions, decision_id);
  }
  std::vector<DecisionRecord> PriorDecisions(const TargetRef& target, const std::string& subject_user_id,
                                             int limit) override {
    std::vector<DecisionRecord> prior;
    for (const auto& [id, d] : s_.decisions) {
      if (d.target == target || (!subject_user_id.empty() && d.subject_user_id == subject_user_id)) prior.push_back(d);
    }
    std::sort(prior.begin(), prior.end(), [](const DecisionRecord& a, const DecisionRecord& b) {
      return std::tie(a.create_time, a.decision_id) > std::tie(b.create_time, b.decision_id);
    });
    if (static_cast<int>(prior.size()) > limit) prior.resize(static_cast<size_t>(limit));
    return prior;
  }
  void InsertAppeal(const AppealRecord& appeal) override {
    Write();
    s_.appeals[appeal.appeal_id] = appeal;
  }
  std::optional<AppealRecord> GetAppeal(const std::string& appeal_id, bool) override {
    return Find(s_.appeals, appeal_id);
  }
  std::optional<AppealRecord> FindAppeal(const std::string& decision_id, const std::string& appellant_id) override {
    for (const auto& [id, a] : s_.appeals) {
      if (a.decision_id == decision_id && a.appellant_id == appellant_id) return a;
    }
    return std::nullopt;
  }
  void UpdateAppeal(const AppealRecord& appeal) override {
    Write();
    s_.appeals[appeal.appeal_id] = appeal;
  }

  int64_t BumpBanksVersion() override {
    Write();
    return ++s_.banks_version;
  }
  int64_t CountBankEntries() override { return static_cast<int64_t>(s_.bank_entries.size()); }
  bool InsertBank(HashBankRecord& bank) override {
    Write();
    for (const auto& [id, b] : s_.banks) {
      if (b.name == bank.name) return false;
    }
    bank.seq = s_.next_bank_seq++;
    s_.banks[bank.bank_id] = bank;
    return true;
  }
  std::optional<HashBankRecord> LockBank(const std::string& bank_id) override { return Find(s_.banks, bank_id); }
  bool UpdateBank(const HashBankRecord& bank) override {
    Write();
    for (const auto& [id, b] : s_.banks) {
      if (b.name == bank.name && id != bank.bank_id) return false;
    }
    s_.banks[bank.bank_id] = bank;
    return true;
  }
  std::vector<HashBankRecord> ListBanks(const std::string& after_name, int limit) override {
    std::map<std::string, HashBankRecord> by_name;
    for (const auto& [id, b] : s_.banks) {
      if (b.name > after_name) by_name[b.name] = b;
    }
    std::vector<HashBankRecord> out;
    for (const auto& [name, b] : by_name) {
      if (static_cast<int>(out.size()) == limit) break;
      out.push_back(b);
    }
    return out;
  }
  int64_t InsertBankEntries(const std::string& bank_id, const std::vector<BankEntryInput>& entries,
                            absl::Time) override {
    Write();
    const int32_t seq = s_.banks.at(bank_id).seq;
    int64_t added = 0;
    for (const BankEntryInput& entry : entries) {
      bool present = false;
      for (const auto& [id, e] : s_.bank_entries) present = present || (e.bank_seq == seq && e.hash == entry.hash);
      if (present) continue;
      const std::string id = "entry-" + std::to_string(s_.bank_entries.size() + 1);
      s_.bank_entries[id] = {id, seq, entry.hash, entry.external_id};
      ++added;
    }
    return added;
  }
  void InsertAllowListEntry(const AllowListRecord& entry) override {
    Write();
    s_.allow_list[entry.entry_id] = entry;
  }
  std::optional<AllowListRecord> DeleteAllowListEntry(const std::string& entry_id) override {
    Write();
    std::optional<AllowListRecord> removed = Find(s_.allow_list, entry_id);
    s_.allow_list.erase(entry_id);
    return removed;
  }
  int64_t CountAllowListEntries() override { return static_cast<int64_t>(s_.allow_list.size()); }
  std::vector<AllowListRecord> ListAllowList(const std::string& bank_id, const std::optional<AllowListCursor>& before,
                                             int limit) override {
    std::vector<AllowListRecord> out;
    for (const auto& [id, a] : s_.allow_list) {
      const bool older = !before || std::tie(a.create_time, a.entry_id) < std::tie(before->create_time, before->entry_id);
      if ((bank_id.empty() || a.bank_id == bank_id) && older) out.push_back(a);
    }
    std::sort(out.begin(), out.end(), [](const AllowListRecord& a, const AllowListRecord& b) {
      return std::tie(a.create_time, a.entry_id) > std::tie(b.create_time, b.entry_id);
    });
    if (static_cast<int>(out.size()) > limit) out.resize(static_cast<size_t>(limit));
    return out;
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
  state_.Update([](FakeModerationState& s) {
    for (int c = 1; c < v1::ModerationCategory_ARRAYSIZE; ++c) {
      const auto category = static_cast<v1::ModerationCategory>(c);
      s.policies[c] = {.category = category, .queue_priority = 10 * (c % 10), .version = 1};
    }
  });
}

absl::Status FakeModerationStore::Transact(TxMode mode, absl::FunctionRef<absl::Status(ModerationTx&)> work) {
  return state_.Transact([&](FakeModerationState& copy) -> absl::Status {
    FakeTx tx(copy, mode == TxMode::kReadOnly);
    try {
      return work(tx);
    } catch (const std::logic_error& e) {
      return absl::InternalError(e.what());
    }
  });
}

absl::StatusOr<int64_t> FakeModerationStore::PolicyVersion() {
  return state_.Read([](const FakeModerationState& s) { return s.version; });
}

absl::StatusOr<PolicySnapshot> FakeModerationStore::LoadPolicy() {
  CountLoad();
  return state_.Read([](const FakeModerationState& s) {
    PolicySnapshot snapshot{.version = s.version};
    std::map<int64_t, RuleRecord> by_seq;
    for (const auto& [id, rule] : s.rules) {
      if (rule.enabled) by_seq[rule.seq] = rule;
    }
    for (auto& [seq, rule] : by_seq) snapshot.enabled_rules.push_back(rule);
    for (const auto& [category, policy] : s.policies) snapshot.policies.push_back(policy);
    return snapshot;
  });
}

absl::StatusOr<PolicyChanges> FakeModerationStore::LoadPolicyChanges(int64_t since) {
  CountLoad();
  return state_.Read([since](const FakeModerationState& s) {
    PolicyChanges changes{.version = s.version, .since = since};
    std::map<int64_t, RuleRecord> by_seq;
    for (const auto& [id, rule] : s.rules) {
      if (rule.version > since) by_seq[rule.seq] = rule;
    }
    for (auto& [seq, rule] : by_seq) changes.changed_rules.push_back(rule);
    for (const auto& [seq, version] : s.deleted) {
      if (version > since) changes.deleted_seqs.push_back(seq);
    }
    for (const auto& [category, policy] : s.policies) changes.policies.push_back(policy);
    return changes;
  });
}

absl::Status FakeModerationStore::ScanAudit(int64_t first, int64_t last,
                                            absl::FunctionRef<void(const AuditEntryRecord&)> visit) {
  // Copied under the lock, visited outside it.
  const std::vector<AuditEntryRecord> range = state_.Read([first, last](const FakeModerationState& s) {
    std::vector<AuditEntryRecord> out;
    for (const AuditEntryRecord& e : s.audit) {
      if (e.fields.sequence >= first && e.fields.sequence <= last) out.push_back(e);
    }
    return out;
  });
  for (const AuditEntryRecord& e : range) visit(e);
  return absl::OkStatus();
}

absl::StatusOr<AuditHead> FakeModerationStore::ReadAuditHead() {
  return state_.Read([](const FakeModerationState& s) { return s.audit_head; });
}

absl::StatusOr<int64_t> FakeModerationStore::BanksVersion() {
  return state_.Read([](const FakeModerationState& s) { return s.banks_version; });
}

absl::StatusOr<BankSnapshot> FakeModerationStore::LoadBanks() {
  return state_.Read([](const FakeModerationState& s) {
    BankSnapshot snapshot{.version = s.banks_version};
    std::set<int32_t> enabled;
    for (const auto& [id, bank] : s.banks) {
      if (!bank.enabled) continue;
      snapshot.banks.push_back(bank);
      enabled.insert(bank.seq);
    }
    for (const auto& [id, entry] : s.bank_entries) {
      if (enabled.contains(entry.bank_seq)) snapshot.entries.push_back(entry);
    }
    for (const auto& [id, allowed] : s.allow_list) snapshot.allow_list.push_back(allowed);
    for (const auto& [category, policy] : s.policies) snapshot.policies.push_back(policy);
    return snapshot;
  });
}

}  // namespace clipforge::moderation_service::testing
