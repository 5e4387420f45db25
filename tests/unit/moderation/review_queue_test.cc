#include "moderation/review_queue.h"

#include <gtest/gtest.h>

namespace clipforge::moderation {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

TEST(ReviewQueueTest, EachFactorMultipliesPriority) {
  const QueueSignals base{.severity = 0, .views = 0, .report_count = 1};
  EXPECT_DOUBLE_EQ(PriorityDoublings(base), 0.0);
  EXPECT_DOUBLE_EQ(PriorityDoublings({.severity = 1, .views = 0, .report_count = 1}), 1.0);   // x2
  EXPECT_DOUBLE_EQ(PriorityDoublings({.severity = 0, .views = 3, .report_count = 1}), 2.0);   // x4
  EXPECT_DOUBLE_EQ(PriorityDoublings({.severity = 0, .views = 0, .report_count = 8}), 3.0);   // x8
  EXPECT_DOUBLE_EQ(PriorityDoublings({.severity = 1, .views = 3, .report_count = 8}), 6.0);  // x64
}

TEST(ReviewQueueTest, OutOfRangeSignalsAreClamped) {
  EXPECT_DOUBLE_EQ(PriorityDoublings({.severity = -5, .views = -9, .report_count = -2}), 0.0);
  EXPECT_DOUBLE_EQ(PriorityDoublings({.severity = 1000, .views = 0, .report_count = 0}),
                   PriorityDoublings({.severity = 100, .views = 0, .report_count = 0}));
}

TEST(ReviewQueueTest, SevereAndReportedCasesGoFirst) {
  const int64_t spam = QueueRankMicros(kT0, {.severity = 10, .views = 0, .report_count = 1});
  const int64_t child_safety = QueueRankMicros(kT0, {.severity = 100, .views = 0, .report_count = 1});
  const int64_t reported_often = QueueRankMicros(kT0, {.severity = 10, .views = 0, .report_count = 50});
  const int64_t viral = QueueRankMicros(kT0, {.severity = 10, .views = 1'000'000, .report_count = 1});
  EXPECT_LT(child_safety, spam);
  EXPECT_LT(reported_often, spam);
  EXPECT_LT(viral, reported_often);
}

TEST(ReviewQueueTest, AgingOvertakesAHigherPriorityThatCameLater) {
  const QueueSignals low{.severity = 0, .views = 0, .report_count = 1};
  const QueueSignals high{.severity = 100, .views = 0, .report_count = 1};
  const absl::Duration lead = HeadStart(high) - HeadStart(low);
  ASSERT_GT(lead, absl::ZeroDuration());
  // Arriving later than the lead, the high case ranks after the old low one.
  EXPECT_LT(QueueRankMicros(kT0, low), QueueRankMicros(kT0 + lead + absl::Minutes(1), high));
  // Arriving sooner, it ranks first.
  EXPECT_GT(QueueRankMicros(kT0, low), QueueRankMicros(kT0 + lead - absl::Minutes(1), high));
}

TEST(ReviewQueueTest, HeadStartIsBoundedSoNothingStarves) {
  const QueueSignals extreme{.severity = 100, .views = int64_t{1} << 60, .report_count = 1 << 30};
  EXPECT_EQ(HeadStart(extreme), kMaxHeadStart);
  const QueueSignals least{};
  // A case waits behind later ones for at most kMaxHeadStart.
  EXPECT_LT(QueueRankMicros(kT0, least), QueueRankMicros(kT0 + kMaxHeadStart + absl::Seconds(1), extreme));
}

TEST(ReviewQueueTest, DisplayPriorityGrowsWithWaitingAndSaturates) {
  const int64_t rank = QueueRankMicros(kT0, {});
  EXPECT_EQ(DisplayPriority(rank, kT0), 0);
  EXPECT_EQ(DisplayPriority(rank, kT0 + kMaxHeadStart / 2), 50);
  EXPECT_EQ(DisplayPriority(rank, kT0 + kMaxHeadStart * 3), 100);
  EXPECT_EQ(DisplayPriority(rank, kT0 - absl::Hours(1)), 0);
  const int64_t severe = QueueRankMicros(kT0, {.severity = 100, .views = 0, .report_count = 1});
  EXPECT_GT(DisplayPriority(severe, kT0), 0);
}

}  // namespace
}  // namespace clipforge::moderation
