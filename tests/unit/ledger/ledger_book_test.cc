// The book with single transfers: accounts open once (a retry is fine, a
// different account under a taken id is not); a transfer moves the posted
// counters of exactly its two accounts; every refusal has its code and
// leaves nothing behind; a reused id does nothing again and says what
// differs.
#include "ledger/ledger_book.h"

#include <string>
#include <vector>

#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ledger/account.h"
#include "ledger/transfer.h"
#include "ledger/transfer_record.h"
#include "ledger/transfer_result.h"
#include "tests/unit/ledger/ledger_test_util.h"

namespace clipforge::ledger {
namespace {

using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::ApplyOne;
using testing::FundedLedgerBook;
using testing::HoldMoney;
using testing::kTestEur;
using testing::kTestUsd;
using testing::LedgerTestNow;
using testing::MoveMoney;
using testing::PostHold;
using testing::ResultsOf;

TEST(LedgerBookAccountsTest, CreateAccountRefusesWhatCouldUnbalanceTheBooks) {
  LedgerBook book;
  EXPECT_THAT(book.CreateAccount(OpenAccount("", AccountKind::kUserWallet, kTestUsd)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("account.id")));
  EXPECT_THAT(book.CreateAccount(OpenAccount("w", AccountKind::kUserWallet, Currency())),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("account.currency")));
  Account both_limits = OpenAccount("w", AccountKind::kUserWallet, kTestUsd);
  both_limits.flags.credits_must_not_exceed_debits = true;
  EXPECT_THAT(book.CreateAccount(both_limits),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("mutually exclusive")));
  Account with_money = OpenAccount("w", AccountKind::kUserWallet, kTestUsd);
  with_money.credits_posted = 1;
  EXPECT_THAT(book.CreateAccount(with_money), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("counters")));
  EXPECT_EQ(book.FindAccount("w"), nullptr);
  EXPECT_TRUE(book.accounts().empty());
}

TEST(LedgerBookAccountsTest, CreateAccountIsIdempotentAndRefusesADifferentAccountUnderItsId) {
  LedgerBook book = FundedLedgerBook();
  // alice has money by now; opening her wallet again is still a retry.
  EXPECT_THAT(book.CreateAccount(OpenAccount("alice", AccountKind::kUserWallet, kTestUsd)), IsOk());
  EXPECT_EQ(AvailableBalance(*book.FindAccount("alice")), 100 * kMicrosPerUnit);
  EXPECT_THAT(book.CreateAccount(OpenAccount("alice", AccountKind::kUserEarningsAvailable, kTestUsd)),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("kind")));
  EXPECT_THAT(book.CreateAccount(OpenAccount("alice", AccountKind::kUserWallet, kTestEur)),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("currency")));
  Account no_history = OpenAccount("alice", AccountKind::kUserWallet, kTestUsd);
  no_history.flags.history = false;
  EXPECT_THAT(book.CreateAccount(no_history), StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("flags")));
  EXPECT_EQ(book.FindAccount("alice")->kind, AccountKind::kUserWallet);
}

TEST(LedgerBookTest, ATransferMovesThePostedCountersOfItsTwoAccounts) {
  LedgerBook book = FundedLedgerBook();
  const Account bob_before = *book.FindAccount("bob");
  EXPECT_EQ(ApplyOne(book, MoveMoney("t1", "alice", "carol", 2'500'000)).result, TransferResult::kOk);

  const Account& alice = *book.FindAccount("alice");
  EXPECT_EQ(alice.debits_posted, 2'500'000);
  EXPECT_EQ(alice.credits_posted, 100'000'000);
  EXPECT_EQ(alice.debits_pending, 0);
  EXPECT_EQ(PostedBalance(alice), 97'500'000);
  const Account& carol = *book.FindAccount("carol");
  EXPECT_EQ(carol.credits_posted, 2'500'000);
  EXPECT_EQ(PostedBalance(carol), 2'500'000);
  EXPECT_EQ(*book.FindAccount("bob"), bob_before);

  const TransferRecord* record = book.FindTransfer("t1");
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->transfer, MoveMoney("t1", "alice", "carol", 2'500'000));
  EXPECT_EQ(record->debit_account_id, "alice");
  EXPECT_EQ(record->credit_account_id, "carol");
  EXPECT_EQ(record->amount, 2'500'000);
  EXPECT_EQ(record->currency, kTestUsd);
  EXPECT_EQ(record->applied_at, LedgerTestNow());
  EXPECT_EQ(record->state, PendingState::kNotPending);
  EXPECT_THAT(book.CheckInvariants(), IsEmpty());
}

TEST(LedgerBookTest, AccountsMustExistAndShareTheTransfersCurrency) {
  LedgerBook book = FundedLedgerBook();
  EXPECT_EQ(ApplyOne(book, MoveMoney("t1", "nobody", "carol", 1)).result, TransferResult::kDebitAccountNotFound);
  EXPECT_EQ(ApplyOne(book, MoveMoney("t1", "alice", "nobody", 1)).result, TransferResult::kCreditAccountNotFound);
  EXPECT_EQ(ApplyOne(book, MoveMoney("t1", "alice", "eve", 1)).result,
            TransferResult::kAccountsMustHaveTheSameCurrency);
  EXPECT_EQ(ApplyOne(book, MoveMoney("t1", "alice", "bob", 1, kTestEur)).result,
            TransferResult::kTransferMustHaveTheSameCurrencyAsAccounts);
  EXPECT_EQ(book.FindTransfer("t1"), nullptr);
  EXPECT_THAT(book.CheckInvariants(), IsEmpty());
}

TEST(LedgerBookTest, AWalletSpendsToTheLastMicroAndNoFurther) {
  LedgerBook book = FundedLedgerBook();
  EXPECT_EQ(ApplyOne(book, MoveMoney("t1", "alice", "carol", 100'000'001)).result, TransferResult::kExceedsCredits);
  EXPECT_EQ(ApplyOne(book, MoveMoney("t1", "alice", "carol", 100'000'000)).result, TransferResult::kOk);
  EXPECT_EQ(PostedBalance(*book.FindAccount("alice")), 0);
  EXPECT_EQ(ApplyOne(book, MoveMoney("t2", "alice", "carol", 1)).result, TransferResult::kExceedsCredits);
  // Earnings are limited the same way.
  EXPECT_EQ(ApplyOne(book, MoveMoney("t3", "carol", "fees", 100'000'001)).result, TransferResult::kExceedsCredits);
  EXPECT_EQ(ApplyOne(book, MoveMoney("t3", "carol", "fees", 100'000'000)).result, TransferResult::kOk);
  EXPECT_THAT(book.CheckInvariants(), IsEmpty());
}

TEST(LedgerBookTest, ARetryDoesNothingAgainAndReportsExists) {
  LedgerBook book = FundedLedgerBook();
  const Transfer tip = MoveMoney("tip-1", "alice", "carol", 3'000'000);
  ASSERT_EQ(ApplyOne(book, tip).result, TransferResult::kOk);
  const Account alice = *book.FindAccount("alice");
  const Account carol = *book.FindAccount("carol");
  for (int retry = 0; retry < 3; ++retry) {
    const TransferOutcome outcome = ApplyOne(book, tip, LedgerTestNow() + absl::Hours(retry));
    EXPECT_EQ(outcome.result, TransferResult::kExists);
    EXPECT_THAT(outcome.differing_fields, IsEmpty());
  }
  EXPECT_EQ(*book.FindAccount("alice"), alice);
  EXPECT_EQ(*book.FindAccount("carol"), carol);
  EXPECT_EQ(book.FindTransfer("tip-1")->applied_at, LedgerTestNow());
}

TEST(LedgerBookTest, AReusedIdWithOtherFieldsNamesThem) {
  LedgerBook book = FundedLedgerBook();
  ASSERT_EQ(ApplyOne(book, MoveMoney("tip-1", "alice", "carol", 3'000'000)).result, TransferResult::kOk);
  const TransferOutcome outcome = ApplyOne(book, MoveMoney("tip-1", "alice", "fees", 4'000'000));
  EXPECT_EQ(outcome.result, TransferResult::kExistsWithDifferentFields);
  EXPECT_THAT(outcome.differing_fields, ElementsAre("credit_account_id", "amount"));
  EXPECT_EQ(book.FindAccount("fees")->credits_posted, 0);
  // Reported before the new transfer's own faults, so that the caller
  // learns its id was taken.
  const TransferOutcome invalid = ApplyOne(book, MoveMoney("tip-1", "alice", "carol", -1));
  EXPECT_EQ(invalid.result, TransferResult::kExistsWithDifferentFields);
  EXPECT_THAT(invalid.differing_fields, ElementsAre("amount"));
}

TEST(LedgerBookTest, AFailedTransferLeavesNoTraceAndItsIdStaysFree) {
  LedgerBook book = FundedLedgerBook();
  const Transfer big = MoveMoney("big", "alice", "carol", 150'000'000);
  EXPECT_EQ(ApplyOne(book, big).result, TransferResult::kExceedsCredits);
  EXPECT_EQ(book.FindTransfer("big"), nullptr);
  EXPECT_EQ(book.FindAccount("alice")->debits_posted, 0);
  ASSERT_EQ(ApplyOne(book, MoveMoney("top-up", "capital", "alice", 50'000'000)).result, TransferResult::kOk);
  EXPECT_EQ(ApplyOne(book, big).result, TransferResult::kOk);
  EXPECT_EQ(PostedBalance(*book.FindAccount("alice")), 0);
}

TEST(LedgerBookTest, UnlinkedTransfersOfABatchStandAlone) {
  LedgerBook book = FundedLedgerBook();
  const std::vector<TransferOutcome> outcomes =
      book.Apply(std::vector<Transfer>{MoveMoney("t1", "alice", "carol", 1'000'000),
                                       MoveMoney("t2", "alice", "carol", 500'000'000),
                                       MoveMoney("t3", "bob", "carol", 2'000'000)},
                 LedgerTestNow());
  EXPECT_THAT(ResultsOf(outcomes),
              ElementsAre(TransferResult::kOk, TransferResult::kExceedsCredits, TransferResult::kOk));
  EXPECT_EQ(book.FindAccount("carol")->credits_posted, 3'000'000);
  EXPECT_THAT(book.CheckInvariants(), IsEmpty());
}

TEST(LedgerBookTest, AnIdRepeatedInOneBatchAppliesOnce) {
  LedgerBook book = FundedLedgerBook();
  const Transfer tip = MoveMoney("t1", "alice", "carol", 1'000'000);
  Transfer other = tip;
  other.amount = 2'000'000;
  const std::vector<TransferOutcome> outcomes = book.Apply(std::vector<Transfer>{tip, tip, other}, LedgerTestNow());
  EXPECT_THAT(ResultsOf(outcomes), ElementsAre(TransferResult::kOk, TransferResult::kExists,
                                               TransferResult::kExistsWithDifferentFields));
  EXPECT_THAT(outcomes[2].differing_fields, ElementsAre("amount"));
  EXPECT_EQ(book.FindAccount("carol")->credits_posted, 1'000'000);
}

TEST(LedgerBookTest, EmptyIdsAndEmptyBatches) {
  LedgerBook book = FundedLedgerBook();
  EXPECT_EQ(ApplyOne(book, MoveMoney("", "alice", "carol", 1)).result, TransferResult::kIdMustNotBeEmpty);
  EXPECT_THAT(book.Apply(std::vector<Transfer>{}, LedgerTestNow()), IsEmpty());
  EXPECT_THAT(book.CheckInvariants(), IsEmpty());
}


std::vector<Account> AccountsOf(const LedgerBook& book) {
  std::vector<Account> accounts;
  for (const auto& [id, account] : book.accounts()) accounts.push_back(account);
  return accounts;
}

std::vector<TransferRecord> TransfersOf(const LedgerBook& book) {
  std::vector<TransferRecord> transfers;
  for (const auto& [id, record] : book.transfers()) transfers.push_back(record);
  return transfers;
}

// A book with money moved, a hold posted and a live hold with a timeout.
LedgerBook BookWithHolds() {
  LedgerBook book = FundedLedgerBook();
  (void)book.Apply(std::vector<Transfer>{MoveMoney("tip", "alice", "carol", 2'000'000),
                                         HoldMoney("posted-hold", "bob", "carol", 3'000'000),
                                         PostHold("post", "posted-hold"),
                                         HoldMoney("live-hold", "alice", "carol", 5'000'000, absl::Minutes(1))},
                   LedgerTestNow());
  return book;
}

TEST(LedgerBookRestoreTest, RestoresAccountsTransfersAndLiveHolds) {
  const LedgerBook original = BookWithHolds();
  ASSERT_EQ(original.FindTransfer("live-hold")->state, PendingState::kPending);
  absl::StatusOr<LedgerBook> restored = LedgerBook::Restore(AccountsOf(original), TransfersOf(original));
  ASSERT_THAT(restored, IsOk());
  LedgerBook& book = *restored;
  EXPECT_EQ(book.accounts(), original.accounts());
  ASSERT_EQ(book.transfers().size(), original.transfers().size());
  for (const auto& [id, record] : original.transfers()) {
    const TransferRecord* copy = book.FindTransfer(id);
    ASSERT_NE(copy, nullptr) << id;
    EXPECT_EQ(copy->transfer, record.transfer) << id;
    EXPECT_EQ(copy->state, record.state) << id;
    EXPECT_EQ(copy->expires_at, record.expires_at) << id;
  }
  EXPECT_THAT(book.CheckInvariants(), IsEmpty());

  // The live hold is back in the expiry queue: it gives the reset time and
  // expires on time.
  EXPECT_THAT(book.EarliestHoldExpiry("alice"), Eq(LedgerTestNow() + absl::Minutes(1)));
  EXPECT_THAT(book.ExpirePending(LedgerTestNow() + absl::Seconds(59)), IsEmpty());
  EXPECT_THAT(book.ExpirePending(LedgerTestNow() + absl::Minutes(1)), ElementsAre("live-hold"));
  EXPECT_EQ(book.FindAccount("alice")->debits_pending, 0);
  EXPECT_THAT(book.CheckInvariants(), IsEmpty());

  // Applied ids are still recognised: a retry moves nothing again.
  EXPECT_EQ(ApplyOne(book, MoveMoney("tip", "alice", "carol", 2'000'000)).result, TransferResult::kExists);
  EXPECT_EQ(ApplyOne(book, PostHold("post-again", "posted-hold")).result,
            TransferResult::kPendingTransferAlreadyPosted);
}

TEST(LedgerBookRestoreTest, RefusesAStoredLedgerThatDoesNotAddUp) {
  const LedgerBook original = BookWithHolds();
  std::vector<Account> accounts = AccountsOf(original);
  for (Account& account : accounts) {
    if (account.id == "carol") account.credits_posted += 1;
  }
  EXPECT_THAT(LedgerBook::Restore(accounts, TransfersOf(original)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("carol")));

  std::vector<TransferRecord> missing_one = TransfersOf(original);
  missing_one.pop_back();
  EXPECT_THAT(LedgerBook::Restore(AccountsOf(original), missing_one),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("invariants")));
}

TEST(LedgerBookRestoreTest, RefusesEmptyAndRepeatedIds) {
  const LedgerBook original = BookWithHolds();
  std::vector<Account> accounts = AccountsOf(original);
  accounts.push_back(accounts.front());
  EXPECT_THAT(LedgerBook::Restore(accounts, TransfersOf(original)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("twice")));
  std::vector<TransferRecord> transfers = TransfersOf(original);
  transfers.push_back(transfers.front());
  EXPECT_THAT(LedgerBook::Restore(AccountsOf(original), transfers),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("twice")));
  EXPECT_THAT(LedgerBook::Restore({Account{}}, {}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no id")));
  // Nothing at all is an empty book.
  absl::StatusOr<LedgerBook> empty = LedgerBook::Restore({}, {});
  ASSERT_THAT(empty, IsOk());
  EXPECT_TRUE(empty->accounts().empty());
}

}  // namespace
}  // namespace clipforge::ledger
