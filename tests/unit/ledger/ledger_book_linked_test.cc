// Linked chains: all or nothing. A failing member reports why and every
// other member reports linked_event_failed, with nothing of the chain left
// applied (holds it made or resolved included); later chains of the batch
// still run; a batch that ends inside a chain fails it; a retried chain
// reports exists for every member.
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
using testing::LedgerTestNow;
using testing::Linked;
using testing::MoveMoney;
using testing::PostHold;
using testing::ResultsOf;
using testing::VoidHold;

using Batch = std::vector<Transfer>;

// The accounts of `book`, to compare before and after a failed chain.
AccountTable LinkedSnapshot(const LedgerBook& book) { return book.accounts(); }

TEST(LedgerBookLinkedTest, AChainAppliesWhole) {
  LedgerBook book = FundedLedgerBook();
  const auto outcomes = book.Apply(Batch{Linked(MoveMoney("fee", "alice", "fees", 50'000)),
                                         Linked(MoveMoney("royalty", "alice", "bob", 47'500)),
                                         MoveMoney("creator", "alice", "carol", 902'500)},
                                   LedgerTestNow());
  EXPECT_THAT(ResultsOf(outcomes), ElementsAre(TransferResult::kOk, TransferResult::kOk, TransferResult::kOk));
  EXPECT_EQ(book.FindAccount("alice")->debits_posted, 1'000'000);
  EXPECT_THAT(book.CheckInvariants(), IsEmpty());
}

TEST(LedgerBookLinkedTest, OneFailingMemberFailsTheWholeChain) {
  LedgerBook book = FundedLedgerBook();
  const AccountTable before = LinkedSnapshot(book);
  const auto outcomes = book.Apply(Batch{Linked(MoveMoney("c1", "alice", "carol", 1'000'000)),
                                         Linked(MoveMoney("c2", "alice", "fees", 200'000'000)),
                                         MoveMoney("c3", "alice", "carol", 1'000'000)},
                                   LedgerTestNow());
  EXPECT_THAT(ResultsOf(outcomes), ElementsAre(TransferResult::kLinkedEventFailed, TransferResult::kExceedsCredits,
                                               TransferResult::kLinkedEventFailed));
  EXPECT_EQ(LinkedSnapshot(book), before);
  EXPECT_EQ(book.FindTransfer("c1"), nullptr);
  EXPECT_EQ(book.FindTransfer("c2"), nullptr);
  EXPECT_EQ(book.FindTransfer("c3"), nullptr);
  EXPECT_THAT(book.CheckInvariants(), IsEmpty());
}

TEST(LedgerBookLinkedTest, TheLastMemberFailingUndoesTheFirst) {
  LedgerBook book = FundedLedgerBook();
  const AccountTable before = LinkedSnapshot(book);
  const auto outcomes = book.Apply(
      Batch{Linked(MoveMoney("c1", "alice", "carol", 1'000'000)), MoveMoney("c2", "alice", "nobody", 1)},
      LedgerTestNow());
  EXPECT_THAT(ResultsOf(outcomes),
              ElementsAre(TransferResult::kLinkedEventFailed, TransferResult::kCreditAccountNotFound));
  EXPECT_EQ(LinkedSnapshot(book), before);
  EXPECT_EQ(book.FindTransfer("c1"), nullptr);
}

TEST(LedgerBookLinkedTest, LaterChainsOfTheBatchStillRun) {
  LedgerBook book = FundedLedgerBook();
  const auto outcomes = book.Apply(Batch{Linked(MoveMoney("a1", "alice", "carol", 200'000'000)),
                                         MoveMoney("a2", "alice", "carol", 1'000'000),
                                         Linked(MoveMoney("b1", "bob", "carol", 1'000'000)),
                                         MoveMoney("b2", "bob", "fees", 1'000'000),
                                         MoveMoney("c1", "bob", "carol", 1'000'000)},
                                   LedgerTestNow());
  EXPECT_THAT(ResultsOf(outcomes),
              ElementsAre(TransferResult::kExceedsCredits, TransferResult::kLinkedEventFailed, TransferResult::kOk,
                          TransferResult::kOk, TransferResult::kOk));
  EXPECT_EQ(book.FindAccount("alice")->debits_posted, 0);
  EXPECT_EQ(book.FindAccount("bob")->debits_posted, 3'000'000);
}

TEST(LedgerBookLinkedTest, ABatchEndingInsideAChainFailsThatChain) {
  LedgerBook book = FundedLedgerBook();
  const auto outcomes = book.Apply(Batch{MoveMoney("t1", "alice", "carol", 1'000'000),
                                         Linked(MoveMoney("t2", "alice", "carol", 1'000'000)),
                                         Linked(MoveMoney("t3", "alice", "carol", 1'000'000))},
                                   LedgerTestNow());
  EXPECT_THAT(ResultsOf(outcomes), ElementsAre(TransferResult::kOk, TransferResult::kLinkedEventFailed,
                                               TransferResult::kLinkedEventChainOpen));
  EXPECT_EQ(book.FindAccount("carol")->credits_posted, 1'000'000);
  EXPECT_EQ(book.FindTransfer("t2"), nullptr);
  EXPECT_EQ(book.FindTransfer("t3"), nullptr);

  EXPECT_EQ(ApplyOne(book, Linked(MoveMoney("t4", "alice", "carol", 1))).result,
            TransferResult::kLinkedEventChainOpen);
  EXPECT_EQ(book.FindTransfer("t4"), nullptr);
}

TEST(LedgerBookLinkedTest, MoneyCreditedEarlierInTheChainIsSpendableLaterInIt) {
  LedgerBook book = FundedLedgerBook();
  // carol's earnings start empty.
  auto outcomes = book.Apply(
      Batch{Linked(MoveMoney("in", "alice", "carol", 5'000'000)), MoveMoney("out", "carol", "fees", 5'000'000)},
      LedgerTestNow());
  EXPECT_THAT(ResultsOf(outcomes), ElementsAre(TransferResult::kOk, TransferResult::kOk));
  const AccountTable before = LinkedSnapshot(book);
  outcomes = book.Apply(
      Batch{Linked(MoveMoney("in2", "alice", "carol", 1'000'000)), MoveMoney("out2", "carol", "fees", 2'000'000)},
      LedgerTestNow());
  EXPECT_THAT(ResultsOf(outcomes), ElementsAre(TransferResult::kLinkedEventFailed, TransferResult::kExceedsCredits));
  EXPECT_EQ(LinkedSnapshot(book), before);
}

TEST(LedgerBookLinkedTest, ARetriedChainReportsExistsForEveryMember) {
  LedgerBook book = FundedLedgerBook();
  const Batch tip = {Linked(MoveMoney("tip/fee", "alice", "fees", 50'000)),
                     Linked(MoveMoney("tip/royalty/1", "alice", "bob", 47'500)),
                     MoveMoney("tip/creator", "alice", "carol", 902'500)};
  ASSERT_THAT(ResultsOf(book.Apply(tip, LedgerTestNow())),
              ElementsAre(TransferResult::kOk, TransferResult::kOk, TransferResult::kOk));
  const AccountTable after_first = LinkedSnapshot(book);
  EXPECT_THAT(ResultsOf(book.Apply(tip, LedgerTestNow() + absl::Minutes(5))),
              ElementsAre(TransferResult::kExists, TransferResult::kExists, TransferResult::kExists));
  EXPECT_EQ(LinkedSnapshot(book), after_first);
}

TEST(LedgerBookLinkedTest, AConflictingIdFailsTheChain) {
  LedgerBook book = FundedLedgerBook();
  ASSERT_EQ(ApplyOne(book, MoveMoney("t1", "alice", "carol", 1'000'000)).result, TransferResult::kOk);
  const AccountTable before = LinkedSnapshot(book);
  const auto outcomes = book.Apply(
      Batch{Linked(MoveMoney("new", "bob", "carol", 1'000'000)), MoveMoney("t1", "alice", "carol", 2'000'000)},
      LedgerTestNow());
  EXPECT_THAT(ResultsOf(outcomes),
              ElementsAre(TransferResult::kLinkedEventFailed, TransferResult::kExistsWithDifferentFields));
  EXPECT_THAT(outcomes[1].differing_fields, ElementsAre("amount"));
  EXPECT_EQ(LinkedSnapshot(book), before);
  EXPECT_EQ(book.FindTransfer("new"), nullptr);
}

TEST(LedgerBookLinkedTest, AnExistingMemberDoesNotFailAChainOfNewOnes) {
  // The documented difference from TigerBeetle: kExists is not a failure.
  LedgerBook book = FundedLedgerBook();
  ASSERT_THAT(ResultsOf(book.Apply(Batch{Linked(MoveMoney("a", "alice", "carol", 1'000'000)),
                                         MoveMoney("b", "alice", "carol", 1'000'000)},
                                   LedgerTestNow())),
              ElementsAre(TransferResult::kOk, TransferResult::kOk));
  const auto outcomes = book.Apply(
      Batch{Linked(MoveMoney("a", "alice", "carol", 1'000'000)), MoveMoney("c", "alice", "carol", 1'000'000)},
      LedgerTestNow());
  EXPECT_THAT(ResultsOf(outcomes), ElementsAre(TransferResult::kExists, TransferResult::kOk));
  EXPECT_EQ(book.FindAccount("carol")->credits_posted, 3'000'000);
}

TEST(LedgerBookLinkedTest, AFailedChainTakesBackTheHoldsItMadeAndResolved) {
  LedgerBook book = FundedLedgerBook();
  const AccountTable before = LinkedSnapshot(book);
  const auto outcomes = book.Apply(Batch{Linked(HoldMoney("h1", "alice", "carol", 5'000'000, absl::Hours(1))),
                                         Linked(PostHold("p1", "h1")),
                                         MoveMoney("boom", "alice", "fees", 1'000'000'000)},
                                   LedgerTestNow());
  EXPECT_THAT(ResultsOf(outcomes), ElementsAre(TransferResult::kLinkedEventFailed,
                                               TransferResult::kLinkedEventFailed, TransferResult::kExceedsCredits));
  EXPECT_EQ(LinkedSnapshot(book), before);
  EXPECT_EQ(book.FindTransfer("h1"), nullptr);
  EXPECT_EQ(book.FindTransfer("p1"), nullptr);
  // Nothing is left to expire either.
  EXPECT_THAT(book.ExpirePending(LedgerTestNow() + absl::Hours(2)), IsEmpty());
  EXPECT_THAT(book.CheckInvariants(), IsEmpty());
}

TEST(LedgerBookLinkedTest, AFailedChainPuttingBackAHoldItPostedKeepsItsTimeout) {
  LedgerBook book = FundedLedgerBook();
  ASSERT_EQ(ApplyOne(book, HoldMoney("h2", "alice", "carol", 5'000'000, absl::Hours(1))).result,
            TransferResult::kOk);
  const AccountTable held = LinkedSnapshot(book);
  const auto outcomes =
      book.Apply(Batch{Linked(PostHold("p2", "h2")), MoveMoney("boom", "alice", "fees", 1'000'000'000)},
                 LedgerTestNow() + absl::Minutes(10));
  EXPECT_THAT(ResultsOf(outcomes), ElementsAre(TransferResult::kLinkedEventFailed, TransferResult::kExceedsCredits));
  EXPECT_EQ(LinkedSnapshot(book), held);
  EXPECT_EQ(book.FindTransfer("h2")->state, PendingState::kPending);
  EXPECT_EQ(book.FindTransfer("p2"), nullptr);
  // Still due to expire on time.
  EXPECT_THAT(book.ExpirePending(LedgerTestNow() + absl::Hours(1)), ElementsAre("h2"));
  EXPECT_EQ(book.FindAccount("alice")->debits_pending, 0);
  EXPECT_THAT(book.CheckInvariants(), IsEmpty());
}

TEST(LedgerBookLinkedTest, AFailedChainPuttingBackAHoldItVoidedLetsItBePostedLater) {
  LedgerBook book = FundedLedgerBook();
  ASSERT_EQ(ApplyOne(book, HoldMoney("h3", "alice", "carol", 5'000'000)).result, TransferResult::kOk);
  const auto outcomes = book.Apply(
      Batch{Linked(VoidHold("v3", "h3")), MoveMoney("boom", "alice", "fees", 1'000'000'000)}, LedgerTestNow());
  EXPECT_THAT(ResultsOf(outcomes), ElementsAre(TransferResult::kLinkedEventFailed, TransferResult::kExceedsCredits));
  EXPECT_EQ(book.FindAccount("alice")->debits_pending, 5'000'000);
  EXPECT_EQ(ApplyOne(book, PostHold("p3", "h3")).result, TransferResult::kOk);
  EXPECT_EQ(book.FindAccount("carol")->credits_posted, 5'000'000);
  EXPECT_THAT(book.CheckInvariants(), IsEmpty());
}

}  // namespace
}  // namespace clipforge::ledger
