// The rules of one transfer as pure functions: each field rule with its
// code, the first failing rule reported; currencies, overflow of every
// counter, balance limits exact to the micro with pending amounts counted;
// a post or void checked against its hold, its timeout included.
#include "ledger/transfer_checks.h"

#include <limits>
#include <string>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/account.h"
#include "ledger/transfer.h"
#include "ledger/transfer_record.h"
#include "ledger/transfer_result.h"
#include "tests/unit/ledger/ledger_test_util.h"

namespace clipforge::ledger {
namespace {

using testing::HoldMoney;
using testing::kTestEur;
using testing::kTestUsd;
using testing::LedgerTestNow;
using testing::MoveMoney;
using testing::PostHold;
using testing::VoidHold;

constexpr Micros kChecksMax = std::numeric_limits<Micros>::max();

// A wallet holding 10.00.
Account ChecksWallet() {
  Account wallet = OpenAccount("wallet", AccountKind::kUserWallet, kTestUsd);
  wallet.credits_posted = 10'000'000;
  return wallet;
}

Account ChecksCapital() { return OpenAccount("capital", AccountKind::kPlatformCapital, kTestUsd); }

// A live hold of 4.00 from the wallet to capital, expiring an hour after
// LedgerTestNow().
TransferRecord ChecksHold() {
  TransferRecord record;
  record.transfer = HoldMoney("hold", "wallet", "capital", 4'000'000, absl::Hours(1));
  record.debit_account_id = "wallet";
  record.credit_account_id = "capital";
  record.currency = kTestUsd;
  record.code = TransferCode::kPayout;
  record.amount = 4'000'000;
  record.applied_at = LedgerTestNow();
  record.expires_at = LedgerTestNow() + absl::Hours(1);
  record.state = PendingState::kPending;
  return record;
}

TEST(CheckTransferFieldsTest, AWellFormedTransferPasses) {
  EXPECT_EQ(CheckTransferFields(MoveMoney("t", "a", "b", 1)), TransferResult::kOk);
  EXPECT_EQ(CheckTransferFields(HoldMoney("t", "a", "b", 1, absl::Seconds(5))), TransferResult::kOk);
  EXPECT_EQ(CheckTransferFields(PostHold("t", "p")), TransferResult::kOk);
  EXPECT_EQ(CheckTransferFields(PostHold("t", "p", 5)), TransferResult::kOk);
  EXPECT_EQ(CheckTransferFields(VoidHold("t", "p")), TransferResult::kOk);
}

TEST(CheckTransferFieldsTest, EachRuleHasItsCode) {
  Transfer both = HoldMoney("t", "a", "b", 1);
  both.flags.void_pending_transfer = true;
  EXPECT_EQ(CheckTransferFields(both), TransferResult::kFlagsAreMutuallyExclusive);
  Transfer post_and_void = PostHold("t", "p");
  post_and_void.flags.void_pending_transfer = true;
  EXPECT_EQ(CheckTransferFields(post_and_void), TransferResult::kFlagsAreMutuallyExclusive);

  EXPECT_EQ(CheckTransferFields(MoveMoney("t", "a", "b", -1)), TransferResult::kAmountMustNotBeNegative);
  EXPECT_EQ(CheckTransferFields(PostHold("t", "p", -1)), TransferResult::kAmountMustNotBeNegative);
  EXPECT_EQ(CheckTransferFields(HoldMoney("t", "a", "b", 1, absl::Seconds(-1))),
            TransferResult::kTimeoutMustNotBeNegative);
  Transfer timed = MoveMoney("t", "a", "b", 1);
  timed.timeout = absl::Seconds(1);
  EXPECT_EQ(CheckTransferFields(timed), TransferResult::kTimeoutReservedForPendingTransfer);
  Transfer timed_post = PostHold("t", "p");
  timed_post.timeout = absl::Seconds(1);
  EXPECT_EQ(CheckTransferFields(timed_post), TransferResult::kTimeoutReservedForPendingTransfer);

  EXPECT_EQ(CheckTransferFields(PostHold("t", "")), TransferResult::kPendingIdMustNotBeEmpty);
  EXPECT_EQ(CheckTransferFields(VoidHold("t", "t")), TransferResult::kPendingIdMustBeDifferent);
  Transfer stray_pending_id = MoveMoney("t", "a", "b", 1);
  stray_pending_id.pending_id = "p";
  EXPECT_EQ(CheckTransferFields(stray_pending_id), TransferResult::kPendingIdMustBeEmpty);

  EXPECT_EQ(CheckTransferFields(MoveMoney("t", "", "b", 1)), TransferResult::kDebitAccountIdMustNotBeEmpty);
  EXPECT_EQ(CheckTransferFields(MoveMoney("t", "a", "", 1)), TransferResult::kCreditAccountIdMustNotBeEmpty);
  EXPECT_EQ(CheckTransferFields(MoveMoney("t", "a", "a", 1)), TransferResult::kAccountsMustBeDifferent);
  EXPECT_EQ(CheckTransferFields(MoveMoney("t", "a", "b", 1, Currency())), TransferResult::kCurrencyMustNotBeEmpty);
  Transfer no_code = MoveMoney("t", "a", "b", 1);
  no_code.code = TransferCode::kUnspecified;
  EXPECT_EQ(CheckTransferFields(no_code), TransferResult::kCodeMustNotBeUnspecified);
  EXPECT_EQ(CheckTransferFields(MoveMoney("t", "a", "b", 0)), TransferResult::kAmountMustNotBeZero);
  EXPECT_EQ(CheckTransferFields(HoldMoney("t", "a", "b", 0)), TransferResult::kAmountMustNotBeZero);
}

TEST(CheckTransferFieldsTest, TheFirstFailingRuleIsReported) {
  // Empty accounts, same accounts, no amount: the debit account is first.
  EXPECT_EQ(CheckTransferFields(MoveMoney("t", "", "", 0)), TransferResult::kDebitAccountIdMustNotBeEmpty);
  // A negative amount is checked before the accounts.
  EXPECT_EQ(CheckTransferFields(MoveMoney("t", "", "", -5)), TransferResult::kAmountMustNotBeNegative);
}

TEST(CheckTransferAccountsTest, AccountsMustExistAndShareTheCurrency) {
  const Account wallet = ChecksWallet();
  const Account capital = ChecksCapital();
  const Account euros = OpenAccount("euros", AccountKind::kUserWallet, kTestEur);
  const Transfer transfer = MoveMoney("t", "wallet", "capital", 1);
  EXPECT_EQ(CheckTransferAccounts(transfer, nullptr, &capital), TransferResult::kDebitAccountNotFound);
  EXPECT_EQ(CheckTransferAccounts(transfer, &wallet, nullptr), TransferResult::kCreditAccountNotFound);
  EXPECT_EQ(CheckTransferAccounts(transfer, &wallet, &euros), TransferResult::kAccountsMustHaveTheSameCurrency);
  EXPECT_EQ(CheckTransferAccounts(MoveMoney("t", "wallet", "capital", 1, kTestEur), &wallet, &capital),
            TransferResult::kTransferMustHaveTheSameCurrencyAsAccounts);
  EXPECT_EQ(CheckTransferAccounts(transfer, &wallet, &capital), TransferResult::kOk);
}

TEST(CheckTransferAccountsTest, LimitsAreExactToTheMicroAndCountPendingDebits) {
  Account wallet = ChecksWallet();
  const Account capital = ChecksCapital();
  EXPECT_EQ(CheckTransferAccounts(MoveMoney("t", "wallet", "capital", 10'000'000), &wallet, &capital),
            TransferResult::kOk);
  EXPECT_EQ(CheckTransferAccounts(MoveMoney("t", "wallet", "capital", 10'000'001), &wallet, &capital),
            TransferResult::kExceedsCredits);
  EXPECT_EQ(CheckTransferAccounts(HoldMoney("t", "wallet", "capital", 10'000'001), &wallet, &capital),
            TransferResult::kExceedsCredits);
  wallet.debits_pending = 4'000'000;
  wallet.debits_posted = 1'000'000;
  EXPECT_EQ(CheckTransferAccounts(MoveMoney("t", "wallet", "capital", 5'000'000), &wallet, &capital),
            TransferResult::kOk);
  EXPECT_EQ(CheckTransferAccounts(MoveMoney("t", "wallet", "capital", 5'000'001), &wallet, &capital),
            TransferResult::kExceedsCredits);
  // Pending credits are not money yet: they do not raise the limit.
  wallet.credits_pending = 50'000'000;
  EXPECT_EQ(CheckTransferAccounts(MoveMoney("t", "wallet", "capital", 5'000'001), &wallet, &capital),
            TransferResult::kExceedsCredits);
}

TEST(CheckTransferAccountsTest, ADebitNormalAccountMayNotBeOverCredited) {
  Account receivable = OpenAccount("owed", AccountKind::kUserReceivable, kTestUsd);
  receivable.debits_posted = 3'000'000;
  receivable.credits_pending = 1'000'000;
  const Account capital = ChecksCapital();
  EXPECT_EQ(CheckTransferAccounts(MoveMoney("t", "capital", "owed", 2'000'000), &capital, &receivable),
            TransferResult::kOk);
  EXPECT_EQ(CheckTransferAccounts(MoveMoney("t", "capital", "owed", 2'000'001), &capital, &receivable),
            TransferResult::kExceedsDebits);
}

TEST(CheckTransferAccountsTest, NoCounterMayPassInt64Max) {
  Account debit = ChecksCapital();
  Account credit = OpenAccount("other", AccountKind::kPlatformCapital, kTestUsd);

  debit.debits_pending = kChecksMax;
  EXPECT_EQ(CheckTransferAccounts(HoldMoney("t", "capital", "other", 1), &debit, &credit),
            TransferResult::kOverflowsDebitsPending);
  debit = ChecksCapital();
  credit.credits_pending = kChecksMax;
  EXPECT_EQ(CheckTransferAccounts(HoldMoney("t", "capital", "other", 1), &debit, &credit),
            TransferResult::kOverflowsCreditsPending);
  credit = OpenAccount("other", AccountKind::kPlatformCapital, kTestUsd);

  debit.debits_posted = kChecksMax;
  EXPECT_EQ(CheckTransferAccounts(MoveMoney("t", "capital", "other", 1), &debit, &credit),
            TransferResult::kOverflowsDebitsPosted);
  debit = ChecksCapital();
  credit.credits_posted = kChecksMax;
  EXPECT_EQ(CheckTransferAccounts(MoveMoney("t", "capital", "other", 1), &debit, &credit),
            TransferResult::kOverflowsCreditsPosted);
  credit = OpenAccount("other", AccountKind::kPlatformCapital, kTestUsd);

  // Each side fits on its own; pending and posted together do not.
  debit.debits_posted = kChecksMax - 10;
  debit.debits_pending = 10;
  EXPECT_EQ(CheckTransferAccounts(MoveMoney("t", "capital", "other", 1), &debit, &credit),
            TransferResult::kOverflowsDebits);
  debit = ChecksCapital();
  credit.credits_pending = kChecksMax - 10;
  credit.credits_posted = 10;
  EXPECT_EQ(CheckTransferAccounts(MoveMoney("t", "capital", "other", 1), &debit, &credit),
            TransferResult::kOverflowsCredits);
  // Up to the last micro is fine.
  credit.credits_pending = kChecksMax - 11;
  EXPECT_EQ(CheckTransferAccounts(MoveMoney("t", "capital", "other", 1), &debit, &credit), TransferResult::kOk);
}

TEST(CheckPendingResolutionTest, ALiveHoldMayBePostedOrVoided) {
  const TransferRecord hold = ChecksHold();
  const absl::Time now = LedgerTestNow() + absl::Minutes(59);
  EXPECT_EQ(CheckPendingResolution(PostHold("p", "hold"), &hold, now), TransferResult::kOk);
  EXPECT_EQ(CheckPendingResolution(PostHold("p", "hold", 4'000'000), &hold, now), TransferResult::kOk);
  EXPECT_EQ(CheckPendingResolution(PostHold("p", "hold", 1), &hold, now), TransferResult::kOk);
  EXPECT_EQ(CheckPendingResolution(VoidHold("v", "hold"), &hold, now), TransferResult::kOk);
  Transfer void_all = VoidHold("v", "hold");
  void_all.amount = 4'000'000;
  EXPECT_EQ(CheckPendingResolution(void_all, &hold, now), TransferResult::kOk);
  // Repeating the hold's fields is allowed.
  Transfer explicit_post = PostHold("p", "hold");
  explicit_post.debit_account_id = "wallet";
  explicit_post.credit_account_id = "capital";
  explicit_post.currency = kTestUsd;
  explicit_post.code = TransferCode::kPayout;
  EXPECT_EQ(CheckPendingResolution(explicit_post, &hold, now), TransferResult::kOk);
}

TEST(CheckPendingResolutionTest, RepeatedFieldsMustMatchTheHold) {
  const TransferRecord hold = ChecksHold();
  const absl::Time now = LedgerTestNow();
  EXPECT_EQ(CheckPendingResolution(PostHold("p", "hold"), nullptr, now), TransferResult::kPendingTransferNotFound);
  TransferRecord plain = hold;
  plain.state = PendingState::kNotPending;
  EXPECT_EQ(CheckPendingResolution(PostHold("p", "hold"), &plain, now), TransferResult::kPendingTransferNotPending);

  Transfer post = PostHold("p", "hold");
  post.debit_account_id = "someone";
  EXPECT_EQ(CheckPendingResolution(post, &hold, now), TransferResult::kPendingTransferHasDifferentDebitAccountId);
  post = PostHold("p", "hold");
  post.credit_account_id = "someone";
  EXPECT_EQ(CheckPendingResolution(post, &hold, now), TransferResult::kPendingTransferHasDifferentCreditAccountId);
  post = PostHold("p", "hold");
  post.currency = kTestEur;
  EXPECT_EQ(CheckPendingResolution(post, &hold, now), TransferResult::kPendingTransferHasDifferentCurrency);
  post = PostHold("p", "hold");
  post.code = TransferCode::kRefund;
  EXPECT_EQ(CheckPendingResolution(post, &hold, now), TransferResult::kPendingTransferHasDifferentCode);

  EXPECT_EQ(CheckPendingResolution(PostHold("p", "hold", 4'000'001), &hold, now),
            TransferResult::kExceedsPendingTransferAmount);
  Transfer partial_void = VoidHold("v", "hold");
  partial_void.amount = 1;
  EXPECT_EQ(CheckPendingResolution(partial_void, &hold, now), TransferResult::kPendingTransferHasDifferentAmount);
}

TEST(CheckPendingResolutionTest, AResolvedOrTimedOutHoldIsFinal) {
  TransferRecord hold = ChecksHold();
  const absl::Time now = LedgerTestNow();
  hold.state = PendingState::kPosted;
  EXPECT_EQ(CheckPendingResolution(VoidHold("v", "hold"), &hold, now), TransferResult::kPendingTransferAlreadyPosted);
  hold.state = PendingState::kVoided;
  EXPECT_EQ(CheckPendingResolution(PostHold("p", "hold"), &hold, now), TransferResult::kPendingTransferAlreadyVoided);
  hold.state = PendingState::kExpired;
  EXPECT_EQ(CheckPendingResolution(PostHold("p", "hold"), &hold, now), TransferResult::kPendingTransferExpired);

  // Past its timeout and not swept yet: expired all the same, from the
  // very micro of its expiry.
  hold.state = PendingState::kPending;
  EXPECT_EQ(CheckPendingResolution(PostHold("p", "hold"), &hold, hold.expires_at - absl::Microseconds(1)),
            TransferResult::kOk);
  EXPECT_EQ(CheckPendingResolution(PostHold("p", "hold"), &hold, hold.expires_at),
            TransferResult::kPendingTransferExpired);
  // Without a timeout it never expires.
  hold.expires_at = absl::InfiniteFuture();
  EXPECT_EQ(CheckPendingResolution(PostHold("p", "hold"), &hold, now + absl::Hours(24 * 365 * 100)),
            TransferResult::kOk);
}

TEST(AmountToPostTest, ZeroPostsEverythingAndAVoidPostsNothing) {
  const TransferRecord hold = ChecksHold();
  EXPECT_EQ(AmountToPost(PostHold("p", "hold"), hold), 4'000'000);
  EXPECT_EQ(AmountToPost(PostHold("p", "hold", 1'500'000), hold), 1'500'000);
  EXPECT_EQ(AmountToPost(VoidHold("v", "hold"), hold), 0);
}

}  // namespace
}  // namespace clipforge::ledger
