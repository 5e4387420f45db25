// Two-phase transfers: a hold moves only the pending counters yet counts
// against the balance limit at once; a post takes all (amount 0) or part
// of it and releases the rest; a void releases it; each hold resolves once;
// a hold past its timeout is released by ExpirePending, earliest first,
// and cannot be posted from the moment it is due.
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/account.h"
#include "ledger/ledger_book.h"
#include "ledger/transfer.h"
#include "ledger/transfer_result.h"
#include "tests/unit/ledger/ledger_test_util.h"

namespace clipforge::ledger {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::ApplyOne;
using testing::FundedLedgerBook;
using testing::HoldMoney;
using testing::kTestUsd;
using testing::LedgerTestNow;
using testing::MoveMoney;
using testing::PostHold;
using testing::VoidHold;

// A funded book with a hold of 30.00 from alice's wallet to carol, "hold",
// applied at LedgerTestNow() with `timeout`.
LedgerBook TwoPhaseBookWithHold(absl::Duration timeout = absl::ZeroDuration()) {
  LedgerBook book = FundedLedgerBook();
  const TransferOutcome outcome = ApplyOne(book, HoldMoney("hold", "alice", "carol", 30'000'000, timeout));
  EXPECT_EQ(outcome.result, TransferResult::kOk);
  return book;
}

TEST(LedgerBookTwoPhaseTest, AHoldMovesOnlyThePendingCounters) {
  const LedgerBook book = TwoPhaseBookWithHold();
  const Account& alice = *book.FindAccount("alice");
  EXPECT_EQ(alice.debits_pending, 30'000'000);
  EXPECT_EQ(alice.debits_posted, 0);
  EXPECT_EQ(PostedBalance(alice), 100'000'000);
  EXPECT_EQ(AvailableBalance(alice), 70'000'000);
  const Account& carol = *book.FindAccount("carol");
  EXPECT_EQ(carol.credits_pending, 30'000'000);
  EXPECT_EQ(carol.credits_posted, 0);
  EXPECT_EQ(PostedBalance(carol), 0);
  const TransferRecord& hold = *book.FindTransfer("hold");
  EXPECT_EQ(hold.state, PendingState::kPending);
  EXPECT_EQ(hold.expires_at, absl::InfiniteFuture());
  EXPECT_THAT(book.CheckInvariants(), IsEmpty());
}

TEST(LedgerBookTwoPhaseTest, AHoldCountsAgainstTheLimitAtOnce) {
  LedgerBook book = TwoPhaseBookWithHold();
  EXPECT_EQ(ApplyOne(book, MoveMoney("t1", "alice", "fees", 70'000'001)).result, TransferResult::kExceedsCredits);
  EXPECT_EQ(ApplyOne(book, HoldMoney("h2", "alice", "fees", 70'000'001)).result, TransferResult::kExceedsCredits);
  EXPECT_EQ(ApplyOne(book, MoveMoney("t1", "alice", "fees", 70'000'000)).result, TransferResult::kOk);
  EXPECT_EQ(AvailableBalance(*book.FindAccount("alice")), 0);
}

TEST(LedgerBookTwoPhaseTest, PostingZeroPostsAllThatIsHeld) {
  LedgerBook book = TwoPhaseBookWithHold();
  EXPECT_EQ(ApplyOne(book, PostHold("post", "hold")).result, TransferResult::kOk);
  const Account& alice = *book.FindAccount("alice");
  EXPECT_EQ(alice.debits_pending, 0);
  EXPECT_EQ(alice.debits_posted, 30'000'000);
  const Account& carol = *book.FindAccount("carol");
  EXPECT_EQ(carol.credits_pending, 0);
  EXPECT_EQ(carol.credits_posted, 30'000'000);
  EXPECT_EQ(book.FindTransfer("hold")->state, PendingState::kPosted);
  const TransferRecord& post = *book.FindTransfer("post");
  EXPECT_EQ(post.transfer, PostHold("post", "hold"));
  EXPECT_EQ(post.debit_account_id, "alice");
  EXPECT_EQ(post.credit_account_id, "carol");
  EXPECT_EQ(post.currency, kTestUsd);
  EXPECT_EQ(post.code, TransferCode::kPayout);
  EXPECT_EQ(post.amount, 30'000'000);
  EXPECT_EQ(post.state, PendingState::kNotPending);
  EXPECT_THAT(book.CheckInvariants(), IsEmpty());
}

TEST(LedgerBookTwoPhaseTest, APartialPostReleasesTheRest) {
  LedgerBook book = TwoPhaseBookWithHold();
  EXPECT_EQ(ApplyOne(book, PostHold("post", "hold", 10'000'000)).result, TransferResult::kOk);
  const Account& alice = *book.FindAccount("alice");
  EXPECT_EQ(alice.debits_pending, 0);
  EXPECT_EQ(alice.debits_posted, 10'000'000);
  EXPECT_EQ(AvailableBalance(alice), 90'000'000);
  EXPECT_EQ(book.FindAccount("carol")->credits_posted, 10'000'000);
  EXPECT_EQ(book.FindAccount("carol")->credits_pending, 0);
  EXPECT_EQ(book.FindTransfer("post")->amount, 10'000'000);
  EXPECT_THAT(book.CheckInvariants(), IsEmpty());
}

TEST(LedgerBookTwoPhaseTest, APostTakesNoMoreThanIsHeld) {
  LedgerBook book = TwoPhaseBookWithHold();
  EXPECT_EQ(ApplyOne(book, PostHold("post", "hold", 30'000'001)).result,
            TransferResult::kExceedsPendingTransferAmount);
  EXPECT_EQ(book.FindTransfer("hold")->state, PendingState::kPending);
  EXPECT_EQ(book.FindTransfer("post"), nullptr);
  EXPECT_EQ(ApplyOne(book, PostHold("post", "hold", 30'000'000)).result, TransferResult::kOk);
}

TEST(LedgerBookTwoPhaseTest, AVoidReleasesTheHold) {
  LedgerBook book = TwoPhaseBookWithHold();
  EXPECT_EQ(ApplyOne(book, VoidHold("void", "hold")).result, TransferResult::kOk);
  const Account& alice = *book.FindAccount("alice");
  EXPECT_EQ(alice.debits_pending, 0);
  EXPECT_EQ(alice.debits_posted, 0);
  EXPECT_EQ(AvailableBalance(alice), 100'000'000);
  EXPECT_EQ(book.FindAccount("carol")->credits_pending, 0);
  EXPECT_EQ(book.FindAccount("carol")->credits_posted, 0);
  EXPECT_EQ(book.FindTransfer("hold")->state, PendingState::kVoided);
  EXPECT_EQ(book.FindTransfer("void")->amount, 30'000'000);
  EXPECT_THAT(book.CheckInvariants(), IsEmpty());
}

TEST(LedgerBookTwoPhaseTest, AHoldResolvesOnce) {
  LedgerBook book = TwoPhaseBookWithHold();
  ASSERT_EQ(ApplyOne(book, PostHold("post", "hold")).result, TransferResult::kOk);
  // The same post again is a retry; another post or a void is refused.
  EXPECT_EQ(ApplyOne(book, PostHold("post", "hold")).result, TransferResult::kExists);
  EXPECT_EQ(ApplyOne(book, PostHold("post-2", "hold")).result, TransferResult::kPendingTransferAlreadyPosted);
  EXPECT_EQ(ApplyOne(book, VoidHold("void", "hold")).result, TransferResult::kPendingTransferAlreadyPosted);

  ASSERT_EQ(ApplyOne(book, HoldMoney("hold-2", "bob", "carol", 1'000'000)).result, TransferResult::kOk);
  ASSERT_EQ(ApplyOne(book, VoidHold("void-2", "hold-2")).result, TransferResult::kOk);
  EXPECT_EQ(ApplyOne(book, PostHold("post-3", "hold-2")).result, TransferResult::kPendingTransferAlreadyVoided);
  EXPECT_EQ(ApplyOne(book, VoidHold("void-3", "hold-2")).result, TransferResult::kPendingTransferAlreadyVoided);
  EXPECT_EQ(book.FindAccount("carol")->credits_posted, 30'000'000);
  EXPECT_THAT(book.CheckInvariants(), IsEmpty());
}

TEST(LedgerBookTwoPhaseTest, OnlyAnExistingHoldCanBeResolved) {
  LedgerBook book = TwoPhaseBookWithHold();
  EXPECT_EQ(ApplyOne(book, PostHold("post", "nope")).result, TransferResult::kPendingTransferNotFound);
  EXPECT_EQ(ApplyOne(book, PostHold("post", "fund-alice")).result, TransferResult::kPendingTransferNotPending);
  Transfer wrong_code = PostHold("post", "hold");
  wrong_code.code = TransferCode::kTipCreator;
  EXPECT_EQ(ApplyOne(book, wrong_code).result, TransferResult::kPendingTransferHasDifferentCode);
  Transfer wrong_account = VoidHold("void", "hold");
  wrong_account.credit_account_id = "fees";
  EXPECT_EQ(ApplyOne(book, wrong_account).result, TransferResult::kPendingTransferHasDifferentCreditAccountId);
  EXPECT_EQ(book.FindTransfer("hold")->state, PendingState::kPending);
}

TEST(LedgerBookTwoPhaseTest, ExpirePendingReleasesHoldsWhenTheyAreDue) {
  LedgerBook book = TwoPhaseBookWithHold(absl::Hours(1));
  ASSERT_EQ(ApplyOne(book, HoldMoney("short", "alice", "carol", 1'000'000, absl::Minutes(30))).result,
            TransferResult::kOk);
  ASSERT_EQ(ApplyOne(book, HoldMoney("forever", "alice", "carol", 2'000'000)).result, TransferResult::kOk);
  EXPECT_EQ(book.FindTransfer("hold")->expires_at, LedgerTestNow() + absl::Hours(1));

  EXPECT_THAT(book.ExpirePending(LedgerTestNow() + absl::Minutes(29)), IsEmpty());
  EXPECT_THAT(book.ExpirePending(LedgerTestNow() + absl::Minutes(30)), ElementsAre("short"));
  EXPECT_EQ(book.FindTransfer("short")->state, PendingState::kExpired);
  EXPECT_EQ(book.FindAccount("alice")->debits_pending, 32'000'000);
  EXPECT_EQ(ApplyOne(book, PostHold("post-short", "short")).result, TransferResult::kPendingTransferExpired);

  // Posted before it was due: nothing left to expire.
  EXPECT_EQ(ApplyOne(book, PostHold("post", "hold"), LedgerTestNow() + absl::Minutes(59)).result,
            TransferResult::kOk);
  EXPECT_THAT(book.ExpirePending(LedgerTestNow() + absl::Hours(1000)), IsEmpty());
  EXPECT_EQ(book.FindTransfer("forever")->state, PendingState::kPending);
  EXPECT_EQ(book.FindAccount("alice")->debits_pending, 2'000'000);
  EXPECT_EQ(book.FindAccount("alice")->debits_posted, 30'000'000);
  EXPECT_THAT(book.CheckInvariants(), IsEmpty());
}

TEST(LedgerBookTwoPhaseTest, AHoldIsExpiredFromTheMomentItIsDueEvenBeforeTheSweep) {
  LedgerBook book = TwoPhaseBookWithHold(absl::Hours(1));
  const absl::Time due = LedgerTestNow() + absl::Hours(1);
  EXPECT_EQ(ApplyOne(book, PostHold("post", "hold"), due).result, TransferResult::kPendingTransferExpired);
  EXPECT_EQ(ApplyOne(book, VoidHold("void", "hold"), due).result, TransferResult::kPendingTransferExpired);
  // Still held until the sweep releases it.
  EXPECT_EQ(book.FindAccount("alice")->debits_pending, 30'000'000);
  EXPECT_THAT(book.ExpirePending(due), ElementsAre("hold"));
  EXPECT_EQ(book.FindAccount("alice")->debits_pending, 0);
  EXPECT_EQ(book.FindAccount("carol")->credits_pending, 0);
  EXPECT_THAT(book.CheckInvariants(), IsEmpty());
}

TEST(LedgerBookTwoPhaseTest, ExpirePendingReleasesEarliestFirst) {
  LedgerBook book = FundedLedgerBook();
  const auto outcomes = book.Apply(std::vector<Transfer>{HoldMoney("h-3h", "alice", "carol", 1, absl::Hours(3)),
                                                         HoldMoney("h-1h", "alice", "carol", 1, absl::Hours(1)),
                                                         HoldMoney("h-2h", "bob", "carol", 1, absl::Hours(2)),
                                                         HoldMoney("a-2h", "bob", "carol", 1, absl::Hours(2))},
                                   LedgerTestNow());
  for (const TransferOutcome& outcome : outcomes) ASSERT_EQ(outcome.result, TransferResult::kOk);
  // Equal expiry times go by id.
  EXPECT_THAT(book.ExpirePending(LedgerTestNow() + absl::Hours(5)), ElementsAre("h-1h", "a-2h", "h-2h", "h-3h"));
  EXPECT_EQ(book.FindAccount("carol")->credits_pending, 0);
}

TEST(LedgerBookTwoPhaseTest, ATimeoutThatCannotBeReachedIsRefused) {
  LedgerBook book = FundedLedgerBook();
  EXPECT_EQ(ApplyOne(book, HoldMoney("h", "alice", "carol", 1, absl::InfiniteDuration())).result,
            TransferResult::kOverflowsTimeout);
  EXPECT_EQ(book.FindTransfer("h"), nullptr);
  EXPECT_EQ(book.FindAccount("alice")->debits_pending, 0);
}

}  // namespace
}  // namespace clipforge::ledger
