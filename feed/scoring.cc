#include "feed/scoring.h"

#include <algorithm>
#include <cmath>

#include "feed/bridging.h"

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

// The value `map` holds for `key`, or null. The map is asked only when it
// is not empty and `filter` may hold the key: most lookups end at the
// filter without hashing the key.
const double* ScoreLookup(const absl::flat_hash_map<std::string, double>& map, const KeyPrefilter& filter,
                          const std::string& key) {
  if (map.empty() || !filter.MightContain(key)) return nullptr;
  const auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

double ScoreFeedback(const Candidate& c, const FeedbackMultipliers& feedback, const ScoreLookups& lookups) {
  double multiplier = 1.0;
  if (const double* value = ScoreLookup(feedback.by_clip, lookups.clips, c.clip_id)) {
    multiplier *= ScoreFeedbackValue(*value);
  }
  if (const double* value = ScoreLookup(feedback.by_creator, lookups.creators, c.creator_id)) {
    multiplier *= ScoreFeedbackValue(*value);
  }
  if (!feedback.by_prompt_cluster.empty() && c.prompt_cluster_id != 0) {
    if (const auto it = feedback.by_prompt_cluster.find(c.prompt_cluster_id); it != feedback.by_prompt_cluster.end()) {
      multiplier *= ScoreFeedbackValue(it->second);
    }
  }
  for (const std::string& theme : c.theme_ids) {
    if (const double* value = ScoreLookup(feedback.by_theme, lookups.feedback_themes, theme)) {
      multiplier *= ScoreFeedbackValue(*value);
    }
  }
  return ScoreFeedbackValue(multiplier);
}

// The product of the clip's theme weights (unlisted themes count 1),
// within the steering bounds.
double ScoreThemeWeight(const Candidate& c, const RankingSteering& steering, const ScoreLookups& lookups) {
  if (steering.theme_weights.empty()) return 1.0;
  double weight = 1.0;
  for (const std::string& theme : c.theme_ids) {
    if (const double* value = ScoreLookup(steering.theme_weights, lookups.weighted_themes, theme)) {
      weight *= ScoreSteeringWeight(*value);
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

// The gatherer's boost, clamped as it is read: a stray value never sinks
// a clip (below 1 reads as 1, NaN as 1) nor lifts it past the boost of an
// empty theme (kMaxSmallThemeBoost).
double ScoreSmallTheme(const Candidate& c) {
  return ScoreClamp(c.small_theme_boost, 1.0, kMaxSmallThemeBoost, 1.0);
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

static_assert(kScoreFactorCount < kMaxScoreFactors, "Score's factors fit the breakdown with room for author decay");

namespace {

// Writes into `breakdown` in place: a page scores thousands of candidates
// straight into their ScoredItems, and a 10-factor breakdown is a quarter
// kilobyte to copy.
void ScoreWith(const Candidate& candidate, const ScoringContext& context, const ScoreLookups& lookups,
               ScoreBreakdown& breakdown) {
  const RankingSteering& steering = context.steering;
  breakdown.factors[0] = ScoreFactor{.name = kQualityFactor, .value = ScoreQuality(candidate)};
  breakdown.factors[1] = ScoreFactor{
      .name = kFreshnessFactor, .value = ScoreFreshness(candidate.published_at, context.now, steering.freshness)};
  breakdown.factors[2] =
      ScoreFactor{.name = kOriginalityFactor,
                  .value = OriginalityMultiplier(candidate.originality, candidate.is_copy, steering.originality)};
  breakdown.factors[3] = ScoreFactor{.name = kFeedbackFactor, .value = ScoreFeedback(candidate, context.feedback, lookups)};
  breakdown.factors[4] = ScoreFactor{.name = kSourceFactor, .value = SourceMultiplier(candidate.source)};
  breakdown.factors[5] =
      ScoreFactor{.name = kSteeringFactor,
                  .value = ScoreFollowingVsDiscovery(candidate.source, steering.following_vs_discovery) *
                           ScoreThemeWeight(candidate, steering, lookups)};
  breakdown.factors[6] =
      ScoreFactor{.name = kAffinityFactor, .value = ScoreAffinity(candidate, context.personalized)};
  breakdown.factors[7] = ScoreFactor{.name = kSmallThemeFactor, .value = ScoreSmallTheme(candidate)};
  // The gatherer's reach, clamped as it is read: a stray value never sinks
  // a clip below the penalty nor lifts it above an unpenalized creator's.
  breakdown.factors[8] = ScoreFactor{.name = kReachFactor,
                                     .value = ScoreClamp(candidate.reach, kReachPenaltyMultiplier, 1.0, 1.0)};
  breakdown.factor_count = kScoreFactorCount;
  breakdown.score = ProductOfFactors(breakdown.Factors());
}

ScoreLookups LookupsOf(const ScoringContext& context) {
  ScoreLookups lookups;
  for (const auto& [key, value] : context.feedback.by_clip) lookups.clips.Add(key);
  for (const auto& [key, value] : context.feedback.by_creator) lookups.creators.Add(key);
  for (const auto& [key, value] : context.feedback.by_theme) lookups.feedback_themes.Add(key);
  for (const auto& [key, value] : context.steering.theme_weights) lookups.weighted_themes.Add(key);
  return lookups;
}

}  // namespace

const ScoreLookups& ScoreLookups::AllKeys() {
  static const ScoreLookups all{.clips = KeyPrefilter::AllKeys(),
                                .creators = KeyPrefilter::AllKeys(),
                                .feedback_themes = KeyPrefilter::AllKeys(),
                                .weighted_themes = KeyPrefilter::AllKeys()};
  return all;
}

ScoreBreakdown Score(const Candidate& candidate, const ScoringContext& context) {
  ScoreBreakdown breakdown;
  ScoreWith(candidate, context, ScoreLookups::AllKeys(), breakdown);
  return breakdown;
}

BatchScorer::BatchScorer(const ScoringContext& context) : context_(context), lookups_(LookupsOf(context)) {}

ScoreBreakdown BatchScorer::Score(const Candidate& candidate) const {
  ScoreBreakdown breakdown;
  ScoreWith(candidate, context_, lookups_, breakdown);
  return breakdown;
}

void BatchScorer::ScoreInto(const Candidate& candidate, ScoreBreakdown& out) const {
  ScoreWith(candidate, context_, lookups_, out);
}

void ScoreAll(absl::Span<const Candidate> candidates, const ScoringContext& context, std::vector<ScoredItem>& out) {
  out.resize(candidates.size());
  const BatchScorer scorer(context);
  for (size_t i = 0; i < candidates.size(); ++i) {
    out[i].candidate = &candidates[i];
    scorer.ScoreInto(candidates[i], out[i].breakdown);
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
  const ScoreLookups& all = ScoreLookups::AllKeys();
  add_if(FeedReason::kAskedForMore, ScoreFeedback(candidate, context.feedback, all) > 1.0 ||
                                        ScoreThemeWeight(candidate, context.steering, all) > 1.0);
  add_if(FeedReason::kPersonalizedTheme, context.personalized && !candidate.theme_ids.empty() &&
                                             ScoreAffinity(candidate, context.personalized) > 1.0);
  return reasons;
}

}  // namespace clipforge::feed
