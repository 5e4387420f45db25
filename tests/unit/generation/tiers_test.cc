#include "generation/tiers.h"

#include "base/error_reason.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clipforge::generation {
namespace {

using ::clipforge::base::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Optional;

const absl::Time kNoon = absl::FromCivil(absl::CivilSecond(2026, 12, 6, 12, 0, 0), absl::UTCTimeZone());

JobSpec Spec(int seconds, FrameSize size, Quality quality = Quality::kFull) {
  return JobSpec{.prompt = "p", .seconds = seconds, .size = size, .quality = quality};
}

TEST(TiersTest, HigherTiersAllowMoreOfEverything) {
  const TierLimits& free = LimitsOf(Tier::kFree);
  const TierLimits& plus = LimitsOf(Tier::kPlus);
  const TierLimits& pro = LimitsOf(Tier::kPro);
  EXPECT_EQ(free.max_seconds, 20);  // The free-tier cap.
  EXPECT_LT(free.max_seconds, plus.max_seconds);
  EXPECT_LE(plus.max_seconds, pro.max_seconds);
  EXPECT_LT(free.max_pixels, plus.max_pixels);
  EXPECT_LT(plus.max_pixels, pro.max_pixels);
  EXPECT_LT(free.max_active_jobs, plus.max_active_jobs);
  EXPECT_LT(free.seconds_per_day, plus.seconds_per_day);
  EXPECT_LT(free.weight, plus.weight);
  EXPECT_LT(plus.weight, pro.weight);
}

TEST(TiersTest, OnlyTheTopTierRendersFourK) {
  EXPECT_THAT(CheckTierAllows(Tier::kPlus, Spec(10, {2160, 3840})),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("spec.size")));
  EXPECT_TRUE(CheckTierAllows(Tier::kPro, Spec(10, {2160, 3840})).ok());
  EXPECT_TRUE(CheckTierAllows(Tier::kFree, Spec(10, {1280, 720})).ok());
  EXPECT_THAT(CheckTierAllows(Tier::kFree, Spec(10, {1080, 1920})), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(TiersTest, FreeTierCapsLengthAtTwentySeconds) {
  EXPECT_TRUE(CheckTierAllows(Tier::kFree, Spec(20, kDefaultSize)).ok());
  const absl::Status status = CheckTierAllows(Tier::kFree, Spec(21, kDefaultSize));
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("spec.seconds")));
  EXPECT_THAT(base::ReasonOf(status), Optional(std::string("LIMIT_EXCEEDED")));
  EXPECT_TRUE(CheckTierAllows(Tier::kPro, Spec(300, kDefaultSize)).ok());
}

TEST(QuotaTest, DraftsCostAQuarterRoundedUp) {
  EXPECT_EQ(QuotaSeconds(Spec(8, kDefaultSize, Quality::kFull)), 8);
  EXPECT_EQ(QuotaSeconds(Spec(8, kDefaultSize, Quality::kDraft)), 2);
  EXPECT_EQ(QuotaSeconds(Spec(5, kDefaultSize, Quality::kDraft)), 2);
  EXPECT_EQ(QuotaSeconds(Spec(4, kDefaultSize, Quality::kDraft)), 1);
}

TEST(QuotaTest, ActiveJobsOverTheLimitAreRefused) {
  const int limit = LimitsOf(Tier::kFree).max_active_jobs;
  EXPECT_TRUE(CheckQuota(Tier::kFree, {.active_jobs = limit - 1}, Spec(4, kDefaultSize), kNoon).ok());
  const absl::Status status = CheckQuota(Tier::kFree, {.active_jobs = limit}, Spec(4, kDefaultSize), kNoon);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("jobs at once")));
  EXPECT_THAT(base::ReasonOf(status), Optional(std::string("QUOTA_EXCEEDED")));
}

TEST(QuotaTest, DailySecondsSayTheLimitAndTheResetTime) {
  const int per_day = LimitsOf(Tier::kFree).seconds_per_day;
  EXPECT_TRUE(CheckQuota(Tier::kFree, {.seconds_today = per_day - 8}, Spec(8, kDefaultSize), kNoon).ok());
  const absl::Status status = CheckQuota(Tier::kFree, {.seconds_today = per_day - 7}, Spec(8, kDefaultSize), kNoon);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("2026-12-07T00:00:00Z")));
  EXPECT_THAT(status.message(), HasSubstr(absl::StrCat(per_day)));
}

TEST(QuotaTest, TheDayStartsAtUtcMidnight) {
  EXPECT_EQ(QuotaDayStart(kNoon), absl::FromCivil(absl::CivilDay(2026, 12, 6), absl::UTCTimeZone()));
  const absl::Time midnight = absl::FromCivil(absl::CivilDay(2026, 12, 7), absl::UTCTimeZone());
  EXPECT_EQ(QuotaDayStart(midnight), midnight);
  EXPECT_EQ(QuotaDayStart(midnight - absl::Nanoseconds(1)), midnight - absl::Hours(24));
}

}  // namespace
}  // namespace clipforge::generation
