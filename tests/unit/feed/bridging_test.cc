// The bridging score on a planted polarized theme (bridging clips on top,
// partisan clips split by factor sign, poor clips last, members split by
// side), its determinism over input order, the rater minimum, empty and
// invalid input, and a loss that never rises; the small-theme boost's
// shape; the page guardrails (echoed clips per theme per 20, the joined
// share of every prefix), losing nothing on degenerate pages.
#include "feed/bridging.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "base/testing/status_matchers.h"
#include "feed/candidate.h"
#include "feed/scoring.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clipforge::feed {
namespace {

using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// ---------------------------------------------------------------------------
// A planted polarized theme
// ---------------------------------------------------------------------------

// Users [0, kBridgingCampSize) are camp A, the next kBridgingCampSize camp
// B. Clips, by index: partisan A (liked by A, skipped by B), partisan B,
// bridging (liked by both), poor (skipped by both), then sparse clips
// liked by everyone who saw them, seen by fewer than kBridgingMinRaters.
constexpr size_t kBridgingCampSize = 60;
constexpr size_t kBridgingUsers = 2 * kBridgingCampSize;
constexpr size_t kBridgingPartisanA = 6;
constexpr size_t kBridgingPartisanB = 6;
constexpr size_t kBridgingBridges = 5;
constexpr size_t kBridgingPoor = 8;
constexpr size_t kBridgingSparse = 3;
constexpr uint32_t kBridgingFirstB = kBridgingPartisanA;
constexpr uint32_t kBridgingFirstBridge = kBridgingFirstB + kBridgingPartisanB;
constexpr uint32_t kBridgingFirstPoor = kBridgingFirstBridge + kBridgingBridges;
constexpr uint32_t kBridgingFirstSparse = kBridgingFirstPoor + kBridgingPoor;
constexpr size_t kBridgingClips = kBridgingFirstSparse + kBridgingSparse;

enum class BridgingKind { kPartisanA, kPartisanB, kBridge, kPoor, kSparse };

BridgingKind BridgingKindOf(uint32_t clip) {
  if (clip < kBridgingFirstB) return BridgingKind::kPartisanA;
  if (clip < kBridgingFirstBridge) return BridgingKind::kPartisanB;
  if (clip < kBridgingFirstPoor) return BridgingKind::kBridge;
  if (clip < kBridgingFirstSparse) return BridgingKind::kPoor;
  return BridgingKind::kSparse;
}

bool BridgingInCampA(uint32_t user) { return user < kBridgingCampSize; }

// Each user sees each clip with probability 0.7 (sparse clips: only users
// 0, 1 and kBridgingCampSize, one of them from camp B), and reacts as
// planted, flipped with probability 0.05.
std::vector<Reaction> BridgingPlantedWorld(uint64_t seed = 7) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<Reaction> reactions;
  for (uint32_t clip = 0; clip < kBridgingClips; ++clip) {
    const BridgingKind kind = BridgingKindOf(clip);
    for (uint32_t user = 0; user < kBridgingUsers; ++user) {
      const bool seen = kind == BridgingKind::kSparse ? (user <= 1 || user == kBridgingCampSize) : unit(rng) < 0.7;
      if (!seen) continue;
      bool liked = false;
      switch (kind) {
        case BridgingKind::kPartisanA: liked = BridgingInCampA(user); break;
        case BridgingKind::kPartisanB: liked = !BridgingInCampA(user); break;
        case BridgingKind::kBridge: liked = true; break;
        case BridgingKind::kPoor: liked = false; break;
        case BridgingKind::kSparse: liked = true; break;
      }
      if (kind != BridgingKind::kSparse && unit(rng) < 0.05) liked = !liked;
      reactions.push_back({.user = user, .clip = clip, .value = liked ? 1.0f : -1.0f});
    }
  }
  return reactions;
}

BridgingFit BridgingFitOrDie(const std::vector<Reaction>& reactions, const BridgingParams& params = {},
                             size_t users = kBridgingUsers, size_t clips = kBridgingClips) {
  absl::StatusOr<BridgingFit> fit = FitBridging(reactions, users, clips, params);
  EXPECT_THAT(fit, IsOk());
  return fit.ok() ? *std::move(fit) : BridgingFit{};
}

struct BridgingRange {
  double min = INFINITY;
  double max = -INFINITY;
};

BridgingRange BridgingInterceptRange(const BridgingFit& fit, uint32_t begin, uint32_t end) {
  BridgingRange range;
  for (uint32_t clip = begin; clip < end; ++clip) {
    range.min = std::min(range.min, fit.clips[clip].intercept);
    range.max = std::max(range.max, fit.clips[clip].intercept);
  }
  return range;
}

TEST(BridgingFitTest, BridgingClipsScoreHighestThenPartisanThenPoor) {
  const BridgingFit fit = BridgingFitOrDie(BridgingPlantedWorld());
  ASSERT_EQ(fit.clips.size(), kBridgingClips);
  const BridgingRange partisan = BridgingInterceptRange(fit, 0, kBridgingFirstBridge);
  const BridgingRange bridges = BridgingInterceptRange(fit, kBridgingFirstBridge, kBridgingFirstPoor);
  const BridgingRange poor = BridgingInterceptRange(fit, kBridgingFirstPoor, kBridgingFirstSparse);
  EXPECT_GT(bridges.min, partisan.max);
  EXPECT_GT(partisan.min, poor.max);
  // Partisan clips are liked by half their raters: the factor takes the
  // split, leaving them near the theme's average.
  EXPECT_LT(std::abs(partisan.max), 0.2);
  EXPECT_LT(poor.max, -0.2);

  // The echo rule picks exactly the bridging clips.
  for (uint32_t clip = 0; clip < kBridgingClips; ++clip) {
    EXPECT_EQ(IsBridging(fit, clip), BridgingKindOf(clip) == BridgingKind::kBridge)
        << "clip " << clip << " intercept " << fit.clips[clip].intercept << " factor " << fit.clips[clip].factor;
  }
}

TEST(BridgingFitTest, PartisanClipsTakeTheFactorWithOppositeSignsPerCamp) {
  const BridgingFit fit = BridgingFitOrDie(BridgingPlantedWorld());
  ASSERT_EQ(fit.clips.size(), kBridgingClips);
  const double sign_a = std::copysign(1.0, fit.clips[0].factor);
  double min_partisan = INFINITY;
  for (uint32_t clip = 0; clip < kBridgingFirstBridge; ++clip) {
    const double expected_sign = BridgingKindOf(clip) == BridgingKind::kPartisanA ? sign_a : -sign_a;
    EXPECT_EQ(std::copysign(1.0, fit.clips[clip].factor), expected_sign) << "clip " << clip;
    min_partisan = std::min(min_partisan, std::abs(fit.clips[clip].factor));
  }
  // Large enough to fail the echo rule's factor bound on their own.
  EXPECT_GE(min_partisan, kBridgingMaxAbsFactor);
  for (uint32_t clip = kBridgingFirstBridge; clip < kBridgingFirstSparse; ++clip) {
    EXPECT_LT(std::abs(fit.clips[clip].factor), 0.5 * min_partisan) << "clip " << clip;
  }

  // Members split by side: camp A on the side of A's clips.
  ASSERT_EQ(fit.user_factors.size(), kBridgingUsers);
  for (uint32_t user = 0; user < kBridgingUsers; ++user) {
    EXPECT_EQ(std::copysign(1.0, fit.user_factors[user]), BridgingInCampA(user) ? sign_a : -sign_a)
        << "user " << user;
    EXPECT_GT(std::abs(fit.user_factors[user]), 0.05) << "user " << user;
  }
}

TEST(BridgingFitTest, ShuffledInputGivesTheSameFitBitForBit) {
  const std::vector<Reaction> reactions = BridgingPlantedWorld();
  BridgingParams params;
  params.seed = 42;
  const BridgingFit fit = BridgingFitOrDie(reactions, params);
  for (uint64_t shuffle_seed : {1u, 2u, 3u}) {
    std::vector<Reaction> shuffled = reactions;
    std::mt19937_64 rng(shuffle_seed);
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    ASSERT_TRUE(std::any_of(shuffled.begin(), shuffled.end(), [&, i = size_t{0}](const Reaction& r) mutable {
      const Reaction& original = reactions[i++];
      return r.user != original.user || r.clip != original.clip;
    }));
    const BridgingFit again = BridgingFitOrDie(shuffled, params);
    EXPECT_EQ(again.mu, fit.mu);
    EXPECT_EQ(again.iterations, fit.iterations);
    EXPECT_EQ(again.initial_loss, fit.initial_loss);
    EXPECT_EQ(again.final_loss, fit.final_loss);
    EXPECT_EQ(again.user_intercepts, fit.user_intercepts);
    EXPECT_EQ(again.user_factors, fit.user_factors);
    ASSERT_EQ(again.clips.size(), fit.clips.size());
    for (size_t clip = 0; clip < fit.clips.size(); ++clip) {
      EXPECT_EQ(again.clips[clip].intercept, fit.clips[clip].intercept) << "clip " << clip;
      EXPECT_EQ(again.clips[clip].factor, fit.clips[clip].factor) << "clip " << clip;
    }
  }
}

TEST(BridgingFitTest, AnotherSeedFindsTheSameBridgingClips) {
  BridgingParams params;
  params.seed = 12345;
  const BridgingFit fit = BridgingFitOrDie(BridgingPlantedWorld(), params);
  for (uint32_t clip = 0; clip < kBridgingClips; ++clip) {
    EXPECT_EQ(IsBridging(fit, clip), BridgingKindOf(clip) == BridgingKind::kBridge) << "clip " << clip;
  }
}

TEST(BridgingFitTest, ClipsUnderTheRaterMinimumHaveNoScore) {
  const BridgingFit fit = BridgingFitOrDie(BridgingPlantedWorld());
  ASSERT_EQ(fit.clips.size(), kBridgingClips);
  for (uint32_t clip = kBridgingFirstSparse; clip < kBridgingClips; ++clip) {
    EXPECT_EQ(fit.clips[clip].raters, 3u);
    EXPECT_FALSE(fit.clips[clip].scored);
    EXPECT_EQ(fit.Score(clip), std::nullopt);
    // Liked by everyone who saw it, on both sides, and still not echoed.
    EXPECT_FALSE(IsBridging(fit, clip, -1e9, 1e9));
  }
  EXPECT_TRUE(fit.Score(kBridgingFirstBridge).has_value());
  EXPECT_EQ(fit.Score(static_cast<uint32_t>(kBridgingClips)), std::nullopt);
  EXPECT_FALSE(IsBridging(fit, static_cast<uint32_t>(kBridgingClips)));
}

TEST(BridgingFitTest, ExactlyTheRaterMinimumIsScored) {
  std::vector<Reaction> reactions;
  for (uint32_t user = 0; user < kBridgingMinRaters; ++user) reactions.push_back({user, 0, 1.0f});
  for (uint32_t user = 0; user + 1 < kBridgingMinRaters; ++user) reactions.push_back({user, 1, 1.0f});
  const BridgingFit fit = BridgingFitOrDie(reactions, {}, kBridgingMinRaters, 2);
  EXPECT_TRUE(fit.clips[0].scored);
  EXPECT_TRUE(fit.Score(0).has_value());
  EXPECT_FALSE(fit.clips[1].scored);
  EXPECT_EQ(fit.Score(1), std::nullopt);
}

TEST(BridgingFitTest, EmptyInputGivesAnEmptyFit) {
  const BridgingFit empty = BridgingFitOrDie({}, {}, 0, 0);
  EXPECT_THAT(empty.clips, IsEmpty());
  EXPECT_THAT(empty.user_factors, IsEmpty());
  EXPECT_EQ(empty.iterations, 0u);
  EXPECT_EQ(empty.final_loss, 0.0);
  EXPECT_FALSE(IsBridging(empty, 0));

  const BridgingFit unrated = BridgingFitOrDie({}, {}, 3, 4);
  ASSERT_EQ(unrated.clips.size(), 4u);
  ASSERT_EQ(unrated.user_factors.size(), 3u);
  for (uint32_t clip = 0; clip < 4; ++clip) {
    EXPECT_FALSE(unrated.clips[clip].scored);
    EXPECT_EQ(unrated.Score(clip), std::nullopt);
  }
  EXPECT_EQ(unrated.iterations, 0u);
}

TEST(BridgingFitTest, RejectsInvalidReactions) {
  EXPECT_THAT(FitBridging(std::vector<Reaction>{{3, 0, 1.0f}}, 3, 1),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("out of range")));
  EXPECT_THAT(FitBridging(std::vector<Reaction>{{0, 1, 1.0f}}, 3, 1), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FitBridging(std::vector<Reaction>{{0, 0, 1.5f}}, 1, 1), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FitBridging(std::vector<Reaction>{{0, 0, NAN}}, 1, 1), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FitBridging(std::vector<Reaction>{{1, 0, 1.0f}, {0, 0, 1.0f}, {1, 0, -1.0f}}, 2, 1),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("twice")));
  EXPECT_THAT(FitBridging(std::vector<Reaction>{{1, 0, 0.5f}, {0, 0, -1.0f}}, 2, 1), IsOk());
}

TEST(BridgingFitTest, LossNeverRisesOverIterations) {
  const std::vector<Reaction> reactions = BridgingPlantedWorld();
  BridgingParams params;
  params.tolerance = 0.0;
  double previous = INFINITY;
  double initial = 0.0;
  for (size_t iterations = 1; iterations <= 15; ++iterations) {
    params.max_iterations = iterations;
    const BridgingFit fit = BridgingFitOrDie(reactions, params);
    EXPECT_EQ(fit.iterations, iterations);
    // Each step is an exact minimum along its parameters, so the loss
    // never rises but for rounding once converged.
    EXPECT_LE(fit.final_loss, previous * (1.0 + 1e-12)) << "after " << iterations << " sweeps";
    if (iterations <= 3) {
      EXPECT_LT(fit.final_loss, previous) << "after " << iterations << " sweeps";
    }
    previous = fit.final_loss;
    initial = fit.initial_loss;
  }
  EXPECT_LT(previous, 0.5 * initial);
}

TEST(BridgingFitTest, ToleranceStopsEarlyWithinTheLimit) {
  BridgingParams params;
  params.max_iterations = 1000;
  const BridgingFit fit = BridgingFitOrDie(BridgingPlantedWorld(), params);
  EXPECT_GT(fit.iterations, 1u);
  EXPECT_LT(fit.iterations, 1000u);
}

// ---------------------------------------------------------------------------
// Small themes
// ---------------------------------------------------------------------------

TEST(SmallThemeBoostTest, MonotoneBoundedAndLogShaped) {
  EXPECT_DOUBLE_EQ(SmallThemeBoost(0), kMaxSmallThemeBoost);
  EXPECT_NEAR(SmallThemeBoost(9), 1.75, 1e-12);
  EXPECT_NEAR(SmallThemeBoost(99), 1.5, 1e-12);
  EXPECT_NEAR(SmallThemeBoost(999), 1.25, 1e-12);
  EXPECT_EQ(SmallThemeBoost(9'999), 1.0);
  EXPECT_GT(SmallThemeBoost(9'998), 1.0);
  EXPECT_EQ(SmallThemeBoost(size_t{1} << 40), 1.0);
  double previous = SmallThemeBoost(0);
  for (size_t members = 1; members <= 30'000; ++members) {
    const double boost = SmallThemeBoost(members);
    ASSERT_LE(boost, previous) << members << " members";
    ASSERT_GE(boost, 1.0) << members << " members";
    ASSERT_LE(boost, kMaxSmallThemeBoost) << members << " members";
    previous = boost;
  }
  EXPECT_GT(SmallThemeBoost(10), SmallThemeBoost(1000));
}

// ---------------------------------------------------------------------------
// Page guardrails
// ---------------------------------------------------------------------------

Candidate BridgingGuardClip(const std::string& clip_id, CandidateSource source,
                            std::vector<std::string> theme_ids = {}) {
  Candidate candidate;
  candidate.clip_id = clip_id;
  candidate.source = source;
  candidate.theme_ids = std::move(theme_ids);
  return candidate;
}

std::vector<ScoredItem> BridgingGuardItems(const std::vector<Candidate>& candidates) {
  std::vector<ScoredItem> items;
  for (const Candidate& candidate : candidates) {
    ScoredItem item;
    item.candidate = &candidate;
    items.push_back(item);
  }
  return items;
}

std::vector<std::string> BridgingGuardIds(const std::vector<ScoredItem>& items) {
  std::vector<std::string> ids;
  for (const ScoredItem& item : items) ids.push_back(item.candidate->clip_id);
  return ids;
}

// Checks both rules on `items` (the default rules) and that items then
// deferred is a permutation of `input` keeping input order within
// `deferred`.
void BridgingExpectGuardrailsHold(const std::vector<ScoredItem>& input, const EchoGuardrailOrder& order) {
  const EchoGuardrailRules rules;
  size_t joined = 0;
  for (size_t position = 0; position < order.items.size(); ++position) {
    if (order.items[position].candidate->source == CandidateSource::kTheme) ++joined;
    EXPECT_LE(2 * joined, position + 1) << "prefix of " << position + 1;
    // The window of echo_window positions ending here.
    absl::flat_hash_map<std::string, size_t> echoed;
    const size_t begin = position + 1 >= rules.echo_window ? position + 1 - rules.echo_window : 0;
    for (size_t p = begin; p <= position; ++p) {
      const Candidate& candidate = *order.items[p].candidate;
      if (candidate.source != CandidateSource::kEchoed) continue;
      std::vector<std::string> themes = candidate.theme_ids;
      std::sort(themes.begin(), themes.end());
      themes.erase(std::unique(themes.begin(), themes.end()), themes.end());
      if (themes.empty()) themes.push_back("");
      for (const std::string& theme : themes) {
        EXPECT_LE(++echoed[theme], rules.max_echoed_per_theme) << "theme " << theme << " ending at " << position;
      }
    }
  }
  std::vector<const Candidate*> all;
  for (const ScoredItem& item : order.items) all.push_back(item.candidate);
  for (const ScoredItem& item : order.deferred) all.push_back(item.candidate);
  std::vector<const Candidate*> expected;
  for (const ScoredItem& item : input) expected.push_back(item.candidate);
  std::sort(all.begin(), all.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(all, expected);
}

TEST(EchoGuardrailTest, KeepsAPageThatAlreadyHoldsTheRules) {
  const std::vector<Candidate> candidates = {
      BridgingGuardClip("a", CandidateSource::kFollowing),
      BridgingGuardClip("b", CandidateSource::kTheme, {"t1"}),
      BridgingGuardClip("c", CandidateSource::kEchoed, {"t2"}),
      BridgingGuardClip("d", CandidateSource::kTheme, {"t1"}),
      BridgingGuardClip("e", CandidateSource::kEchoed, {"t2"}),
      BridgingGuardClip("f", CandidateSource::kTrending),
  };
  const std::vector<ScoredItem> input = BridgingGuardItems(candidates);
  const EchoGuardrailOrder order = ApplyEchoGuardrails(input);
  EXPECT_THAT(BridgingGuardIds(order.items), ElementsAre("a", "b", "c", "d", "e", "f"));
  EXPECT_THAT(order.deferred, IsEmpty());
}

TEST(EchoGuardrailTest, AtMostTwoEchoedPerThemeInAnyTwenty) {
  std::vector<Candidate> candidates;
  for (int i = 0; i < 4; ++i) {
    candidates.push_back(BridgingGuardClip("echo" + std::to_string(i), CandidateSource::kEchoed, {"t1"}));
  }
  candidates.push_back(BridgingGuardClip("other-theme", CandidateSource::kEchoed, {"t2"}));
  for (int i = 0; i < 30; ++i) {
    candidates.push_back(BridgingGuardClip("f" + std::to_string(100 + i), CandidateSource::kFollowing));
  }
  const std::vector<ScoredItem> input = BridgingGuardItems(candidates);
  const EchoGuardrailOrder order = ApplyEchoGuardrails(input);
  BridgingExpectGuardrailsHold(input, order);
  const std::vector<std::string> ids = BridgingGuardIds(order.items);
  ASSERT_EQ(ids.size(), 35u);
  EXPECT_EQ(ids[0], "echo0");
  EXPECT_EQ(ids[1], "echo1");
  // Another theme's echo is not held back by t1's.
  EXPECT_EQ(ids[2], "other-theme");
  EXPECT_EQ(ids[3], "f100");
  // echo0 leaves the window at position 20, echo1 at 21.
  EXPECT_EQ(ids[20], "echo2");
  EXPECT_EQ(ids[21], "echo3");
  EXPECT_THAT(order.deferred, IsEmpty());
}

TEST(EchoGuardrailTest, AnEchoInTwoThemesCountsAgainstBoth) {
  const std::vector<Candidate> candidates = {
      BridgingGuardClip("e1", CandidateSource::kEchoed, {"t1", "t2", "t1"}),
      BridgingGuardClip("e2", CandidateSource::kEchoed, {"t2"}),
      BridgingGuardClip("e3", CandidateSource::kEchoed, {"t2"}),
      BridgingGuardClip("e4", CandidateSource::kEchoed, {"t1"}),
      BridgingGuardClip("x", CandidateSource::kNewCreator),
  };
  const std::vector<ScoredItem> input = BridgingGuardItems(candidates);
  const EchoGuardrailOrder order = ApplyEchoGuardrails(input);
  BridgingExpectGuardrailsHold(input, order);
  EXPECT_THAT(BridgingGuardIds(order.items), ElementsAre("e1", "e2", "e4", "x"));
  EXPECT_THAT(BridgingGuardIds(order.deferred), ElementsAre("e3"));
}

TEST(EchoGuardrailTest, JoinedThemesAtMostHalfOfEveryPrefix) {
  std::vector<Candidate> candidates;
  for (int i = 0; i < 15; ++i) {
    candidates.push_back(BridgingGuardClip("j" + std::to_string(100 + i), CandidateSource::kTheme, {"mine"}));
  }
  for (int i = 0; i < 10; ++i) {
    candidates.push_back(BridgingGuardClip("o" + std::to_string(100 + i), CandidateSource::kFollowing));
  }
  const std::vector<ScoredItem> input = BridgingGuardItems(candidates);
  const EchoGuardrailOrder order = ApplyEchoGuardrails(input);
  BridgingExpectGuardrailsHold(input, order);
  const std::vector<std::string> ids = BridgingGuardIds(order.items);
  ASSERT_EQ(ids.size(), 20u);
  // Alternating from the first other clip, each kind in input order.
  EXPECT_EQ(ids[0], "o100");
  EXPECT_EQ(ids[1], "j100");
  EXPECT_EQ(ids[18], "o109");
  EXPECT_EQ(ids[19], "j109");
  EXPECT_THAT(BridgingGuardIds(order.deferred), ElementsAre("j110", "j111", "j112", "j113", "j114"));
}

TEST(EchoGuardrailTest, AllEchoedFromOneThemeDefersTheRestInOrder) {
  std::vector<Candidate> candidates;
  for (int i = 0; i < 5; ++i) {
    candidates.push_back(BridgingGuardClip("e" + std::to_string(i), CandidateSource::kEchoed, {"t1"}));
  }
  const std::vector<ScoredItem> input = BridgingGuardItems(candidates);
  const EchoGuardrailOrder order = ApplyEchoGuardrails(input);
  EXPECT_THAT(BridgingGuardIds(order.items), ElementsAre("e0", "e1"));
  EXPECT_THAT(BridgingGuardIds(order.deferred), ElementsAre("e2", "e3", "e4"));
}

TEST(EchoGuardrailTest, PagesOfOneAndNone) {
  EXPECT_THAT(ApplyEchoGuardrails({}).items, IsEmpty());
  EXPECT_THAT(ApplyEchoGuardrails({}).deferred, IsEmpty());

  const std::vector<Candidate> joined = {BridgingGuardClip("j", CandidateSource::kTheme, {"mine"})};
  const EchoGuardrailOrder joined_order = ApplyEchoGuardrails(BridgingGuardItems(joined));
  // One joined clip would be the whole page: more than half.
  EXPECT_THAT(joined_order.items, IsEmpty());
  EXPECT_THAT(BridgingGuardIds(joined_order.deferred), ElementsAre("j"));

  const std::vector<Candidate> echoed = {BridgingGuardClip("e", CandidateSource::kEchoed)};
  const EchoGuardrailOrder echoed_order = ApplyEchoGuardrails(BridgingGuardItems(echoed));
  EXPECT_THAT(BridgingGuardIds(echoed_order.items), ElementsAre("e"));
  EXPECT_THAT(echoed_order.deferred, IsEmpty());
}

TEST(EchoGuardrailTest, RandomPagesHoldTheRulesAndLoseNothing) {
  std::mt19937_64 rng(99);
  std::uniform_int_distribution<int> kind(0, 3);
  std::uniform_int_distribution<int> theme(0, 2);
  for (int round = 0; round < 200; ++round) {
    std::vector<Candidate> candidates;
    const size_t count = 1 + rng() % 40;
    for (size_t i = 0; i < count; ++i) {
      const std::string id = "c" + std::to_string(i);
      switch (kind(rng)) {
        case 0: candidates.push_back(BridgingGuardClip(id, CandidateSource::kTrending)); break;
        case 1: candidates.push_back(BridgingGuardClip(id, CandidateSource::kTheme, {"mine"})); break;
        default:
          candidates.push_back(BridgingGuardClip(id, CandidateSource::kEchoed, {"t" + std::to_string(theme(rng))}));
      }
    }
    const std::vector<ScoredItem> input = BridgingGuardItems(candidates);
    const EchoGuardrailOrder order = ApplyEchoGuardrails(input);
    BridgingExpectGuardrailsHold(input, order);
    // Deterministic.
    EXPECT_EQ(BridgingGuardIds(ApplyEchoGuardrails(input).items), BridgingGuardIds(order.items));
  }
}

}  // namespace
}  // namespace clipforge::feed
