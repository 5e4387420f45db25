// An in-memory ModerationStore for the logic's unit tests. Transactions are
// serialized and atomic: work runs on a copy of the state, which replaces
// the state only when the work returns OK, so a failed call provably leaves
// nothing behind.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/moderation/store_interface.h"
#include "tests/support/copy_on_write_state.h"

namespace clipforge::moderation_service::testing {

struct FakeModerationState {
  int64_t version = 0;
  int64_t next_seq = 1;
  std::map<std::string, RuleRecord> rules;  // By rule_id.
  std::map<int64_t, int64_t> deleted;       // Tombstones: seq -> version.
  std::map<int, CategoryPolicyRecord> policies;
  std::map<std::pair<std::string, std::string>, kit::IdempotencyRecord> idempotency;
  std::vector<v1::EventEnvelope> events;
  std::vector<AuditEntryRecord> audit;  // In sequence order.
  AuditHead audit_head{0, moderation::GenesisHash()};
  std::map<std::string, ReportRecord> reports;  // By id.
  std::map<std::string, CaseRecord> cases;
  std::map<std::string, DecisionRecord> decisions;
  std::map<std::string, AppealRecord> appeals;
  int64_t banks_version = 0;
  int32_t next_bank_seq = 1;
  std::map<std::string, HashBankRecord> banks;         // By id.
  std::map<std::string, BankEntryRecord> bank_entries;  // By entry id.
  std::map<std::string, AllowListRecord> allow_list;   // By id.
};

class FakeModerationStore final : public ModerationStore {
 public:
  FakeModerationStore();

  absl::Status Transact(TxMode mode, absl::FunctionRef<absl::Status(ModerationTx&)> work) override;
  absl::StatusOr<int64_t> PolicyVersion() override;
  absl::StatusOr<PolicySnapshot> LoadPolicy() override;
  absl::StatusOr<PolicyChanges> LoadPolicyChanges(int64_t since) override;
  absl::Status ScanAudit(int64_t first, int64_t last,
                         absl::FunctionRef<void(const AuditEntryRecord&)> visit) override;
  absl::StatusOr<AuditHead> ReadAuditHead() override;
  absl::StatusOr<int64_t> BanksVersion() override;
  absl::StatusOr<BankSnapshot> LoadBanks() override;

  FakeModerationState state() const { return state_.snapshot(); }
  // Replaces the state (a test planting what the logic would refuse).
  void set_state(FakeModerationState state) { state_.Replace(std::move(state)); }
  // Counts LoadPolicy and LoadPolicyChanges calls.
  int loads() const {
    absl::MutexLock lock(&mu_);
    return loads_;
  }

 private:
  void CountLoad() {
    absl::MutexLock lock(&mu_);
    ++loads_;
  }

  clipforge::testing::CopyOnWriteState<FakeModerationState> state_;
  mutable absl::Mutex mu_;
  int loads_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace clipforge::moderation_service::testing
