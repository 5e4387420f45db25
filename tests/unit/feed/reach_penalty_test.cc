// Mass-repost reach penalties: four copies in a day start none, the fifth
// starts one for a week from itself; five spread over days start none; the
// window's ends are included; forgiven copies (at or before a lift) never
// count; the latest run wins whatever order the times come in; a penalty
// costs reach until it ends or is lifted.
#include "feed/reach_penalty.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clipforge::feed {
namespace {

absl::Time ReachNoon() { return absl::FromUnixSeconds(1'800'000'000); }

// `count` copy times from `start`, `step` apart.
std::vector<absl::Time> ReachCopies(absl::Time start, int count, absl::Duration step) {
  std::vector<absl::Time> times;
  for (int i = 0; i < count; ++i) times.push_back(start + i * step);
  return times;
}

TEST(ReachPenaltyTest, FourCopiesInADayStartNoPenalty) {
  EXPECT_EQ(LatestMassRepostRun(ReachCopies(ReachNoon(), kMassRepostCopies - 1, absl::Hours(1))), std::nullopt);
  EXPECT_EQ(LatestMassRepostRun({}), std::nullopt);
}

TEST(ReachPenaltyTest, TheFifthCopyInADayStartsAWeekLongPenaltyFromItself) {
  const std::vector<absl::Time> times = ReachCopies(ReachNoon(), kMassRepostCopies, absl::Hours(2));

  const std::optional<MassRepostRun> run = LatestMassRepostRun(times);

  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->first_copy_at, times.front());
  EXPECT_EQ(run->started_at, times.back());
  EXPECT_EQ(run->until, times.back() + absl::Hours(24 * 7));
  EXPECT_EQ(run->copies, kMassRepostCopies);
}

TEST(ReachPenaltyTest, FiveCopiesSpreadOverThreeDaysStartNoPenalty) {
  // 18 h apart: any 24 h hold at most two.
  EXPECT_EQ(LatestMassRepostRun(ReachCopies(ReachNoon(), kMassRepostCopies, absl::Hours(18))), std::nullopt);
  // Four in a morning and the fifth two days later.
  std::vector<absl::Time> times = ReachCopies(ReachNoon(), kMassRepostCopies - 1, absl::Minutes(10));
  times.push_back(ReachNoon() + absl::Hours(48));
  EXPECT_EQ(LatestMassRepostRun(times), std::nullopt);
}

TEST(ReachPenaltyTest, TheWindowIncludesBothEnds) {
  // The first and the fifth exactly 24 h apart: a run.
  std::vector<absl::Time> times = ReachCopies(ReachNoon(), kMassRepostCopies, absl::Hours(6));
  ASSERT_EQ(times.back() - times.front(), kMassRepostWindow);
  const std::optional<MassRepostRun> run = LatestMassRepostRun(times);
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->started_at, times.back());
  EXPECT_EQ(run->first_copy_at, times.front());

  // A microsecond more: the first falls out.
  times.back() += absl::Microseconds(1);
  EXPECT_EQ(LatestMassRepostRun(times), std::nullopt);
}

TEST(ReachPenaltyTest, ForgivenCopiesDoNotCount) {
  const std::vector<absl::Time> times = ReachCopies(ReachNoon(), kMassRepostCopies, absl::Hours(1));
  // Lifted after the second copy: three count, no run.
  EXPECT_EQ(LatestMassRepostRun(times, times[1] + absl::Minutes(1)), std::nullopt);
  // Lifted at the first copy's very time: it is forgiven too.
  EXPECT_EQ(LatestMassRepostRun(times, times.front()), std::nullopt);
  // Lifted a microsecond before it: every copy counts.
  EXPECT_TRUE(LatestMassRepostRun(times, times.front() - absl::Microseconds(1)).has_value());

  // Five more after the lift start a penalty of their own.
  const absl::Time lifted = times.back();
  std::vector<absl::Time> more = times;
  for (const absl::Time t : ReachCopies(lifted + absl::Hours(1), kMassRepostCopies, absl::Hours(1))) {
    more.push_back(t);
  }
  const std::optional<MassRepostRun> run = LatestMassRepostRun(more, lifted);
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->first_copy_at, lifted + absl::Hours(1));
  EXPECT_EQ(run->copies, kMassRepostCopies);
}

TEST(ReachPenaltyTest, TheLatestRunWinsInAnyOrderAndCountsEveryCopyInItsWindow) {
  // Seven copies an hour apart: the seventh completes the latest run, and
  // its window holds all seven.
  std::vector<absl::Time> times = ReachCopies(ReachNoon(), kMassRepostCopies + 2, absl::Hours(1));
  std::reverse(times.begin(), times.end());

  const std::optional<MassRepostRun> run = LatestMassRepostRun(times);

  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->started_at, ReachNoon() + absl::Hours(kMassRepostCopies + 1));
  EXPECT_EQ(run->first_copy_at, ReachNoon());
  EXPECT_EQ(run->copies, kMassRepostCopies + 2);
}

TEST(ReachPenaltyTest, APenaltyCostsReachUntilItEndsOrIsLifted) {
  const absl::Time until = ReachNoon() + kReachPenaltyDuration;
  EXPECT_TRUE(ReachPenaltyRuns(until, /*lifted=*/false, ReachNoon()));
  EXPECT_TRUE(ReachPenaltyRuns(until, /*lifted=*/false, until - absl::Microseconds(1)));
  EXPECT_FALSE(ReachPenaltyRuns(until, /*lifted=*/false, until));
  EXPECT_FALSE(ReachPenaltyRuns(until, /*lifted=*/true, ReachNoon()));
}

}  // namespace
}  // namespace clipforge::feed
