// The earnings release job over the ledger writer and in-memory fakes: tip
// credits move from pending earnings to the tip jar once their hold is over
// (7 days; 30 for a creator in their first 30 days of earning), royalties
// too, each exactly once however often the job runs.
#include "services/tipping/earnings_release_logic.h"

#include <string>

#include "base/random.h"
#include "base/testing/fake_clock.h"
#include "base/testing/status_matchers.h"
#include "base/uuid.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/kit/event_factory.h"
#include "services/tipping/tipping_logic.h"
#include "tests/unit/tipping_service/fake_earnings_store.h"
#include "tests/unit/tipping_service/fake_ledger_store.h"
#include "tests/unit/tipping_service/fake_tipping_store.h"
#include "tests/unit/tipping_service/tipping_world.h"

namespace clipforge::tipping_service {
namespace earnings_release_logic_test {
namespace {

using ::clipforge::base::testing::FakeClock;
using ::clipforge::base::testing::IsOk;
using ::clipforge::tipping_service::testing::FakeEarningsStore;
using ::clipforge::tipping_service::testing::FakeLedgerStore;
using ::clipforge::tipping_service::testing::FakeTippingStore;
using ledger::AccountKind;
using ledger::Micros;

constexpr Micros kUnit = ledger::kMicrosPerUnit;

class EarningsReleaseTest : public ::clipforge::tipping_service::testing::TippingWorldTest {
 protected:
  // A tip of `amount` from a fresh, funded fan; the creator's share.
  Micros Tip(const std::string& clip_id, Micros amount) {
    const kit::Caller fan = User();
    EXPECT_THAT(logic_.CreateTopUp(fan, {.top_up_id = ids_.Next(), .amount = 10 * kUnit, .provider = "sandbox",
                                         .payment_method_token = "tok_visa"}),
                IsOk());
    const absl::StatusOr<TipRecord> tip =
        logic_.SendTip(fan, {.tip_id = ids_.Next(), .clip_id = clip_id, .amount = amount});
    EXPECT_THAT(tip, IsOk());
    return tip.ok() ? tip->legs.back().leg.amount : 0;
  }

  int Released(absl::Time now) {
    const absl::StatusOr<EarningsReleaseRun> run = release_.ReleaseDue(now);
    EXPECT_THAT(run, IsOk());
    return run.ok() ? run->released : -1;
  }

  FakeEarningsStore earnings_{ledger_};
  EarningsReleaseLogic release_{earnings_, writer_, ledger::Currency("USD")};
};

TEST_F(EarningsReleaseTest, AnEstablishedCreatorsEarningsMoveToTheJarAfterSevenDaysOnce) {
  const kit::Caller creator = User();
  const std::string clip = Clip(creator);
  // The creator first earned 40 days ago (released since).
  const Micros first = Tip(clip, kUnit);
  clock_.Advance(absl::Hours(24 * 40));
  EXPECT_EQ(Released(clock_.Now()), 1);
  EXPECT_EQ(Balance(creator, AccountKind::kUserEarningsAvailable), first);

  const absl::Time tipped = clock_.Now();
  const Micros share = Tip(clip, 2 * kUnit);
  EXPECT_EQ(Released(tipped + absl::Hours(24 * 7) - absl::Microseconds(1)), 0);
  EXPECT_EQ(Balance(creator, AccountKind::kUserEarningsPending), share);
  EXPECT_EQ(Released(tipped + absl::Hours(24 * 7)), 1);
  EXPECT_EQ(Balance(creator, AccountKind::kUserEarningsPending), 0);
  EXPECT_EQ(Balance(creator, AccountKind::kUserEarningsAvailable), first + share);
  // Running again releases nothing more.
  EXPECT_EQ(Released(tipped + absl::Hours(24 * 60)), 0);
  EXPECT_EQ(Balance(creator, AccountKind::kUserEarningsAvailable), first + share);
  EXPECT_TRUE(writer_.CheckInvariants().empty());
}

TEST_F(EarningsReleaseTest, ANewCreatorsEarningsWaitThirtyDaysAndRoyaltiesAreReleasedToo) {
  const kit::Caller parent_author = User();
  const kit::Caller creator = User();
  const std::string parent = Clip(parent_author);
  const std::string clip = Clip(creator, parent);
  const absl::Time tipped = clock_.Now();
  const Micros share = Tip(clip, 10 * kUnit);
  const Micros royalty = Balance(parent_author, AccountKind::kUserEarningsPending);
  ASSERT_GT(royalty, 0);

  EXPECT_EQ(Released(tipped + absl::Hours(24 * 7)), 0);
  EXPECT_EQ(Released(tipped + absl::Hours(24 * 30) - absl::Microseconds(1)), 0);
  EXPECT_EQ(Released(tipped + absl::Hours(24 * 30)), 2);
  EXPECT_EQ(Balance(creator, AccountKind::kUserEarningsAvailable), share);
  EXPECT_EQ(Balance(parent_author, AccountKind::kUserEarningsAvailable), royalty);
  EXPECT_EQ(Balance(parent_author, AccountKind::kUserEarningsPending), 0);
}

TEST_F(EarningsReleaseTest, ManyCreditsAreReleasedPageByPage) {
  const kit::Caller creator = User();
  const std::string clip = Clip(creator);
  Micros total = 0;
  for (int i = 0; i < 7; ++i) total += Tip(clip, kUnit);
  const absl::StatusOr<EarningsReleaseRun> run =
      release_.ReleaseDue(clock_.Now() + absl::Hours(24 * 30), /*page_size=*/3, /*max_pages=*/10);
  ASSERT_THAT(run, IsOk());
  EXPECT_EQ(run->released, 7);
  EXPECT_EQ(Balance(creator, AccountKind::kUserEarningsAvailable), total);
}

}  // namespace
}  // namespace earnings_release_logic_test
}  // namespace clipforge::tipping_service
