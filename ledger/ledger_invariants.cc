#include "ledger/ledger_invariants.h"

#include <algorithm>
#include <limits>
#include <map>

#include "absl/container/node_hash_map.h"
#include "absl/strings/str_cat.h"
#include "ledger/money.h"

namespace clipforge::ledger {
namespace {

// The four counters summed wide: over many accounts they may pass 2^63.
struct WideCounters {
  WideMicros debits_pending = 0;
  WideMicros debits_posted = 0;
  WideMicros credits_pending = 0;
  WideMicros credits_posted = 0;
};

// What `record` adds to the counters of its two accounts: a live hold to
// the pending ones; a single-phase transfer or a post to the posted ones.
// A void, and a hold that is resolved, add nothing (the post that resolved
// it counts for itself).
void AddTransferToCounters(const TransferRecord& record, WideCounters& debit, WideCounters& credit) {
  if (record.state == PendingState::kPending) {
    debit.debits_pending += record.amount;
    credit.credits_pending += record.amount;
  } else if (record.state == PendingState::kNotPending && !record.transfer.flags.void_pending_transfer) {
    debit.debits_posted += record.amount;
    credit.credits_posted += record.amount;
  }
}

void CheckAccountCounters(const Account& account, std::vector<std::string>& problems) {
  const auto problem = [&](absl::string_view what) {
    problems.push_back(absl::StrCat("account ", account.id, ": ", what));
  };
  if (account.currency.empty()) problem("has no currency");
  if (account.debits_pending < 0 || account.debits_posted < 0 || account.credits_pending < 0 ||
      account.credits_posted < 0) {
    problem("a counter is negative");
  }
  const WideMicros debits = static_cast<WideMicros>(account.debits_pending) + account.debits_posted;
  const WideMicros credits = static_cast<WideMicros>(account.credits_pending) + account.credits_posted;
  if (debits > std::numeric_limits<Micros>::max()) problem("debits_pending + debits_posted overflow");
  if (credits > std::numeric_limits<Micros>::max()) problem("credits_pending + credits_posted overflow");
  if (account.flags.debits_must_not_exceed_credits && debits > account.credits_posted) {
    problem(absl::StrCat("debits ", FormatWideMicros(debits), " exceed credits_posted ",
                         FormatMicros(account.credits_posted)));
  }
  if (account.flags.credits_must_not_exceed_debits && credits > account.debits_posted) {
    problem(absl::StrCat("credits ", FormatWideMicros(credits), " exceed debits_posted ",
                         FormatMicros(account.debits_posted)));
  }
}

void CheckCounterAgainstTransfers(const Account& account, absl::string_view counter, Micros stored,
                                  WideMicros from_transfers, std::vector<std::string>& problems) {
  if (stored == from_transfers) return;
  problems.push_back(absl::StrCat("account ", account.id, ": ", counter, " is ", FormatMicros(stored),
                                  " but its transfers sum to ", FormatWideMicros(from_transfers)));
}

void CheckCurrencyTotals(const std::map<Currency, WideCounters>& totals, std::vector<std::string>& problems) {
  for (const auto& [currency, sums] : totals) {
    if (sums.debits_posted != sums.credits_posted) {
      problems.push_back(absl::StrCat(currency.code(), ": debits_posted ", FormatWideMicros(sums.debits_posted),
                                      " != credits_posted ", FormatWideMicros(sums.credits_posted)));
    }
    if (sums.debits_pending != sums.credits_pending) {
      problems.push_back(absl::StrCat(currency.code(), ": debits_pending ", FormatWideMicros(sums.debits_pending),
                                      " != credits_pending ", FormatWideMicros(sums.credits_pending)));
    }
  }
}

template <typename Table>
std::vector<const typename Table::mapped_type*> SortedById(const Table& table) {
  std::vector<std::pair<absl::string_view, const typename Table::mapped_type*>> entries;
  entries.reserve(table.size());
  for (const auto& [id, value] : table) entries.emplace_back(id, &value);
  std::sort(entries.begin(), entries.end());
  std::vector<const typename Table::mapped_type*> sorted;
  sorted.reserve(entries.size());
  for (const auto& entry : entries) sorted.push_back(entry.second);
  return sorted;
}

}  // namespace

std::vector<std::string> CheckLedgerInvariants(const AccountTable& accounts, const TransferTable& transfers) {
  std::vector<std::string> problems;

  std::map<Currency, WideCounters> totals;
  for (const auto& [id, account] : accounts) {
    WideCounters& sums = totals[account.currency];
    sums.debits_pending += account.debits_pending;
    sums.debits_posted += account.debits_posted;
    sums.credits_pending += account.credits_pending;
    sums.credits_posted += account.credits_posted;
  }
  CheckCurrencyTotals(totals, problems);

  // Node-based: both accounts' counters are referenced at once, and an
  // insertion into a flat map would move the first.
  absl::node_hash_map<std::string, WideCounters> from_transfers;
  std::vector<std::string> transfer_problems;
  for (const TransferRecord* record : SortedById(transfers)) {
    const auto debit = accounts.find(record->debit_account_id);
    const auto credit = accounts.find(record->credit_account_id);
    if (debit == accounts.end() || credit == accounts.end()) {
      transfer_problems.push_back(absl::StrCat("transfer ", record->transfer.id, ": names an unknown account"));
      continue;
    }
    if (debit->second.currency != record->currency || credit->second.currency != record->currency) {
      transfer_problems.push_back(
          absl::StrCat("transfer ", record->transfer.id, ": its currency differs from its accounts'"));
    }
    AddTransferToCounters(*record, from_transfers[record->debit_account_id],
                          from_transfers[record->credit_account_id]);
  }

  for (const Account* account : SortedById(accounts)) {
    CheckAccountCounters(*account, problems);
    const auto found = from_transfers.find(account->id);
    const WideCounters expected = found == from_transfers.end() ? WideCounters() : found->second;
    CheckCounterAgainstTransfers(*account, "debits_pending", account->debits_pending, expected.debits_pending,
                                 problems);
    CheckCounterAgainstTransfers(*account, "debits_posted", account->debits_posted, expected.debits_posted,
                                 problems);
    CheckCounterAgainstTransfers(*account, "credits_pending", account->credits_pending, expected.credits_pending,
                                 problems);
    CheckCounterAgainstTransfers(*account, "credits_posted", account->credits_posted, expected.credits_posted,
                                 problems);
  }
  problems.insert(problems.end(), transfer_problems.begin(), transfer_problems.end());
  return problems;
}

}  // namespace clipforge::ledger
