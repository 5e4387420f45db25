// Billing periods and upgrade proration: monthly periods keep their anchor
// day, clamped to short months; an upgrade costs the price difference for
// the time left, rounded against the subscriber by at most a micro, and
// never more than a month's difference; downgrades and times outside the
// period are refused.
#include "ledger/subscription_period.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/time/civil_time.h"
#include "base/testing/status_matchers.h"

namespace clipforge::ledger {
namespace {

using base::testing::StatusIs;
using ::testing::HasSubstr;

absl::Time At(int y, int m, int d, int hour = 9) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hour, 30, 0), absl::UTCTimeZone());
}

TEST(BillingPeriodTest, PeriodsKeepTheAnchorDayClampedToShortMonths) {
  const absl::Time anchor = At(2027, 1, 31);
  const BillingPeriod first = PeriodContaining(anchor, At(2027, 2, 10));
  EXPECT_EQ(first.start, anchor);
  EXPECT_EQ(first.end, At(2027, 2, 28));
  const BillingPeriod second = PeriodContaining(anchor, At(2027, 3, 1));
  EXPECT_EQ(second.start, At(2027, 2, 28));
  EXPECT_EQ(second.end, At(2027, 3, 31));  // back to the 31st
  // 2028 is a leap year.
  EXPECT_EQ(PeriodContaining(anchor, At(2028, 2, 15)).end, At(2028, 2, 29));
  // The boundary belongs to the next period; a second before, to this one.
  EXPECT_EQ(PeriodContaining(anchor, At(2027, 2, 28)).start, At(2027, 2, 28));
  EXPECT_EQ(PeriodContaining(anchor, At(2027, 2, 28) - absl::Seconds(1)).start, anchor);
  // Before the anchor: the first period.
  EXPECT_EQ(PeriodContaining(anchor, anchor - absl::Hours(1)).start, anchor);
  // Years on, still anchored (no drift from chaining clamped months).
  EXPECT_EQ(PeriodContaining(anchor, At(2030, 8, 31, 12)).start, At(2030, 8, 31));
}

TEST(UpgradeProrationTest, TheDifferenceForTheTimeLeftRoundedAgainstTheSubscriber) {
  const BillingPeriod period{.start = At(2027, 4, 1), .end = At(2027, 5, 1)};  // 30 days
  // At the start: the whole difference.
  EXPECT_EQ(UpgradeProration(Plan::kPlus, Plan::kPro, period, period.start).value(),
            MonthlyPrice(Plan::kPro) - MonthlyPrice(Plan::kPlus));
  // Half way: half of it (5.00 of 9.99 - 4.99), exactly.
  EXPECT_EQ(UpgradeProration(Plan::kPlus, Plan::kPro, period, At(2027, 4, 16)).value(), 2'500'000);
  // From free, a third of the month left: 9.99 / 3.
  EXPECT_EQ(UpgradeProration(Plan::kFree, Plan::kPro, period, At(2027, 4, 21)).value(), 3'330'000);
  // A second before the end: 5.00 x 1 / 2,592,000 is 1.9 micros, so 2.
  EXPECT_EQ(UpgradeProration(Plan::kPlus, Plan::kPro, period, period.end - absl::Seconds(1)).value(), 2);
  // Over every hour of the month: within a micro of the exact share, and
  // never more than the month's difference.
  for (absl::Time now = period.start; now < period.end; now += absl::Hours(1)) {
    const Micros due = UpgradeProration(Plan::kPlus, Plan::kPro, period, now).value();
    const double exact = 5'000'000.0 * absl::FDivDuration(period.end - now, period.end - period.start);
    EXPECT_GE(static_cast<double>(due), exact - 1e-6);
    EXPECT_LE(static_cast<double>(due), exact + 1.0 + 1e-6);
    EXPECT_LE(due, 5'000'000);
  }
}

TEST(UpgradeProrationTest, DowngradesAndTimesOutsideThePeriodAreRefused) {
  const BillingPeriod period{.start = At(2027, 4, 1), .end = At(2027, 5, 1)};
  EXPECT_THAT(UpgradeProration(Plan::kPro, Plan::kPlus, period, At(2027, 4, 2)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("plan")));
  EXPECT_THAT(UpgradeProration(Plan::kPlus, Plan::kPlus, period, At(2027, 4, 2)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("plan")));
  EXPECT_THAT(UpgradeProration(Plan::kPlus, Plan::kPro, period, period.end).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("now")));
  EXPECT_THAT(UpgradeProration(Plan::kPlus, Plan::kPro, period, period.start - absl::Seconds(1)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("now")));
}

}  // namespace
}  // namespace clipforge::ledger
