// Shorthands for the ledger's tests: transfers of each shape, a book with
// funded wallets, and readable names for result codes in failure output.
#pragma once

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "ledger/account.h"
#include "ledger/currency.h"
#include "ledger/ledger_book.h"
#include "ledger/money.h"
#include "ledger/transfer.h"
#include "ledger/transfer_result.h"

namespace clipforge::ledger {

// gtest prints result codes by name.
inline void PrintTo(TransferResult result, std::ostream* os) { *os << TransferResultName(result); }
inline void PrintTo(const TransferOutcome& outcome, std::ostream* os) {
  *os << TransferResultName(outcome.result);
  for (const std::string& field : outcome.differing_fields) *os << " " << field;
}

namespace testing {

inline constexpr Currency kTestUsd("USD");
inline constexpr Currency kTestEur("EUR");

inline absl::Time LedgerTestNow() { return absl::FromUnixSeconds(1'800'000'000); }

// A single-phase transfer.
inline Transfer MoveMoney(std::string id, std::string debit, std::string credit, Micros amount,
                          Currency currency = kTestUsd) {
  Transfer transfer;
  transfer.id = std::move(id);
  transfer.debit_account_id = std::move(debit);
  transfer.credit_account_id = std::move(credit);
  transfer.amount = amount;
  transfer.currency = currency;
  transfer.code = TransferCode::kAdjustment;
  return transfer;
}

inline Transfer Linked(Transfer transfer) {
  transfer.flags.linked = true;
  return transfer;
}

// A hold of `amount`, expiring `timeout` after it is applied (zero: never).
inline Transfer HoldMoney(std::string id, std::string debit, std::string credit, Micros amount,
                          absl::Duration timeout = absl::ZeroDuration()) {
  Transfer transfer = MoveMoney(std::move(id), std::move(debit), std::move(credit), amount);
  transfer.code = TransferCode::kPayout;
  transfer.flags.pending = true;
  transfer.timeout = timeout;
  return transfer;
}

// A post of `pending_id` (amount 0: all that is held) leaving the other
// fields to the pending transfer.
inline Transfer PostHold(std::string id, std::string pending_id, Micros amount = 0) {
  Transfer transfer;
  transfer.id = std::move(id);
  transfer.pending_id = std::move(pending_id);
  transfer.amount = amount;
  transfer.flags.post_pending_transfer = true;
  return transfer;
}

inline Transfer VoidHold(std::string id, std::string pending_id) {
  Transfer transfer;
  transfer.id = std::move(id);
  transfer.pending_id = std::move(pending_id);
  transfer.flags.void_pending_transfer = true;
  return transfer;
}

inline std::vector<TransferResult> ResultsOf(const std::vector<TransferOutcome>& outcomes) {
  std::vector<TransferResult> results;
  results.reserve(outcomes.size());
  for (const TransferOutcome& outcome : outcomes) results.push_back(outcome.result);
  return results;
}

// Applies one transfer alone.
inline TransferOutcome ApplyOne(LedgerBook& book, const Transfer& transfer,
                                absl::Time now = LedgerTestNow()) {
  return book.Apply(std::vector<Transfer>{transfer}, now).front();
}

// A book in USD: platform capital "capital" (no limits: the source of
// money), wallets "alice" and "bob" funded with `funds` each from it, a
// tip jar "carol" (earnings) and fee revenue "fees", all empty; and an EUR
// wallet "eve", empty.
inline LedgerBook FundedLedgerBook(Micros funds = 100 * kMicrosPerUnit) {
  LedgerBook book;
  for (Account account : {OpenAccount("capital", AccountKind::kPlatformCapital, kTestUsd),
                          OpenAccount("alice", AccountKind::kUserWallet, kTestUsd),
                          OpenAccount("bob", AccountKind::kUserWallet, kTestUsd),
                          OpenAccount("carol", AccountKind::kUserEarningsAvailable, kTestUsd),
                          OpenAccount("fees", AccountKind::kPlatformFeeRevenue, kTestUsd),
                          OpenAccount("eve", AccountKind::kUserWallet, kTestEur)}) {
    (void)book.CreateAccount(account);
  }
  book.Apply(std::vector<Transfer>{MoveMoney("fund-alice", "capital", "alice", funds),
                                   MoveMoney("fund-bob", "capital", "bob", funds)},
             LedgerTestNow());
  return book;
}

}  // namespace testing
}  // namespace clipforge::ledger
