// An in-memory EarningsStore over the batches a FakeLedgerStore committed:
// the waiting credits are the tip legs into pending earnings without a
// "<credit>/release" transfer, as migration 0029's trigger keeps them.
#pragma once

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/transfer.h"
#include "services/tipping/earnings_store.h"
#include "tests/unit/tipping_service/fake_ledger_store.h"

namespace clipforge::tipping_service::testing {

class FakeEarningsStore final : public EarningsStore {
 public:
  // `ledger` is not owned.
  explicit FakeEarningsStore(const FakeLedgerStore& ledger) : ledger_(ledger) {}

  absl::StatusOr<std::vector<WaitingCredit>> DueCredits(const DueCreditsQuery& query) override {
    std::vector<ledger::TransferRecord> credits;
    std::set<std::string> released;
    std::map<std::string, absl::Time> first_earned;
    for (const LedgerBatch& batch : ledger_.batches()) {
      for (const ledger::TransferRecord& record : batch.transfers) {
        if (record.code == ledger::TransferCode::kEarningsRelease) released.insert(record.transfer.id);
        const bool credit = (record.code == ledger::TransferCode::kTipCreator ||
                             record.code == ledger::TransferCode::kTipRoyalty) &&
                            absl::StartsWith(record.credit_account_id, "user_earnings_pending:") &&
                            !record.transfer.flags.pending;
        if (!credit) continue;
        credits.push_back(record);
        auto [it, inserted] = first_earned.try_emplace(record.credit_account_id, record.applied_at);
        if (!inserted) it->second = std::min(it->second, record.applied_at);
      }
    }
    std::vector<WaitingCredit> due;
    for (const ledger::TransferRecord& record : credits) {
      if (released.contains(absl::StrCat(record.transfer.id, "/release"))) continue;
      const absl::Time first = first_earned[record.credit_account_id];
      const bool established_due = record.applied_at <= query.established_before &&
                                   record.applied_at - first >= query.new_creator_period;
      if (!established_due && record.applied_at > query.anyone_before) continue;
      due.push_back({.transfer_id = record.transfer.id,
                     .account_id = record.credit_account_id,
                     .amount = record.amount,
                     .credited_at = record.applied_at,
                     .first_earned_at = first});
    }
    std::sort(due.begin(), due.end(), [](const WaitingCredit& a, const WaitingCredit& b) {
      return std::tie(a.credited_at, a.transfer_id) < std::tie(b.credited_at, b.transfer_id);
    });
    if (static_cast<int>(due.size()) > query.limit) due.resize(query.limit);
    return due;
  }

 private:
  const FakeLedgerStore& ledger_;
};

}  // namespace clipforge::tipping_service::testing
