// Earnings release: 7 days for an established creator, 30 for a creator in
// their first 30 days of earning, never while disputed; the release moves
// pending to available earnings once, and never more than was credited.
#include "ledger/earnings_release.h"

#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ledger/ledger_book.h"
#include "ledger/tip_transfers.h"
#include "tests/unit/ledger/ledger_test_util.h"

namespace clipforge::ledger {
namespace {

using testing::kTestUsd;
using testing::LedgerTestNow;
using testing::MoveMoney;

constexpr absl::Duration kDay = absl::Hours(24);

TEST(EarningsReleaseTest, EstablishedCreatorsWaitAWeekNewOnesAMonth) {
  const absl::Time now = LedgerTestNow();
  // First earned 31 days ago: established.
  EXPECT_EQ(EarningsReleaseAt(now, now - 31 * kDay), now + 7 * kDay);
  // Exactly 30 days ago: no longer new.
  EXPECT_EQ(EarningsReleaseAt(now, now - 30 * kDay), now + 7 * kDay);
  // 29 days ago, or this very credit the first: new.
  EXPECT_EQ(EarningsReleaseAt(now, now - 29 * kDay), now + 30 * kDay);
  EXPECT_EQ(EarningsReleaseAt(now, now), now + 30 * kDay);
  // A first earning recorded after the credit (a backfill) counts from the
  // credit.
  EXPECT_EQ(EarningsReleaseAt(now, now + kDay), now + 30 * kDay);
}

TEST(EarningsReleaseTest, DueFromTheReleaseTimeAndNeverWhileDisputed) {
  const absl::Time release_at = LedgerTestNow() + 7 * kDay;
  EarningsCredit credit{.transfer_id = "tip-1/2", .owner_id = "creator", .amount = 5, .release_at = release_at};
  EXPECT_FALSE(EarningsReleaseDue(credit, release_at - absl::Seconds(1)));
  EXPECT_TRUE(EarningsReleaseDue(credit, release_at));
  credit.disputed = true;
  EXPECT_FALSE(EarningsReleaseDue(credit, release_at + 365 * kDay));
}

TEST(EarningsReleaseTest, TheReleaseMovesPendingToAvailableOnce) {
  LedgerBook book;
  const std::string pending = AccountIdOf(AccountKind::kUserEarningsPending, "creator", kTestUsd);
  const std::string available = AccountIdOf(AccountKind::kUserEarningsAvailable, "creator", kTestUsd);
  for (const Account& account : {OpenAccount("capital", AccountKind::kPlatformCapital, kTestUsd),
                                 OpenAccount(pending, AccountKind::kUserEarningsPending, kTestUsd),
                                 OpenAccount(available, AccountKind::kUserEarningsAvailable, kTestUsd)}) {
    ASSERT_TRUE(book.CreateAccount(account).ok());
  }
  const std::vector<Transfer> credited = {MoveMoney("tip-1/2", "capital", pending, 3 * kMicrosPerUnit)};
  ASSERT_TRUE(book.Apply(credited, LedgerTestNow())[0].ok());
  const EarningsCredit credit{.transfer_id = "tip-1/2",
                              .owner_id = "creator",
                              .amount = 3 * kMicrosPerUnit,
                              .release_at = EarningsReleaseAt(LedgerTestNow(), LedgerTestNow() - 60 * kDay)};
  const std::vector<Transfer> release = {EarningsRelease(credit, kTestUsd)};
  EXPECT_EQ(release[0].code, TransferCode::kEarningsRelease);
  ASSERT_TRUE(book.Apply(release, credit.release_at)[0].ok());
  EXPECT_EQ(PostedBalance(*book.FindAccount(pending)), 0);
  EXPECT_EQ(PostedBalance(*book.FindAccount(available)), 3 * kMicrosPerUnit);
  // Released twice: recognised, nothing moves.
  EXPECT_EQ(book.Apply(release, credit.release_at)[0].result, TransferResult::kExists);
  EXPECT_EQ(PostedBalance(*book.FindAccount(available)), 3 * kMicrosPerUnit);
  // More than is pending (a clawback took part of it): refused by the
  // account's limit.
  const EarningsCredit inflated{.transfer_id = "tip-9/1", .owner_id = "creator", .amount = 1};
  const std::vector<Transfer> too_much = {EarningsRelease(inflated, kTestUsd)};
  EXPECT_EQ(book.Apply(too_much, credit.release_at)[0].result, TransferResult::kExceedsCredits);
  EXPECT_THAT(book.CheckInvariants(), ::testing::IsEmpty());
}

}  // namespace
}  // namespace clipforge::ledger
