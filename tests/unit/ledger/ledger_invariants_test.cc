// The invariants checked from scratch: a book that only ever applied
// transfers passes; tables with unbalanced currencies, counters that
// disagree with their transfers, broken limits, negative counters or
// transfers to unknown accounts are each reported, in a stable order.
#include "ledger/ledger_invariants.h"

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/account.h"
#include "ledger/ledger_book.h"
#include "ledger/transfer_record.h"
#include "tests/unit/ledger/ledger_test_util.h"

namespace clipforge::ledger {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::FundedLedgerBook;
using testing::HoldMoney;
using testing::kTestEur;
using testing::kTestUsd;
using testing::LedgerTestNow;
using testing::MoveMoney;
using testing::PostHold;
using testing::VoidHold;

// A record of `transfer` applied as it stands (no post or void).
TransferRecord InvariantsRecord(const Transfer& transfer, PendingState state) {
  TransferRecord record;
  record.transfer = transfer;
  record.debit_account_id = transfer.debit_account_id;
  record.credit_account_id = transfer.credit_account_id;
  record.currency = transfer.currency;
  record.code = transfer.code;
  record.amount = transfer.amount;
  record.applied_at = LedgerTestNow();
  record.state = state;
  return record;
}

TEST(LedgerInvariantsTest, ABookThatOnlyAppliedTransfersIsHealthy) {
  LedgerBook book = FundedLedgerBook();
  ASSERT_TRUE(book.CreateAccount(OpenAccount("eur-capital", AccountKind::kPlatformCapital, kTestEur)).ok());
  book.Apply(std::vector<Transfer>{MoveMoney("t1", "alice", "carol", 1'000'000),
                                   HoldMoney("h1", "alice", "fees", 2'000'000),
                                   HoldMoney("h2", "bob", "carol", 3'000'000, absl::Minutes(1)),
                                   HoldMoney("h3", "bob", "carol", 4'000'000),
                                   PostHold("p1", "h1", 500'000), VoidHold("v3", "h3"),
                                   MoveMoney("e1", "eur-capital", "eve", 7'000'000, kTestEur)},
             LedgerTestNow());
  book.ExpirePending(LedgerTestNow() + absl::Minutes(1));
  EXPECT_THAT(book.CheckInvariants(), IsEmpty());
  EXPECT_THAT(CheckLedgerInvariants(book.accounts(), book.transfers()), IsEmpty());
  EXPECT_THAT(CheckLedgerInvariants({}, {}), IsEmpty());
}

TEST(LedgerInvariantsTest, ReportsUnbalancedCurrenciesAndCountersWithoutTransfers) {
  AccountTable accounts;
  Account a = OpenAccount("a", AccountKind::kUserWallet, kTestUsd);
  a.credits_posted = 5;
  Account b = OpenAccount("b", AccountKind::kPlatformCapital, kTestUsd);
  b.debits_posted = 4;
  accounts.emplace("b", b);
  accounts.emplace("a", a);
  EXPECT_THAT(CheckLedgerInvariants(accounts, {}),
              ElementsAre("USD: debits_posted 0.000004 != credits_posted 0.000005",
                          "account a: credits_posted is 0.000005 but its transfers sum to 0.000000",
                          "account b: debits_posted is 0.000004 but its transfers sum to 0.000000"));
}

TEST(LedgerInvariantsTest, ReportsUnbalancedPendingCounters) {
  AccountTable accounts;
  Account a = OpenAccount("a", AccountKind::kPlatformCapital, kTestEur);
  a.debits_pending = 3;
  accounts.emplace("a", a);
  TransferTable transfers;
  // A resolved hold no longer counts.
  transfers.emplace("h", InvariantsRecord(HoldMoney("h", "a", "b", 3), PendingState::kVoided));
  accounts.emplace("b", OpenAccount("b", AccountKind::kPlatformCapital, kTestEur));
  transfers.find("h")->second.currency = kTestEur;
  EXPECT_THAT(CheckLedgerInvariants(accounts, transfers),
              ElementsAre("EUR: debits_pending 0.000003 != credits_pending 0.000000",
                          "account a: debits_pending is 0.000003 but its transfers sum to 0.000000"));
}

TEST(LedgerInvariantsTest, ReportsBrokenLimitsAndNegativeCounters) {
  AccountTable accounts;
  Account wallet = OpenAccount("wallet", AccountKind::kUserWallet, kTestUsd);
  wallet.debits_posted = 5;
  Account capital = OpenAccount("capital", AccountKind::kPlatformCapital, kTestUsd);
  capital.credits_posted = 5;
  Account losses = OpenAccount("losses", AccountKind::kChargebackLosses, kTestUsd);
  losses.credits_pending = -1;
  Account receivable = OpenAccount("receivable", AccountKind::kUserReceivable, kTestUsd);
  receivable.debits_pending = -1;
  accounts.emplace("wallet", wallet);
  accounts.emplace("capital", capital);
  accounts.emplace("losses", losses);
  accounts.emplace("receivable", receivable);
  TransferTable transfers;
  transfers.emplace("t", InvariantsRecord(MoveMoney("t", "wallet", "capital", 5), PendingState::kNotPending));
  const std::vector<std::string> problems = CheckLedgerInvariants(accounts, transfers);
  EXPECT_THAT(problems, Contains("account wallet: debits 0.000005 exceed credits_posted 0.000000"));
  EXPECT_THAT(problems, Contains("account losses: a counter is negative"));
  EXPECT_THAT(problems, Contains("account receivable: a counter is negative"));
  // The wallet and capital agree with their transfer.
  EXPECT_THAT(problems, ::testing::Not(Contains(HasSubstr("account wallet: debits_posted"))));
  EXPECT_THAT(problems, ::testing::Not(Contains(HasSubstr("account capital"))));
}

TEST(LedgerInvariantsTest, ReportsTransfersToUnknownAccountsOrInAnotherCurrency) {
  AccountTable accounts;
  accounts.emplace("a", OpenAccount("a", AccountKind::kPlatformCapital, kTestUsd));
  accounts.emplace("e", OpenAccount("e", AccountKind::kPlatformCapital, kTestEur));
  TransferTable transfers;
  transfers.emplace("lost", InvariantsRecord(MoveMoney("lost", "a", "ghost", 1), PendingState::kNotPending));
  transfers.emplace("mixed", InvariantsRecord(MoveMoney("mixed", "a", "e", 0), PendingState::kNotPending));
  EXPECT_THAT(CheckLedgerInvariants(accounts, transfers),
              ElementsAre("transfer lost: names an unknown account",
                          "transfer mixed: its currency differs from its accounts'"));
}

}  // namespace
}  // namespace clipforge::ledger
