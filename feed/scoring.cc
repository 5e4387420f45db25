#include "feed/scoring.h"

#include <algorithm>
#include <cmath>

namespace clipforge::feed {
namespace {

// `x` clamped into [lo, hi]; NaN reads as `fallback`.
double ScoreClamp(double x, double lo, double hi, double fallback) {
  if (std::isnan(x)) return fallback;
  return std::clamp(x, lo, hi);
}

double ScoreSteeringWeight(double weight) {
  return ScoreClamp(weight, kMinSteeringWeight, kMaxSteeringWeight, 1.0);
}

double ScoreFeedbackValue(double multiplier) {
  return ScoreClamp(multiplier, kMinFeedbackMultiplier, kMaxFeedbackMultiplier, 1.0);
}

// The posterior mean of a per-impression rate (RatePrior).
double ScorePosteriorMean(const RatePrior& prior, int64_t events, int64_t impressions) {
  const double x = static_cast<double>(std::max<int64_t>(events, 0));
  const double n = static_cast<double>(std::max<int64_t>(impressions, 0));
  return (prior.events + x) / (prior.impressions + n);
}

// positive / (positive + negative), written as 1 / (1 + negative /
// positive): every step is then monotone in IEEE arithmetic too, so more
// of a positive signal never lowers it and more of a negative one never
// raises it, to the last bit. positive > 0: every prior holds events.
double ScoreQuality(const Candidate& c) {
  const int64_t n = c.impressions;
  const double positive = kSatisfiedViewValue * ScorePosteriorMean(kSatisfiedViewPrior, c.satisfied_views, n) +
                          kLikeValue * ScorePosteriorMean(kLikePrior, c.likes, n) +
                          kShareValue * ScorePosteriorMean(kSharePrior, c.shares, n) +
                          kForkValue * ScorePosteriorMean(kForkPrior, c.forks, n);
  const double negative = kNegativeSignalWeight * (kSkipCost * ScorePosteriorMean(kSkipPrior, c.skips, n) +
                                                   kHideCost * ScorePosteriorMean(kHidePrior, c.hides, n));
  return 1.0 / (1.0 + negative / positive);
}

double ScoreFreshness(absl::Time published_at, absl::Time now, double freshness_weight) {
  // A clip from the future (clock skew) is as fresh as can be; an infinite
  // age (absl::InfinitePast) sinks to the floor.
  const double age_hours = std::max(0.0, absl::ToDoubleHours(now - published_at));
  const double half_life_hours = absl::ToDoubleHours(kFreshnessHalfLife) / ScoreSteeringWeight(freshness_weight);
  return std::max(kMinFreshness, std::exp2(-age_hours / half_life_hours));
}

double ScoreFeedback(const Candidate& c, const FeedbackMultipliers& feedback) {
  double multiplier = 1.0;
  if (!feedback.by_clip.empty()) {
    if (const auto it = feedback.by_clip.find(c.clip_id); it != feedback.by_clip.end()) {
      multiplier *= ScoreFeedbackValue(it->second);
    }
  }
  if (!feedback.by_creator.empty()) {
    if (const auto it = feedback.by_creator.find(c.creator_id); it != feedback.by_creator.end()) {
      multiplier *= ScoreFeedbackValue(it->second);
    }
  }
  if (!feedback.by_prompt_cluster.empty() && c.prompt_cluster_id != 0) {
    if (const auto it = feedback.by_prompt_cluster.find(c.prompt_cluster_id); it != feedback.by_prompt_cluster.end()) {
      multiplier *= ScoreFeedbackValue(it->second);
    }
  }
  if (!feedback.by_theme.empty()) {
    for (const std::string& theme : c.theme_ids) {
      if (const auto it = feedback.by_theme.find(theme); it != feedback.by_theme.end()) {
        multiplier *= ScoreFeedbackValue(it->second);
      }
    }
  }
  return ScoreFeedbackValue(multiplier);
}

// The product of the clip's theme weights (unlisted themes count 1),
// within the steering bounds.
double ScoreThemeWeight(const Candidate& c, const RankingSteering& steering) {
  if (steering.theme_weights.empty()) return 1.0;
  double weight = 1.0;
  for (const std::string& theme : c.theme_ids) {
    if (const auto it = steering.theme_weights.find(theme); it != steering.theme_weights.end()) {
      weight *= ScoreSteeringWeight(it->second);
    }
  }
  return ScoreSteeringWeight(weight);
}

double ScoreFollowingVsDiscovery(CandidateSource source, double weight) {
  const double w = ScoreSteeringWeight(weight);
  switch (source) {
    case CandidateSource::kFollowing:
      return w;
    case CandidateSource::kForkOfLiked:
    case CandidateSource::kTheme:
      return 1.0;
    case CandidateSource::kEchoed:
    case CandidateSource::kOriginalPick:
    case CandidateSource::kNewCreator:
    case CandidateSource::kTrending:
    case CandidateSource::kExploration:
      return 1.0 / w;
  }
  return 1.0;
}

double ScoreAffinity(const Candidate& c, bool personalized) {
  if (!personalized || !c.affinity.has_value()) return 1.0;
  return 1.0 + ScoreClamp(*c.affinity, 0.0, kMaxAffinity, 0.0);
}

FeedReason ScorePrimaryReason(CandidateSource source) {
  switch (source) {
    case CandidateSource::kFollowing:
      return FeedReason::kFollowingCreator;
    case CandidateSource::kForkOfLiked:
      return FeedReason::kForkOfLikedClip;
    case CandidateSource::kTheme:
      return FeedReason::kInYourEchoChamber;
    case CandidateSource::kEchoed:
      return FeedReason::kEchoedFromChamber;
    case CandidateSource::kOriginalPick:
      return FeedReason::kOriginalPick;
    case CandidateSource::kNewCreator:
      return FeedReason::kNewCreator;
    case CandidateSource::kTrending:
      return FeedReason::kTrendingInTheme;
    case CandidateSource::kExploration:
      return FeedReason::kExploration;
  }
  return FeedReason::kTrendingInTheme;
}

}  // namespace

double SourceMultiplier(CandidateSource source) {
  switch (source) {
    case CandidateSource::kFollowing:
      return kFollowingSourceMultiplier;
    case CandidateSource::kForkOfLiked:
      return kForkOfLikedSourceMultiplier;
    case CandidateSource::kTheme:
      return kThemeSourceMultiplier;
    case CandidateSource::kEchoed:
      return kEchoedSourceMultiplier;
    case CandidateSource::kOriginalPick:
      return kOriginalPickSourceMultiplier;
    case CandidateSource::kNewCreator:
      return kNewCreatorSourceMultiplier;
    case CandidateSource::kTrending:
      return kTrendingSourceMultiplier;
    case CandidateSource::kExploration:
      return kExplorationSourceMultiplier;
  }
  return 1.0;
}

void RankingSteering::Clamp() {
  originality = ScoreSteeringWeight(originality);
  freshness = ScoreSteeringWeight(freshness);
  following_vs_discovery = ScoreSteeringWeight(following_vs_discovery);
  exploration_share =
      ScoreClamp(exploration_share, kMinExplorationShare, kMaxExplorationShare, kDefaultExplorationShare);
  for (auto& entry : theme_weights) entry.second = ScoreSteeringWeight(entry.second);
}

double ProductOfFactors(absl::Span<const ScoreFactor> factors) {
  double product = 1.0;
  for (const ScoreFactor& factor : factors) product *= factor.value;
  return product;
}

double ScoreBreakdown::Factor(absl::string_view name) const {
  for (const ScoreFactor& factor : Factors()) {
    if (factor.name == name) return factor.value;
  }
  return 1.0;
}

bool ScoreBreakdown::SetFactor(absl::string_view name, double value) {
  bool found = false;
  for (size_t i = 0; i < factor_count; ++i) {
    if (factors[i].name == name) {
      factors[i].value = value;
      found = true;
      break;
    }
  }
  if (!found) {
    if (factor_count == factors.size()) return false;
    factors[factor_count++] = ScoreFactor{.name = name, .value = value};
  }
  score = ProductOfFactors(Factors());
  return true;
}

double OriginalityMultiplier(double originality, bool is_copy, double exponent) {
  const double o = ScoreClamp(originality, 0.0, 1.0, 0.0);
  const double e = ScoreSteeringWeight(exponent);
  // pow(o, 1) is o: skipping the call at the default keeps 10,000
  // candidates well inside the scoring budget.
  const double shaped = e == 1.0 ? o : std::pow(o, e);
  const double multiplier = kOriginalityFloor + (1.0 - kOriginalityFloor) * shaped;
  return is_copy ? kCopyMultiplierCap * multiplier : multiplier;
}

static_assert(kScoreFactorCount <= kMaxScoreFactors, "Score's factors fit the breakdown");

ScoreBreakdown Score(const Candidate& candidate, const ScoringContext& context) {
  const RankingSteering& steering = context.steering;
  ScoreBreakdown breakdown;
  breakdown.factors[0] = ScoreFactor{.name = kQualityFactor, .value = ScoreQuality(candidate)};
  breakdown.factors[1] = ScoreFactor{
      .name = kFreshnessFactor, .value = ScoreFreshness(candidate.published_at, context.now, steering.freshness)};
  breakdown.factors[2] =
      ScoreFactor{.name = kOriginalityFactor,
                  .value = OriginalityMultiplier(candidate.originality, candidate.is_copy, steering.originality)};
  breakdown.factors[3] = ScoreFactor{.name = kFeedbackFactor, .value = ScoreFeedback(candidate, context.feedback)};
  breakdown.factors[4] = ScoreFactor{.name = kSourceFactor, .value = SourceMultiplier(candidate.source)};
  breakdown.factors[5] =
      ScoreFactor{.name = kSteeringFactor,
                  .value = ScoreFollowingVsDiscovery(candidate.source, steering.following_vs_discovery) *
                           ScoreThemeWeight(candidate, steering)};
  breakdown.factors[6] =
      ScoreFactor{.name = kAffinityFactor, .value = ScoreAffinity(candidate, context.personalized)};
  breakdown.factor_count = kScoreFactorCount;
  breakdown.score = ProductOfFactors(breakdown.Factors());
  return breakdown;
}

void ScoreAll(absl::Span<const Candidate> candidates, const ScoringContext& context, std::vector<ScoredItem>& out) {
  out.resize(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    out[i].candidate = &candidates[i];
    out[i].breakdown = Score(candidates[i], context);
    out[i].exploration = false;
  }
}

std::vector<FeedReason> ReasonsFor(const Candidate& candidate, const ScoringContext& context) {
  const FeedReason primary = ScorePrimaryReason(candidate.source);
  std::vector<FeedReason> reasons;
  reasons.reserve(4);
  reasons.push_back(primary);
  const auto add_if = [&](FeedReason reason, bool applies) {
    if (applies && reason != primary) reasons.push_back(reason);
  };
  // NaN compares false: an unknown originality is no original pick.
  add_if(FeedReason::kOriginalPick,
         !candidate.is_copy && candidate.originality >= kOriginalPickReasonMinOriginality);
  add_if(FeedReason::kAskedForMore, ScoreFeedback(candidate, context.feedback) > 1.0 ||
                                        ScoreThemeWeight(candidate, context.steering) > 1.0);
  add_if(FeedReason::kPersonalizedTheme, context.personalized && !candidate.theme_ids.empty() &&
                                             ScoreAffinity(candidate, context.personalized) > 1.0);
  return reasons;
}

}  // namespace clipforge::feed
