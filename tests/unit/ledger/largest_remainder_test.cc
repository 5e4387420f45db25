// Largest-remainder apportionment: exact sums, every share its quota
// rounded down or up by one micro, leftover micros to the largest
// remainders, ties by index or by key whatever the listing order, zero
// weights getting nothing, and every bad input named; checked against the
// quota property on random inputs.
#include "ledger/largest_remainder.h"

#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/money.h"

namespace clipforge::ledger {
namespace {

using ::clipforge::base::testing::IsOkAndHolds;
using ::clipforge::base::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Weights = std::vector<int64_t>;
using Keys = std::vector<std::string>;

TEST(LargestRemainderTest, SplitsExactlyInProportion) {
  EXPECT_THAT(ApportionLargestRemainder(100, Weights{1, 1, 2}), IsOkAndHolds(ElementsAre(25, 25, 50)));
  EXPECT_THAT(ApportionLargestRemainder(0, Weights{1, 2}), IsOkAndHolds(ElementsAre(0, 0)));
  EXPECT_THAT(ApportionLargestRemainder(7, Weights{5}), IsOkAndHolds(ElementsAre(7)));
}

TEST(LargestRemainderTest, LeftoverMicrosGoToTheLargestRemainders) {
  // Quotas 2, 3.5 and 4.5: the floors sum to 9, one micro is left, and
  // the tie between the two halves goes to the lower index.
  EXPECT_THAT(ApportionLargestRemainder(10, Weights{20, 35, 45}), IsOkAndHolds(ElementsAre(2, 4, 4)));
  // Quotas 10 * (1/6, 2/6, 3/6) = 1.67, 3.33, 5: the .67 wins.
  EXPECT_THAT(ApportionLargestRemainder(10, Weights{1, 2, 3}), IsOkAndHolds(ElementsAre(2, 3, 5)));
  // Quotas 100 / 3 each: one micro left, to the first.
  EXPECT_THAT(ApportionLargestRemainder(100, Weights{1, 1, 1}), IsOkAndHolds(ElementsAre(34, 33, 33)));
  // 2 left of 5 over four equal weights.
  EXPECT_THAT(ApportionLargestRemainder(5, Weights{3, 3, 3, 3}), IsOkAndHolds(ElementsAre(2, 1, 1, 1)));
  EXPECT_THAT(ApportionLargestRemainder(6, Weights{3, 3, 3, 3}), IsOkAndHolds(ElementsAre(2, 2, 1, 1)));
}

TEST(LargestRemainderTest, ZeroWeightsGetNothing) {
  EXPECT_THAT(ApportionLargestRemainder(5, Weights{0, 1, 0, 1}), IsOkAndHolds(ElementsAre(0, 3, 0, 2)));
  EXPECT_THAT(ApportionLargestRemainder(1, Weights{0, 0, 7}), IsOkAndHolds(ElementsAre(0, 0, 1)));
}

TEST(LargestRemainderTest, TiesGoToTheSmallerKeyWhateverTheOrder) {
  EXPECT_THAT(ApportionLargestRemainder(100, Weights{1, 1, 1}, Keys{"carol", "alice", "bob"}),
              IsOkAndHolds(ElementsAre(33, 34, 33)));
  EXPECT_THAT(ApportionLargestRemainder(100, Weights{1, 1, 1}, Keys{"bob", "carol", "alice"}),
              IsOkAndHolds(ElementsAre(33, 33, 34)));
  EXPECT_THAT(ApportionLargestRemainder(6, Weights{3, 3, 3, 3}, Keys{"d", "c", "b", "a"}),
              IsOkAndHolds(ElementsAre(1, 1, 2, 2)));
  // Byte-wise: "B" < "a".
  EXPECT_THAT(ApportionLargestRemainder(1, Weights{1, 1}, Keys{"a", "B"}), IsOkAndHolds(ElementsAre(0, 1)));
  // Equal keys fall back to the index.
  EXPECT_THAT(ApportionLargestRemainder(1, Weights{1, 1}, Keys{"x", "x"}), IsOkAndHolds(ElementsAre(1, 0)));
  // A larger remainder still beats a smaller key.
  EXPECT_THAT(ApportionLargestRemainder(10, Weights{1, 2, 3}, Keys{"z", "a", "b"}),
              IsOkAndHolds(ElementsAre(2, 3, 5)));
}

TEST(LargestRemainderTest, ExactForExtremeTotalsAndWeights) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  ASSERT_OK_AND_ASSIGN(const std::vector<Micros> shares, ApportionLargestRemainder(kMax, Weights{kMax, kMax, 1}));
  EXPECT_EQ(static_cast<WideMicros>(shares[0]) + shares[1] + shares[2], kMax);
  // Quotas k + 0.25..., k + 0.25... and 0.49...: the one micro left goes
  // to the largest remainder, the smallest weight's.
  EXPECT_EQ(shares[0], kMax / 2);
  EXPECT_EQ(shares[1], kMax / 2);
  EXPECT_EQ(shares[2], 1);
  EXPECT_THAT(ApportionLargestRemainder(kMax, Weights{1}), IsOkAndHolds(ElementsAre(kMax)));
}

TEST(LargestRemainderTest, RefusesWhatCannotBeSplit) {
  EXPECT_THAT(ApportionLargestRemainder(-1, Weights{1}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("total")));
  EXPECT_THAT(ApportionLargestRemainder(1, Weights{}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("weights")));
  EXPECT_THAT(ApportionLargestRemainder(1, Weights{0, 0}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("all be zero")));
  EXPECT_THAT(ApportionLargestRemainder(1, Weights{1, -1}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("weights[1]")));
  EXPECT_THAT(ApportionLargestRemainder(1, Weights{1, 1}, Keys{"a"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("keys")));
}

TEST(LargestRemainderPropertyTest, EveryShareIsItsQuotaRoundedAndTheSumIsExact) {
  std::mt19937_64 rng(20240611);
  std::uniform_int_distribution<int> count(1, 12);
  std::uniform_int_distribution<int64_t> total_dist(0, 1'000'000'000'000);
  std::uniform_int_distribution<int64_t> weight_dist(0, 1'000);
  for (int round = 0; round < 20'000; ++round) {
    Weights weights(static_cast<size_t>(count(rng)));
    for (int64_t& weight : weights) weight = weight_dist(rng);
    if (std::accumulate(weights.begin(), weights.end(), int64_t{0}) == 0) weights[0] = 1;
    const Micros total = round % 4 == 0 ? total_dist(rng) % 100 : total_dist(rng);
    ASSERT_OK_AND_ASSIGN(const std::vector<Micros> shares, ApportionLargestRemainder(total, weights));
    ASSERT_EQ(shares.size(), weights.size());
    const WideMicros weight_sum = std::accumulate(weights.begin(), weights.end(), WideMicros{0});
    WideMicros sum = 0;
    for (size_t i = 0; i < shares.size(); ++i) {
      const WideMicros floor_quota = static_cast<WideMicros>(total) * weights[i] / weight_sum;
      ASSERT_TRUE(shares[i] == floor_quota || shares[i] == floor_quota + 1) << "round " << round << " index " << i;
      if (weights[i] == 0) {
        ASSERT_EQ(shares[i], 0);
      }
      sum += shares[i];
    }
    ASSERT_TRUE(sum == total) << "round " << round;
    // Monotone: a larger weight never gets less.
    for (size_t i = 0; i < shares.size(); ++i) {
      for (size_t j = 0; j < shares.size(); ++j) {
        if (weights[i] > weights[j]) {
          ASSERT_GE(shares[i], shares[j]) << "round " << round;
        }
      }
    }
  }
}

}  // namespace
}  // namespace clipforge::ledger
