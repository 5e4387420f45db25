// The originality formula: monotone (a property over a grid: raising any
// one overlap never raises O), bounded in [0, 1], the fork rule (two words
// is not original, a third rewritten is), each component listed with the
// clips it matched, and the copy rule.
#include "feed/originality.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clipforge::feed {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Each dimension's values, from least to most overlap.
constexpr std::array<double, 5> kRisingOverlaps = {0.0, 0.4, 0.6, 0.85, 1.0};
// Fork: index 0 is "not a fork", then prompt change shares falling.
constexpr std::array<double, 6> kFallingWordChanges = {1.0, 0.5, 1.0 / 3.0, 0.2, 0.1, 0.0};
constexpr std::array<double, 4> kFallingPictureChanges = {1.0, 0.6, 0.3, 0.0};
// Trend: index 0 is "did not join after onset", then earlier clips rising.
constexpr std::array<int64_t, 4> kRisingEarlierInCluster = {0, 10, 50, 500};

// A point of the grid: an index per dimension.
constexpr size_t kPromptDim = 0, kMediaDim = 1, kForkWordsDim = 2, kForkPictureDim = 3, kSelfDim = 4, kTrendDim = 5,
                 kDims = 6;
using GridPoint = std::array<size_t, kDims>;
constexpr GridPoint kGridSizes = {kRisingOverlaps.size(),         kRisingOverlaps.size(),
                                  kFallingWordChanges.size() + 1, kFallingPictureChanges.size(),
                                  kRisingOverlaps.size(),         kRisingEarlierInCluster.size() + 1};

OriginalityInputs InputsAt(const GridPoint& point) {
  OriginalityInputs inputs;
  inputs.prompt.overlap = kRisingOverlaps[point[kPromptDim]];
  inputs.media.overlap = kRisingOverlaps[point[kMediaDim]];
  if (point[kForkWordsDim] > 0) {
    inputs.fork = ForkDelta{.parent_clip_id = "parent",
                            .changed_word_share = kFallingWordChanges[point[kForkWordsDim] - 1],
                            .picture_changed_share = kFallingPictureChanges[point[kForkPictureDim]]};
  }
  inputs.self_repetition.overlap = kRisingOverlaps[point[kSelfDim]];
  if (point[kTrendDim] > 0) {
    inputs.trend.joined_after_onset = true;
    inputs.trend.earlier_in_cluster = kRisingEarlierInCluster[point[kTrendDim] - 1];
  }
  return inputs;
}

// Advances `point` to the next grid point; false after the last.
bool NextGridPoint(GridPoint& point) {
  for (size_t d = 0; d < kDims; ++d) {
    if (++point[d] < kGridSizes[d]) return true;
    point[d] = 0;
  }
  return false;
}

// The position of `point` in the order NextGridPoint visits.
size_t GridIndex(const GridPoint& point) {
  size_t index = 0;
  for (size_t d = kDims; d-- > 0;) index = index * kGridSizes[d] + point[d];
  return index;
}

TEST(OriginalityTest, MoreOverlapNeverRaisesTheScore) {
  const std::vector<OriginalityWeights> weight_sets = {
      OriginalityWeights{},
      OriginalityWeights{.prompt = 1.0, .media = 1.0, .fork = 1.0, .self_repetition = 1.0, .trend = 1.0},
      OriginalityWeights{.prompt = 0.3, .media = 0.6, .fork = 0.2, .self_repetition = 0.1, .trend = 0.9}};
  size_t checked = 0, lowered = 0;
  for (const OriginalityWeights& weights : weight_sets) {
    // O at every grid point, then every step up one dimension compared.
    std::vector<double> values;
    GridPoint point{};
    do {
      ASSERT_EQ(GridIndex(point), values.size());
      values.push_back(ComputeOriginality(InputsAt(point), weights).value);
    } while (NextGridPoint(point));
    point = GridPoint{};
    do {
      for (size_t d = 0; d < kDims; ++d) {
        if (point[d] + 1 >= kGridSizes[d]) continue;
        GridPoint more = point;
        ++more[d];
        const double value = values[GridIndex(point)], more_value = values[GridIndex(more)];
        ASSERT_LE(more_value, value) << "raising dimension " << d << " raised O";
        ++checked;
        if (more_value < value) ++lowered;
      }
    } while (NextGridPoint(point));
  }
  // The grid is not degenerate: many steps do lower O (the rest are flat:
  // below a ramp's first edge, or another factor already 0).
  EXPECT_GT(checked, 100000u);
  EXPECT_GT(lowered, checked / 4);
}

TEST(OriginalityTest, ScoresAndFactorsStayInTheUnitInterval) {
  GridPoint point{};
  do {
    const OriginalityScore score = ComputeOriginality(InputsAt(point));
    ASSERT_GE(score.value, 0.0);
    ASSERT_LE(score.value, 1.0);
    ASSERT_EQ(score.components.size(), 5u);
    for (const OriginalityComponent& component : score.components) {
      ASSERT_GE(component.factor, 0.0);
      ASSERT_LE(component.factor, 1.0);
    }
  } while (NextGridPoint(point));

  // Out-of-range and NaN inputs and weights are clamped.
  OriginalityInputs wild;
  wild.prompt.overlap = 7.0;
  wild.media.overlap = -3.0;
  wild.self_repetition.overlap = std::numeric_limits<double>::quiet_NaN();
  wild.trend = TrendSignal{.joined_after_onset = true, .earlier_in_cluster = -5};
  wild.fork = ForkDelta{.changed_word_share = 4.0, .picture_changed_share = -1.0};
  const OriginalityScore wild_score =
      ComputeOriginality(wild, OriginalityWeights{.prompt = 0.5, .media = 2.0, .fork = -1.0});
  EXPECT_DOUBLE_EQ(wild_score.value, 0.5);  // only the prompt, at full penalty and weight 0.5
}

TEST(OriginalityTest, NoOverlapIsFullyOriginal) { EXPECT_EQ(ComputeOriginality(OriginalityInputs{}).value, 1.0); }

TEST(OriginalityTest, EachComponentCanLowerTheScore) {
  OriginalityInputs prompt_copy;
  prompt_copy.prompt.overlap = 0.95;
  EXPECT_EQ(ComputeOriginality(prompt_copy).value, 0.0);
  OriginalityInputs shared_phrasing;
  shared_phrasing.prompt.overlap = 0.3;  // below kPromptPenaltyStart
  EXPECT_EQ(ComputeOriginality(shared_phrasing).value, 1.0);

  OriginalityInputs media_copy;
  media_copy.media.overlap = 0.8;
  EXPECT_EQ(ComputeOriginality(media_copy).value, 0.0);
  OriginalityInputs some_frames;
  some_frames.media.overlap = 0.5;
  EXPECT_GT(ComputeOriginality(some_frames).value, 0.0);
  EXPECT_LT(ComputeOriginality(some_frames).value, 1.0);

  OriginalityInputs repost;
  repost.self_repetition.overlap = 1.0;
  EXPECT_DOUBLE_EQ(ComputeOriginality(repost).value, 0.5);  // weighs half

  OriginalityInputs follower;
  follower.trend = TrendSignal{.joined_after_onset = true, .earlier_in_cluster = 50};
  EXPECT_DOUBLE_EQ(ComputeOriginality(follower).value, 1.0 - 0.3 * 0.5);
  follower.trend.joined_after_onset = false;
  EXPECT_EQ(ComputeOriginality(follower).value, 1.0);
}

// A fork that changed `words` of its parent prompt's `of_tokens` tokens.
OriginalityInputs ForkChanging(int words, int of_tokens, double picture_changed_share = 1.0) {
  OriginalityInputs inputs;
  inputs.fork = ForkDelta{.parent_clip_id = "parent",
                          .changed_word_share = static_cast<double>(words) / static_cast<double>(of_tokens),
                          .picture_changed_share = picture_changed_share};
  return inputs;
}

TEST(OriginalityTest, AForkOfTwoWordsIsNotOriginalOneRewritingAThirdIs) {
  EXPECT_LT(ComputeOriginality(ForkChanging(2, 20)).value, 0.3);
  EXPECT_LT(ComputeOriginality(ForkChanging(1, 20)).value, 0.3);
  EXPECT_LT(ComputeOriginality(ForkChanging(2, 12)).value, 0.3);
  EXPECT_GT(ComputeOriginality(ForkChanging(7, 21)).value, 0.6);
  EXPECT_GT(ComputeOriginality(ForkChanging(10, 30)).value, 0.6);
  EXPECT_GT(ComputeOriginality(ForkChanging(20, 20)).value, 0.6);
  // Keeping the parent's picture costs up to half the credit; a new
  // picture adds none to a tweak.
  EXPECT_DOUBLE_EQ(ComputeOriginality(ForkChanging(7, 21, /*picture_changed_share=*/0.0)).value, 0.5);
  EXPECT_LT(ComputeOriginality(ForkChanging(7, 21, 0.0)).value, ComputeOriginality(ForkChanging(7, 21, 1.0)).value);
  EXPECT_EQ(ComputeOriginality(ForkChanging(2, 20, 1.0)).value, ComputeOriginality(ForkChanging(2, 20, 0.0)).value);
}

TEST(OriginalityTest, ComponentsListTheClipsTheyMatched) {
  OriginalityInputs inputs;
  inputs.prompt = OverlapMatch{.overlap = 0.7, .clip_ids = {"p-earliest", "p-later"}};
  inputs.media = OverlapMatch{.overlap = 0.4, .clip_ids = {"m1"}};
  inputs.fork = ForkDelta{.parent_clip_id = "parent", .changed_word_share = 0.2};
  inputs.self_repetition = OverlapMatch{.overlap = 0.6, .clip_ids = {"own1", "own2"}};
  inputs.trend = TrendSignal{.joined_after_onset = true, .earlier_in_cluster = 12, .clip_ids = {"trend-origin"}};
  const OriginalityScore score = ComputeOriginality(inputs);

  ASSERT_EQ(score.components.size(), 5u);
  EXPECT_EQ(score.components[0].name, kPromptComponent);
  EXPECT_THAT(score.components[0].clip_ids, ElementsAre("p-earliest", "p-later"));
  EXPECT_EQ(score.components[1].name, kMediaComponent);
  EXPECT_THAT(score.components[1].clip_ids, ElementsAre("m1"));
  EXPECT_EQ(score.components[2].name, kForkComponent);
  EXPECT_THAT(score.components[2].clip_ids, ElementsAre("parent"));
  EXPECT_EQ(score.components[3].name, kSelfRepetitionComponent);
  EXPECT_THAT(score.components[3].clip_ids, ElementsAre("own1", "own2"));
  EXPECT_EQ(score.components[4].name, kTrendComponent);
  EXPECT_THAT(score.components[4].clip_ids, ElementsAre("trend-origin"));

  double product = 1.0;
  for (const OriginalityComponent& component : score.components) {
    EXPECT_LT(component.factor, 1.0) << component.name;
    EXPECT_DOUBLE_EQ(component.penalty, 1.0 - component.factor) << component.name;
    product *= component.factor;
  }
  EXPECT_DOUBLE_EQ(score.value, product);

  // A clip matching nothing still lists every component, with no clips.
  const OriginalityScore clean = ComputeOriginality(OriginalityInputs{});
  ASSERT_EQ(clean.components.size(), 5u);
  for (const OriginalityComponent& component : clean.components) {
    EXPECT_EQ(component.factor, 1.0) << component.name;
    EXPECT_THAT(component.clip_ids, IsEmpty()) << component.name;
  }
}

TEST(IsCopyTest, NearCopiesOfPromptOrVideo) {
  OriginalityInputs inputs;
  EXPECT_FALSE(IsCopy(inputs));
  inputs.prompt.overlap = 0.89;
  EXPECT_FALSE(IsCopy(inputs));
  inputs.prompt.overlap = 0.9;
  EXPECT_TRUE(IsCopy(inputs));
  inputs.prompt.overlap = 1.0;
  EXPECT_TRUE(IsCopy(inputs));

  OriginalityInputs video;
  video.media.overlap = 0.79;
  EXPECT_FALSE(IsCopy(video));
  video.media.overlap = kVideoMatchShare;
  EXPECT_TRUE(IsCopy(video));

  // Self-repetition and trends are scored, never dropped.
  OriginalityInputs repost;
  repost.self_repetition.overlap = 1.0;
  repost.trend = TrendSignal{.joined_after_onset = true, .earlier_in_cluster = 1000};
  EXPECT_FALSE(IsCopy(repost));
}

TEST(IsCopyTest, AForkThatKeptPromptAndPictureOfAnotherCreatorsClip) {
  OriginalityInputs fork = ForkChanging(1, 20, /*picture_changed_share=*/0.1);
  EXPECT_TRUE(IsCopy(fork));
  fork.fork->same_creator_as_parent = true;  // one's own clip: self-repetition, not a copy
  EXPECT_FALSE(IsCopy(fork));
  EXPECT_FALSE(IsCopy(ForkChanging(2, 20, 0.1)));  // a tweak: scored low, not dropped
  EXPECT_FALSE(IsCopy(ForkChanging(1, 20, 0.5)));  // a new picture
  EXPECT_FALSE(IsCopy(ForkChanging(0, 20, 1.0)));  // a re-roll of the same prompt
  EXPECT_TRUE(IsCopy(ForkChanging(0, 20, 0.0)));
}

}  // namespace
}  // namespace clipforge::feed
