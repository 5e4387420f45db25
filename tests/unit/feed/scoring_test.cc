// The feed score: its factors multiply back to the served score exactly
// (==, the client's left-to-right product) for thousands of random
// candidates and contexts; a copy keeps at most 20%; steering is clamped
// and shows in the breakdown; quality rises with positive signals and
// falls with negative ones, which weigh far more; freshness falls with
// age; affinity counts for personalized viewers only; the small-theme
// boost multiplies the score and is clamped; so does a penalized
// creator's reach, the last factor; reasons come primary first.
#include "feed/scoring.h"

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "feed/bridging.h"
#include "feed/candidate.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clipforge::feed {
namespace {

using ::testing::ElementsAre;

constexpr std::array<CandidateSource, 8> kScoringAllSources = {
    CandidateSource::kFollowing,    CandidateSource::kForkOfLiked, CandidateSource::kTheme,
    CandidateSource::kEchoed,       CandidateSource::kOriginalPick, CandidateSource::kNewCreator,
    CandidateSource::kTrending,     CandidateSource::kExploration};

absl::Time ScoringNow() { return absl::FromUnixSeconds(1'700'000'000); }

// A clip with typical counters: 1,000 impressions at about the priors'
// rates, published 6 hours ago.
Candidate ScoringCandidate(const std::string& clip_id) {
  Candidate candidate;
  candidate.clip_id = clip_id;
  candidate.creator_id = "creator-" + clip_id;
  candidate.prompt_cluster_id = 42;
  candidate.fork_root_id = clip_id;
  candidate.published_at = ScoringNow() - absl::Hours(6);
  candidate.impressions = 1000;
  candidate.satisfied_views = 300;
  candidate.likes = 50;
  candidate.forks = 5;
  candidate.shares = 10;
  candidate.skips = 400;
  candidate.hides = 2;
  candidate.originality = 0.7;
  candidate.source = CandidateSource::kTrending;
  return candidate;
}

ScoringContext ScoringDefaultContext() {
  ScoringContext context;
  context.now = ScoringNow();
  return context;
}

Candidate RandomScoringCandidate(std::mt19937_64& rng, int i) {
  std::uniform_int_distribution<int64_t> count(-5, 5000);
  std::uniform_real_distribution<double> unit(-0.2, 1.2);
  std::uniform_real_distribution<double> age_hours(-10.0, 2000.0);
  std::uniform_real_distribution<double> small_theme_boost(0.5, kMaxSmallThemeBoost + 0.5);
  std::uniform_real_distribution<double> reach(0.0, 1.5);
  std::uniform_int_distribution<size_t> source(0, kScoringAllSources.size() - 1);
  std::bernoulli_distribution coin(0.5);
  Candidate candidate = ScoringCandidate("clip-" + std::to_string(i));
  candidate.creator_id = "creator-" + std::to_string(i % 7);
  candidate.prompt_cluster_id = static_cast<uint64_t>(i % 5);
  candidate.impressions = count(rng);
  candidate.satisfied_views = count(rng);
  candidate.likes = count(rng);
  candidate.forks = count(rng) / 10;
  candidate.shares = count(rng) / 5;
  candidate.skips = count(rng);
  candidate.hides = count(rng) / 50;
  candidate.published_at = ScoringNow() - absl::Seconds(static_cast<int64_t>(age_hours(rng) * 3600.0));
  candidate.originality = i % 97 == 0 ? std::numeric_limits<double>::quiet_NaN() : unit(rng);
  candidate.is_copy = coin(rng) && coin(rng);
  candidate.source = kScoringAllSources[source(rng)];
  if (coin(rng)) candidate.affinity = unit(rng);
  // Out of [1, kMaxSmallThemeBoost] at times, NaN now and then.
  candidate.small_theme_boost = i % 89 == 0 ? std::numeric_limits<double>::quiet_NaN() : small_theme_boost(rng);
  // Mostly unpenalized; otherwise out of [kReachPenaltyMultiplier, 1] at
  // times, NaN now and then.
  candidate.reach = i % 83 == 0 ? std::numeric_limits<double>::quiet_NaN() : coin(rng) ? 1.0 : reach(rng);
  candidate.theme_ids.clear();
  if (coin(rng)) candidate.theme_ids.push_back("neon");
  if (coin(rng)) candidate.theme_ids.push_back("noir");
  return candidate;
}

// Random steering and feedback, out of bounds at times.
ScoringContext RandomScoringContext(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> weight(0.0, 3.0);
  std::bernoulli_distribution coin(0.5);
  ScoringContext context = ScoringDefaultContext();
  context.personalized = coin(rng);
  context.steering.originality = weight(rng);
  context.steering.freshness = weight(rng);
  context.steering.following_vs_discovery = weight(rng);
  context.steering.theme_weights["neon"] = weight(rng);
  context.feedback.by_creator["creator-3"] = weight(rng);
  context.feedback.by_theme["noir"] = weight(rng);
  context.feedback.by_prompt_cluster[2] = weight(rng);
  context.feedback.by_clip["clip-5"] = weight(rng);
  return context;
}

TEST(ScoringTest, FactorsMultiplyBackToTheScoreExactly) {
  std::mt19937_64 rng(16);
  const std::array<absl::string_view, kScoreFactorCount> names = {
      kQualityFactor,  kFreshnessFactor, kOriginalityFactor, kFeedbackFactor, kSourceFactor,
      kSteeringFactor, kAffinityFactor,  kSmallThemeFactor,  kReachFactor};
  for (int round = 0; round < 50; ++round) {
    const ScoringContext context = RandomScoringContext(rng);
    for (int i = 0; i < 100; ++i) {
      const Candidate candidate = RandomScoringCandidate(rng, i);
      const ScoreBreakdown breakdown = Score(candidate, context);
      ASSERT_EQ(breakdown.factor_count, kScoreFactorCount);
      // What a client does with the factors it was sent.
      double product = breakdown.factors[0].value;
      for (size_t f = 1; f < breakdown.factor_count; ++f) product *= breakdown.factors[f].value;
      ASSERT_EQ(product, breakdown.score) << candidate.clip_id;
      ASSERT_EQ(ProductOfFactors(breakdown.Factors()), breakdown.score);
      for (size_t f = 0; f < kScoreFactorCount; ++f) {
        ASSERT_EQ(breakdown.factors[f].name, names[f]);
        ASSERT_TRUE(std::isfinite(breakdown.factors[f].value)) << names[f];
        ASSERT_GT(breakdown.factors[f].value, 0.0) << names[f];
      }
    }
  }
}

TEST(ScoringTest, SetFactorReplacesOrAppendsAndKeepsTheProduct) {
  ScoreBreakdown breakdown = Score(ScoringCandidate("a"), ScoringDefaultContext());
  const double before = breakdown.score;
  ASSERT_TRUE(breakdown.SetFactor("extra", 0.625));
  EXPECT_EQ(breakdown.factor_count, kScoreFactorCount + 1);
  EXPECT_EQ(breakdown.score, before * 0.625);
  EXPECT_EQ(breakdown.Factor("extra"), 0.625);
  ASSERT_TRUE(breakdown.SetFactor("extra", 0.5));  // replaced, not appended
  EXPECT_EQ(breakdown.factor_count, kScoreFactorCount + 1);
  EXPECT_EQ(breakdown.score, before * 0.5);
  EXPECT_EQ(breakdown.score, ProductOfFactors(breakdown.Factors()));
  EXPECT_FALSE(breakdown.SetFactor("one-too-many", 2.0));  // full
  EXPECT_EQ(breakdown.score, before * 0.5);
  EXPECT_EQ(breakdown.Factor("absent"), 1.0);
}

TEST(ScoringTest, ACopyKeepsAtMostTwentyPercent) {
  for (const double exponent : {0.5, 1.0, 2.0, 7.0}) {
    for (int step = 0; step <= 100; ++step) {
      const double o = step / 100.0;
      const double original = OriginalityMultiplier(o, false, exponent);
      const double copy = OriginalityMultiplier(o, true, exponent);
      ASSERT_GE(original, kOriginalityFloor);
      ASSERT_LE(original, 1.0);
      ASSERT_LE(copy, kCopyMultiplierCap);
      ASSERT_EQ(copy, kCopyMultiplierCap * original);
      ASSERT_LT(copy, OriginalityMultiplier(0.0, false, exponent));  // below every non-copy
    }
  }
  EXPECT_EQ(OriginalityMultiplier(1.0, true), kCopyMultiplierCap);
  EXPECT_EQ(OriginalityMultiplier(7.0, true), kCopyMultiplierCap);  // clamped into [0, 1]

  // The whole score: everything else equal, a copy keeps at most 20%.
  Candidate original = ScoringCandidate("original");
  original.originality = 1.0;
  Candidate copy = original;
  copy.is_copy = true;
  const ScoringContext context = ScoringDefaultContext();
  const ScoreBreakdown original_score = Score(original, context);
  const ScoreBreakdown copy_score = Score(copy, context);
  EXPECT_EQ(copy_score.Factor(kOriginalityFactor), kCopyMultiplierCap);
  EXPECT_LE(copy_score.score, kCopyMultiplierCap * original_score.score * (1.0 + 1e-12));
}

TEST(ScoringTest, SteeringIsClampedIntoItsBounds) {
  RankingSteering steering;
  steering.originality = 10.0;
  steering.freshness = -1.0;
  steering.following_vs_discovery = std::numeric_limits<double>::quiet_NaN();
  steering.exploration_share = 1.0;
  steering.theme_weights["neon"] = 100.0;
  steering.theme_weights["noir"] = 0.0;
  steering.theme_weights["lofi"] = 1.25;
  steering.Clamp();
  EXPECT_EQ(steering.originality, kMaxSteeringWeight);
  EXPECT_EQ(steering.freshness, kMinSteeringWeight);
  EXPECT_EQ(steering.following_vs_discovery, 1.0);
  EXPECT_EQ(steering.exploration_share, kMaxExplorationShare);
  EXPECT_EQ(steering.theme_weights["neon"], kMaxSteeringWeight);
  EXPECT_EQ(steering.theme_weights["noir"], kMinSteeringWeight);
  EXPECT_EQ(steering.theme_weights["lofi"], 1.25);

  RankingSteering low;
  low.exploration_share = 0.0;
  low.Clamp();
  EXPECT_EQ(low.exploration_share, kMinExplorationShare);
  RankingSteering unknown;
  unknown.exploration_share = std::numeric_limits<double>::quiet_NaN();
  unknown.Clamp();
  EXPECT_EQ(unknown.exploration_share, kDefaultExplorationShare);

  // Score reads steering as clamped: out-of-bounds weights score as their
  // bounds.
  std::mt19937_64 rng(3);
  for (int i = 0; i < 200; ++i) {
    ScoringContext wild = RandomScoringContext(rng);
    ScoringContext clamped = wild;
    clamped.steering.Clamp();
    const Candidate candidate = RandomScoringCandidate(rng, i);
    ASSERT_EQ(Score(candidate, wild).score, Score(candidate, clamped).score);
  }
}

TEST(ScoringTest, SteeringShowsInTheBreakdown) {
  ScoringContext context = ScoringDefaultContext();
  context.steering.following_vs_discovery = 2.0;
  context.steering.theme_weights["neon"] = 1.5;

  Candidate followed = ScoringCandidate("followed");
  followed.source = CandidateSource::kFollowing;
  EXPECT_EQ(Score(followed, context).Factor(kSteeringFactor), 2.0);
  followed.theme_ids = {"neon"};
  EXPECT_EQ(Score(followed, context).Factor(kSteeringFactor), 3.0);
  Candidate trending = ScoringCandidate("trending");
  trending.source = CandidateSource::kTrending;
  EXPECT_EQ(Score(trending, context).Factor(kSteeringFactor), 0.5);
  Candidate member = ScoringCandidate("member");
  member.source = CandidateSource::kTheme;
  EXPECT_EQ(Score(member, context).Factor(kSteeringFactor), 1.0);

  // Originality steering is the exponent of O.
  Candidate half = ScoringCandidate("half");
  half.originality = 0.5;
  ScoringContext plain = ScoringDefaultContext();
  EXPECT_EQ(Score(half, plain).Factor(kOriginalityFactor), 0.25 + 0.75 * 0.5);
  plain.steering.originality = 2.0;
  EXPECT_EQ(Score(half, plain).Factor(kOriginalityFactor), 0.25 + 0.75 * 0.25);

  // Source multipliers are the named constants.
  for (const CandidateSource source : kScoringAllSources) {
    Candidate candidate = ScoringCandidate("source");
    candidate.source = source;
    EXPECT_EQ(Score(candidate, ScoringDefaultContext()).Factor(kSourceFactor), SourceMultiplier(source));
  }
}

TEST(ScoringTest, MorePositiveSignalsNeverLowerQualityMoreNegativeNeverRaiseIt) {
  std::mt19937_64 rng(7);
  const ScoringContext context = ScoringDefaultContext();
  const auto quality = [&](const Candidate& candidate) { return Score(candidate, context).Factor(kQualityFactor); };
  size_t rose = 0, fell = 0;
  for (int i = 0; i < 40; ++i) {
    const Candidate base = RandomScoringCandidate(rng, i);
    for (int64_t Candidate::*positive :
         {&Candidate::satisfied_views, &Candidate::likes, &Candidate::forks, &Candidate::shares}) {
      Candidate more = base;
      double previous = quality(more);
      for (int step = 0; step < 200; ++step) {
        more.*positive += 7;
        const double now = quality(more);
        ASSERT_GE(now, previous);
        if (now > previous) ++rose;
        previous = now;
      }
    }
    for (int64_t Candidate::*negative : {&Candidate::skips, &Candidate::hides}) {
      Candidate more = base;
      double previous = quality(more);
      for (int step = 0; step < 200; ++step) {
        more.*negative += 7;
        const double now = quality(more);
        ASSERT_LE(now, previous);
        if (now < previous) ++fell;
        previous = now;
      }
    }
  }
  EXPECT_GT(rose, 40u * 4 * 200 * 9 / 10);
  EXPECT_GT(fell, 40u * 2 * 200 * 9 / 10);
}

TEST(ScoringTest, QualityStartsAtThePriorsAndNegativeSignalsWeighFarMore) {
  Candidate fresh = ScoringCandidate("new");
  fresh.impressions = fresh.satisfied_views = fresh.likes = fresh.forks = fresh.shares = fresh.skips = fresh.hides = 0;
  const double positive = 0.3 + 2.0 * 0.05 + 4.0 * 0.01 + 6.0 * 0.005;
  const double negative = 5.0 * (0.2 * 0.4 + 20.0 * 0.002);
  EXPECT_NEAR(Score(fresh, ScoringDefaultContext()).Factor(kQualityFactor), positive / (positive + negative), 1e-12);

  const ScoringContext context = ScoringDefaultContext();
  const Candidate base = ScoringCandidate("base");
  Candidate liked = base;
  liked.likes += 10;
  Candidate hidden = base;
  hidden.hides += 10;
  const double q = Score(base, context).Factor(kQualityFactor);
  const double gain = Score(liked, context).Factor(kQualityFactor) - q;
  const double loss = q - Score(hidden, context).Factor(kQualityFactor);
  EXPECT_GT(gain, 0.0);
  EXPECT_GT(loss, 5.0 * gain);
}

TEST(ScoringTest, OlderIsNeverFresherAndTheHalfLifeIsSteered) {
  for (const double freshness : {0.5, 1.0, 2.0}) {
    ScoringContext context = ScoringDefaultContext();
    context.steering.freshness = freshness;
    Candidate candidate = ScoringCandidate("aging");
    double previous = 2.0;
    for (int minutes = 0; minutes <= 40 * 24 * 60; minutes += 37) {
      candidate.published_at = ScoringNow() - absl::Minutes(minutes);
      const double now = Score(candidate, context).Factor(kFreshnessFactor);
      ASSERT_LE(now, previous);
      ASSERT_GE(now, kMinFreshness);
      previous = now;
    }
    EXPECT_EQ(previous, kMinFreshness);
  }

  ScoringContext context = ScoringDefaultContext();
  Candidate candidate = ScoringCandidate("clip");
  candidate.published_at = ScoringNow() - kFreshnessHalfLife;
  EXPECT_EQ(Score(candidate, context).Factor(kFreshnessFactor), 0.5);
  context.steering.freshness = 2.0;
  candidate.published_at = ScoringNow() - kFreshnessHalfLife / 2;
  EXPECT_EQ(Score(candidate, context).Factor(kFreshnessFactor), 0.5);
  candidate.published_at = ScoringNow() + absl::Minutes(5);  // clock skew
  EXPECT_EQ(Score(candidate, context).Factor(kFreshnessFactor), 1.0);
}

TEST(ScoringTest, AffinityCountsOnlyForPersonalizedViewers) {
  Candidate candidate = ScoringCandidate("clip");
  candidate.affinity = 0.5;
  ScoringContext context = ScoringDefaultContext();
  EXPECT_EQ(Score(candidate, context).Factor(kAffinityFactor), 1.0);
  context.personalized = true;
  EXPECT_EQ(Score(candidate, context).Factor(kAffinityFactor), 1.5);
  candidate.affinity = 7.0;
  EXPECT_EQ(Score(candidate, context).Factor(kAffinityFactor), 1.0 + kMaxAffinity);
  candidate.affinity = -1.0;
  EXPECT_EQ(Score(candidate, context).Factor(kAffinityFactor), 1.0);
  candidate.affinity.reset();
  EXPECT_EQ(Score(candidate, context).Factor(kAffinityFactor), 1.0);
}

// Only the factors after the boost (reach, 1 here) follow it, so the
// boosted score is the unboosted one times the boost, bit for bit.
TEST(ScoringTest, TheSmallThemeBoostMultipliesTheScore) {
  const ScoringContext context = ScoringDefaultContext();
  Candidate plain = ScoringCandidate("clip");
  plain.source = CandidateSource::kTheme;
  plain.theme_ids = {"tiny"};
  Candidate boosted = plain;
  boosted.small_theme_boost = 1.8;

  const ScoreBreakdown before = Score(plain, context);
  const ScoreBreakdown after = Score(boosted, context);
  EXPECT_EQ(before.Factor(kSmallThemeFactor), 1.0);
  EXPECT_EQ(after.Factor(kSmallThemeFactor), 1.8);
  ASSERT_EQ(after.factor_count, kScoreFactorCount);
  EXPECT_EQ(after.factors[kScoreFactorCount - 2].name, kSmallThemeFactor);
  for (size_t f = 0; f < kScoreFactorCount; ++f) {
    if (f == kScoreFactorCount - 2) continue;
    EXPECT_EQ(after.factors[f].value, before.factors[f].value) << after.factors[f].name;
  }
  EXPECT_EQ(after.factors[kScoreFactorCount - 1].value, 1.0);
  EXPECT_EQ(after.score, before.score * 1.8);
  EXPECT_EQ(after.score, ProductOfFactors(after.Factors()));
  // What the gatherer sets passes through unchanged.
  boosted.small_theme_boost = SmallThemeBoost(3);
  EXPECT_EQ(Score(boosted, context).Factor(kSmallThemeFactor), SmallThemeBoost(3));
}

TEST(ScoringTest, TheSmallThemeBoostIsClampedIntoItsBounds) {
  const ScoringContext context = ScoringDefaultContext();
  Candidate candidate = ScoringCandidate("clip");
  const double unboosted = Score(candidate, context).score;
  const auto factor_for = [&](double boost) {
    candidate.small_theme_boost = boost;
    const ScoreBreakdown breakdown = Score(candidate, context);
    EXPECT_EQ(breakdown.score, ProductOfFactors(breakdown.Factors())) << boost;
    return breakdown.Factor(kSmallThemeFactor);
  };
  EXPECT_EQ(factor_for(7.0), kMaxSmallThemeBoost);
  EXPECT_EQ(factor_for(std::numeric_limits<double>::infinity()), kMaxSmallThemeBoost);
  EXPECT_EQ(factor_for(0.25), 1.0);
  EXPECT_EQ(factor_for(0.0), 1.0);
  EXPECT_EQ(factor_for(-std::numeric_limits<double>::infinity()), 1.0);
  EXPECT_EQ(factor_for(std::numeric_limits<double>::quiet_NaN()), 1.0);
  EXPECT_EQ(Score(candidate, context).score, unboosted);
}

// Reach is the last factor, so a penalized creator's clip scores exactly
// a quarter of what it would, bit for bit.
TEST(ScoringTest, APenalizedCreatorsReachIsTheLastFactorAndKeepsExactlyAQuarter) {
  const ScoringContext context = ScoringDefaultContext();
  Candidate plain = ScoringCandidate("clip");
  Candidate penalized = plain;
  penalized.reach = kReachPenaltyMultiplier;

  const ScoreBreakdown before = Score(plain, context);
  const ScoreBreakdown after = Score(penalized, context);

  EXPECT_EQ(before.Factor(kReachFactor), 1.0);
  EXPECT_EQ(after.Factor(kReachFactor), 0.25);
  ASSERT_EQ(after.factor_count, kScoreFactorCount);
  EXPECT_EQ(after.factors[kScoreFactorCount - 1].name, kReachFactor);
  for (size_t f = 0; f + 1 < kScoreFactorCount; ++f) {
    EXPECT_EQ(after.factors[f].value, before.factors[f].value) << after.factors[f].name;
  }
  EXPECT_EQ(after.score, before.score * 0.25);
  EXPECT_EQ(after.score, ProductOfFactors(after.Factors()));
}

TEST(ScoringTest, ReachIsClampedIntoItsBounds) {
  const ScoringContext context = ScoringDefaultContext();
  Candidate candidate = ScoringCandidate("clip");
  const double unpenalized = Score(candidate, context).score;
  const auto factor_for = [&](double reach) {
    candidate.reach = reach;
    const ScoreBreakdown breakdown = Score(candidate, context);
    EXPECT_EQ(breakdown.score, ProductOfFactors(breakdown.Factors())) << reach;
    return breakdown.Factor(kReachFactor);
  };
  EXPECT_EQ(factor_for(0.5), 0.5);
  EXPECT_EQ(factor_for(0.1), kReachPenaltyMultiplier);
  EXPECT_EQ(factor_for(0.0), kReachPenaltyMultiplier);
  EXPECT_EQ(factor_for(-std::numeric_limits<double>::infinity()), kReachPenaltyMultiplier);
  EXPECT_EQ(factor_for(1.5), 1.0);
  EXPECT_EQ(factor_for(std::numeric_limits<double>::infinity()), 1.0);
  EXPECT_EQ(factor_for(std::numeric_limits<double>::quiet_NaN()), 1.0);
  EXPECT_EQ(Score(candidate, context).score, unpenalized);
}

TEST(ScoringTest, FeedbackMultipliesEveryScopeWithinBounds) {
  Candidate candidate = ScoringCandidate("clip");
  candidate.theme_ids = {"neon"};
  ScoringContext context = ScoringDefaultContext();
  EXPECT_EQ(Score(candidate, context).Factor(kFeedbackFactor), 1.0);
  context.feedback.by_creator[candidate.creator_id] = 2.0;
  EXPECT_EQ(Score(candidate, context).Factor(kFeedbackFactor), 2.0);
  context.feedback.by_prompt_cluster[candidate.prompt_cluster_id] = 0.5;
  EXPECT_EQ(Score(candidate, context).Factor(kFeedbackFactor), 1.0);
  context.feedback.by_theme["neon"] = 10.0;  // clamped to 3, then the product to 3
  EXPECT_EQ(Score(candidate, context).Factor(kFeedbackFactor), kMaxFeedbackMultiplier);
  context.feedback.by_clip[candidate.clip_id] = 0.0;  // clamped to 0.1
  EXPECT_DOUBLE_EQ(Score(candidate, context).Factor(kFeedbackFactor), 0.1 * 2.0 * 0.5 * 3.0);
  context.feedback.by_creator[candidate.creator_id] = std::numeric_limits<double>::quiet_NaN();  // reads as 1
  EXPECT_DOUBLE_EQ(Score(candidate, context).Factor(kFeedbackFactor), 0.1 * 0.5 * 3.0);
  context.feedback.by_clip[candidate.clip_id] = 0.01;
  context.feedback.by_theme["neon"] = 0.1;  // 0.1 x 0.5 x 0.1 = 0.005, clamped up to 0.1
  EXPECT_EQ(Score(candidate, context).Factor(kFeedbackFactor), kMinFeedbackMultiplier);
}

TEST(ScoringTest, ScoreAllScoresEachCandidateInPlace) {
  std::mt19937_64 rng(11);
  const ScoringContext context = RandomScoringContext(rng);
  std::vector<Candidate> candidates;
  for (int i = 0; i < 300; ++i) candidates.push_back(RandomScoringCandidate(rng, i));
  std::vector<ScoredItem> scored;
  ScoreAll(candidates, context, scored);
  ASSERT_EQ(scored.size(), candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    EXPECT_EQ(scored[i].candidate, &candidates[i]);
    EXPECT_EQ(scored[i].breakdown.score, Score(candidates[i], context).score);
    EXPECT_FALSE(scored[i].exploration);
  }
  ScoreAll(absl::MakeConstSpan(candidates).subspan(0, 10), context, scored);
  EXPECT_EQ(scored.size(), 10u);
}

TEST(ScoringTest, BatchScorerMatchesScoreWithManySettings) {
  // Hundreds of clip and creator settings fill the prefilters' slots: a
  // candidate that passes them must still get the map's own answer.
  std::mt19937_64 rng(12);
  ScoringContext context = RandomScoringContext(rng);
  std::uniform_real_distribution<double> weight(0.0, 3.0);
  for (int i = 0; i < 2000; i += 3) context.feedback.by_clip["clip-" + std::to_string(i)] = weight(rng);
  for (int i = 0; i < 7; i += 2) context.feedback.by_creator["creator-" + std::to_string(i)] = weight(rng);
  std::vector<Candidate> candidates;
  for (int i = 0; i < 2000; ++i) candidates.push_back(RandomScoringCandidate(rng, i));
  const BatchScorer scorer(context);
  for (const Candidate& candidate : candidates) {
    const ScoreBreakdown batch = scorer.Score(candidate);
    const ScoreBreakdown single = Score(candidate, context);
    ASSERT_EQ(batch.score, single.score) << candidate.clip_id;
    EXPECT_EQ(batch.Factor(kFeedbackFactor), single.Factor(kFeedbackFactor));
    EXPECT_EQ(batch.Factor(kSteeringFactor), single.Factor(kSteeringFactor));
  }
}

TEST(ReasonsForTest, PrimaryFirstThenInTheIssuesOrder) {
  Candidate candidate = ScoringCandidate("clip");
  candidate.source = CandidateSource::kFollowing;
  candidate.originality = 0.9;
  candidate.theme_ids = {"neon"};
  candidate.affinity = 0.3;
  ScoringContext context = ScoringDefaultContext();
  context.personalized = true;
  context.feedback.by_creator[candidate.creator_id] = 1.5;
  EXPECT_THAT(ReasonsFor(candidate, context),
              ElementsAre(FeedReason::kFollowingCreator, FeedReason::kOriginalPick, FeedReason::kAskedForMore,
                          FeedReason::kPersonalizedTheme));

  // Not personalized: no personalized theme match, affinity or not.
  context.personalized = false;
  EXPECT_THAT(ReasonsFor(candidate, context),
              ElementsAre(FeedReason::kFollowingCreator, FeedReason::kOriginalPick, FeedReason::kAskedForMore));

  // A copy is never an original pick; a theme weighed up is asking for more.
  candidate.is_copy = true;
  context.feedback.by_creator.clear();
  EXPECT_THAT(ReasonsFor(candidate, context), ElementsAre(FeedReason::kFollowingCreator));
  context.steering.theme_weights["neon"] = 1.5;
  EXPECT_THAT(ReasonsFor(candidate, context), ElementsAre(FeedReason::kFollowingCreator, FeedReason::kAskedForMore));

  // An original pick source gives the reason once.
  Candidate pick = ScoringCandidate("pick");
  pick.source = CandidateSource::kOriginalPick;
  pick.originality = 0.95;
  EXPECT_THAT(ReasonsFor(pick, ScoringDefaultContext()), ElementsAre(FeedReason::kOriginalPick));
}

TEST(ReasonsForTest, EachSourceIsItsPrimaryReason) {
  const std::array<FeedReason, 8> primary = {
      FeedReason::kFollowingCreator, FeedReason::kForkOfLikedClip, FeedReason::kInYourEchoChamber,
      FeedReason::kEchoedFromChamber, FeedReason::kOriginalPick,   FeedReason::kNewCreator,
      FeedReason::kTrendingInTheme,  FeedReason::kExploration};
  for (size_t i = 0; i < kScoringAllSources.size(); ++i) {
    Candidate candidate = ScoringCandidate("clip");
    candidate.source = kScoringAllSources[i];
    candidate.originality = 0.5;
    EXPECT_THAT(ReasonsFor(candidate, ScoringDefaultContext()), ElementsAre(primary[i]));
  }
}

}  // namespace
}  // namespace clipforge::feed
