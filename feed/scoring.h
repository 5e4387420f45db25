// The feed's score: a product of named factors, each shown to the viewer.
//
//   score = quality x freshness x originality x feedback x source
//           x steering x affinity x small_theme x reach
//
//   quality      smoothed engagement: the posterior means of the clip's
//                per-impression rates (satisfied views, likes, shares,
//                forks; skips and hides), positive value against negative
//                cost, in (0, 1)
//   freshness    0.5^(age / half-life), the half-life 36 h divided by the
//                viewer's freshness weight, floored at kMinFreshness
//   originality  O mapped onto [kOriginalityFloor, 1] with the viewer's
//                originality weight as the exponent of O; a copy keeps
//                kCopyMultiplierCap (20%) of that
//   feedback     the viewer's show-more / show-less multipliers for the
//                clip, its creator, its prompt cluster and its themes
//   source       the generator's multiplier (kFollowingSourceMultiplier ...)
//   steering     the viewer's following-versus-discovery weight and theme
//                weights
//   affinity     1 + the viewer's affinity, for personalized viewers only
//                (1 for everyone else)
//   small_theme  the boost of the theme the clip came through
//                (Candidate::small_theme_boost, SmallThemeBoost in
//                bridging.h: a log of its member count), in
//                [1, kMaxSmallThemeBoost]; 1 for clips from no theme
//   reach        kReachPenaltyMultiplier (reach_penalty.h) while the
//                clip's creator is penalized for mass reposting
//                (Candidate::reach), clamped into
//                [kReachPenaltyMultiplier, 1]; 1 for everyone else
//
// The re-ranker may append one more, "author_decay" (rerank.h).
//
// Exactness: ScoreBreakdown::score is computed from the stored factor
// values, multiplied left to right starting from 1.0 (ProductOfFactors).
// IEEE-754 multiplication is deterministic and 1.0 x f is f, so a client
// that multiplies the factors it was sent, in the order sent, gets the
// served score bit for bit (doubles sent with 17 significant digits, or as
// binary, round trip exactly). Every factor is positive and finite.
//
// The viewer's steering (RankingSteering) shows in the factors it changes:
// the originality weight in "originality", the freshness weight in
// "freshness", the following/discovery and theme weights in "steering";
// the exploration share sets the exploration slots (exploration.h).
//
// Cost: Score allocates nothing (the breakdown is a fixed array); ScoreAll
// allocates its output once. Feedback and theme lookups are skipped when
// the maps are empty; a BatchScorer (what ScoreAll and ranker.h's
// ScoreEligible use) also skips, for most candidates, the lookups that
// would miss (key_prefilter.h).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "feed/candidate.h"
#include "feed/key_prefilter.h"
#include "feed/reach_penalty.h"

namespace clipforge::feed {

// ---------------------------------------------------------------------------
// Quality: posterior means of per-impression rates
// ---------------------------------------------------------------------------

// A prior on a per-impression rate as pseudo-counts: `events` in
// `impressions`. A Beta(a, b) prior on a rate bounded by 1 is {a, a + b};
// a Gamma(a, b) prior on a Poisson rate is {a, b}. Either way the
// posterior mean after x events in n impressions is
// (events + x) / (impressions + n), so a new clip starts at the prior's
// mean and its own rates take over as its impressions outgrow the prior's.
struct RatePrior {
  double events = 0.0;
  double impressions = 1.0;
};

// The priors' means are typical short-form video rates (completion about
// 30%, likes 5%, shares 1%, early skips 40%); they are starting values,
// to be replaced by the platform's own means from the feedback aggregates.
// Their strengths (impressions) are what a clip must be shown before its
// own rate outweighs the prior: 20 for the common signals (one exploration
// round), and for rare ones enough that the prior holds one to two events,
// so a single early like, fork or hide does not swing the score.
inline constexpr RatePrior kSatisfiedViewPrior{.events = 6.0, .impressions = 20.0};  // Beta(6, 14): 30%
inline constexpr RatePrior kLikePrior{.events = 2.0, .impressions = 40.0};           // Gamma(2, 40): 5%
inline constexpr RatePrior kSharePrior{.events = 1.0, .impressions = 100.0};         // Gamma(1, 100): 1%
inline constexpr RatePrior kForkPrior{.events = 1.0, .impressions = 200.0};          // Gamma(1, 200): 0.5%
inline constexpr RatePrior kSkipPrior{.events = 8.0, .impressions = 20.0};           // Beta(8, 12): 40%
inline constexpr RatePrior kHidePrior{.events = 1.0, .impressions = 500.0};          // Gamma(1, 500): 0.2%

// What each positive signal is worth, in satisfied views. The order
// follows the effort a signal costs the viewer: a like is a tap, a share
// puts the viewer's name on the clip, a fork is a new generation built on
// it (this platform's strongest endorsement, and what the remix royalties
// pay for).
inline constexpr double kSatisfiedViewValue = 1.0;
inline constexpr double kLikeValue = 2.0;
inline constexpr double kShareValue = 4.0;
inline constexpr double kForkValue = 6.0;
// What each negative signal costs, at face value, in satisfied views: an
// early skip is weak evidence (people swipe for many reasons), a hide or
// show-less is an explicit "not this".
inline constexpr double kSkipCost = 0.2;
inline constexpr double kHideCost = 20.0;
// Negative signals weigh 5x their face value: one unwanted clip costs the
// session more than one good clip earns it, and they are rare, so each
// carries more information. With it a hide costs 100 satisfied views (50
// likes), the order of the ratio in Twitter's published heavy-ranker
// weights (2023: negative feedback -74 against a like's 0.5).
inline constexpr double kNegativeSignalWeight = 5.0;

// ---------------------------------------------------------------------------
// Freshness, originality, feedback, source, affinity
// ---------------------------------------------------------------------------

// Most of a short clip's audience comes in its first two days: a 36 h
// half-life halves its pull each day and a half, so a three-day-old clip
// needs 4x the quality of a new one to rank level with it.
inline constexpr absl::Duration kFreshnessHalfLife = absl::Hours(36);
// About 10 days at the default half-life. A floor, not 0, so that every
// factor stays positive and old clips (a theme's back catalogue) still
// order among themselves by everything else.
inline constexpr double kMinFreshness = 0.01;

// The least original clip that is not a copy keeps a quarter of its score:
// originality moves a score up to 4x, about the spread quality has between
// a good clip and a poor one, so neither swamps the other. The floor sits
// above the copy cap, so with everything else equal every non-copy ranks
// above every copy.
inline constexpr double kOriginalityFloor = 0.25;
// The rule: a copy keeps at most 20% (its multiplier is 20% of
// what it would be).
inline constexpr double kCopyMultiplierCap = 0.2;

// The feedback multiplier's bounds: repeated show-less can sink a clip to a
// tenth but never hide it (hiding is HIDE_CREATOR's job), and show-more
// cannot lift a poor clip past every good one.
inline constexpr double kMinFeedbackMultiplier = 0.1;
inline constexpr double kMaxFeedbackMultiplier = 3.0;

// The generators' multipliers. Starting values, to be tuned on the feed
// bench: within 0.9-1.3 so that quality and originality still decide, with
// what the viewer chose (follows, liked clips, joined themes) a little
// above what the platform chose for them. Trending is below 1 because its
// popularity is already counted in quality; exploration is 1 because its
// slots are chosen by Thompson sampling, not by score.
inline constexpr double kFollowingSourceMultiplier = 1.3;
inline constexpr double kForkOfLikedSourceMultiplier = 1.2;
inline constexpr double kThemeSourceMultiplier = 1.1;
inline constexpr double kEchoedSourceMultiplier = 0.9;
inline constexpr double kOriginalPickSourceMultiplier = 1.1;
inline constexpr double kNewCreatorSourceMultiplier = 1.0;
inline constexpr double kTrendingSourceMultiplier = 0.9;
inline constexpr double kExplorationSourceMultiplier = 1.0;

double SourceMultiplier(CandidateSource source);

// Affinity is a similarity in [0, 1] (clamped; NaN reads as 0): it at most
// doubles a score.
inline constexpr double kMaxAffinity = 1.0;

// A clip at least this original, and not a copy, also gives the "original
// pick" reason: O >= 0.8 means no component took more than a fifth.
inline constexpr double kOriginalPickReasonMinOriginality = 0.8;

// ---------------------------------------------------------------------------
// The viewer's steering
// ---------------------------------------------------------------------------

// feed.proto's bounds for the viewer's weights: a viewer can halve or
// double a factor's pull, never switch it off or let it swamp the rest.
inline constexpr double kMinSteeringWeight = 0.5;
inline constexpr double kMaxSteeringWeight = 2.0;
// The share of feed slots given to exploration: 2 in 20 by default; at
// least 1 in 20, so new clips always get seen (and quality estimates stay
// debiased), and at most 5 in 20, so the feed stays mostly what the viewer
// came for.
inline constexpr double kDefaultExplorationShare = 0.1;
inline constexpr double kMinExplorationShare = 0.05;
inline constexpr double kMaxExplorationShare = 0.25;

struct RankingSteering {
  // The exponent of O in the originality multiplier: above 1 presses less
  // original clips down harder.
  double originality = 1.0;
  // Divides the freshness half-life: 2 halves a clip's pull every 18 h.
  double freshness = 1.0;
  // Multiplies clips by followed creators and divides discovery sources
  // (echoed, original picks, new creators, trending, exploration); forks
  // of liked clips and joined themes are the viewer's own choice either
  // way and stay at 1.
  double following_vs_discovery = 1.0;
  double exploration_share = kDefaultExplorationShare;
  // By theme id, each in [kMinSteeringWeight, kMaxSteeringWeight]; a clip's
  // theme weight is the product over its themes (unlisted themes count 1),
  // within the same bounds.
  absl::flat_hash_map<std::string, double> theme_weights;

  // Clamps every weight into its bounds; NaN reads as the default.
  void Clamp();
};

// ---------------------------------------------------------------------------
// The breakdown
// ---------------------------------------------------------------------------

// The factor names, as the breakdown shows them.
inline constexpr absl::string_view kQualityFactor = "quality";
inline constexpr absl::string_view kFreshnessFactor = "freshness";
inline constexpr absl::string_view kOriginalityFactor = "originality";
inline constexpr absl::string_view kFeedbackFactor = "feedback";
inline constexpr absl::string_view kSourceFactor = "source";
inline constexpr absl::string_view kSteeringFactor = "steering";
inline constexpr absl::string_view kAffinityFactor = "affinity";
inline constexpr absl::string_view kSmallThemeFactor = "small_theme";
inline constexpr absl::string_view kReachFactor = "reach";

// Score sets these, in this order; one slot is left for the re-ranker's
// (kAuthorDecayFactor, rerank.h).
inline constexpr size_t kScoreFactorCount = 9;
inline constexpr size_t kMaxScoreFactors = 10;

struct ScoreFactor {
  absl::string_view name;  // one of the k*Factor constants: static storage
  double value = 1.0;
};

// The product of `factors`' values, left to right from 1.0.
double ProductOfFactors(absl::Span<const ScoreFactor> factors);

// A fixed array rather than a vector, so scoring 10,000 candidates
// allocates nothing per candidate.
struct ScoreBreakdown {
  std::array<ScoreFactor, kMaxScoreFactors> factors{};
  size_t factor_count = 0;
  // Always ProductOfFactors(Factors()): set by Score and SetFactor only.
  double score = 1.0;

  absl::Span<const ScoreFactor> Factors() const { return absl::MakeConstSpan(factors.data(), factor_count); }
  // The value of the factor named `name`; 1.0 when there is none.
  double Factor(absl::string_view name) const;
  // Replaces the value of the factor named `name`, or appends it, and
  // recomputes score from the factors. False (nothing changed) when it is
  // new and the breakdown is full.
  bool SetFactor(absl::string_view name, double value);
};

// The show-more / show-less multipliers the viewer's feedback set, by the
// feedback's scope (FeedbackScope). Values are clamped to
// [kMinFeedbackMultiplier, kMaxFeedbackMultiplier] (NaN reads as 1), and
// so is their product.
struct FeedbackMultipliers {
  absl::flat_hash_map<std::string, double> by_clip;
  absl::flat_hash_map<std::string, double> by_creator;
  absl::flat_hash_map<uint64_t, double> by_prompt_cluster;
  absl::flat_hash_map<std::string, double> by_theme;
};

// Which keys a request's maps may hold (key_prefilter.h): a clear slot
// spares the lookup. AllKeys() lets every lookup through, for one-off
// scoring where building the filters would cost more than it saves.
struct ScoreLookups {
  KeyPrefilter clips;             // FeedbackMultipliers::by_clip
  KeyPrefilter creators;          // FeedbackMultipliers::by_creator
  KeyPrefilter feedback_themes;   // FeedbackMultipliers::by_theme
  KeyPrefilter weighted_themes;   // RankingSteering::theme_weights

  static const ScoreLookups& AllKeys();
};

struct ScoringContext {
  absl::Time now;
  // Clamped as it is read: out-of-bounds values never reach a factor.
  RankingSteering steering;
  // Whether the viewer opted into personalization (analytics consent);
  // affinity counts only then.
  bool personalized = false;
  FeedbackMultipliers feedback;
};

// A scored candidate, as the re-rankers pass it along. `candidate` points
// into the caller's candidates.
struct ScoredItem {
  const Candidate* candidate = nullptr;
  ScoreBreakdown breakdown;
  // Placed in an exploration slot (exploration.h): its impressions are
  // logged apart so that quality estimates can be debiased.
  bool exploration = false;
};

// O in [0, 1] (clamped; NaN reads as 0) mapped onto
// [kOriginalityFloor, 1] as floor + (1 - floor) O^exponent, times
// kCopyMultiplierCap for a copy. `exponent` is the viewer's originality
// weight (clamped to the steering bounds).
double OriginalityMultiplier(double originality, bool is_copy, double exponent = 1.0);

ScoreBreakdown Score(const Candidate& candidate, const ScoringContext& context);

// Score for many candidates of one request: the context's string-keyed
// maps get a KeyPrefilter each, built once, so that a candidate whose
// clip, creator and themes are in none of them (nearly all) hashes none
// of its ids. Scores are Score's, bit for bit. Holds `context` by
// reference: it must outlive the scorer.
class BatchScorer {
 public:
  explicit BatchScorer(const ScoringContext& context);
  ScoreBreakdown Score(const Candidate& candidate) const;
  // The same, written over `out` (its factors up to the count, the count
  // and the score).
  void ScoreInto(const Candidate& candidate, ScoreBreakdown& out) const;

 private:
  const ScoringContext& context_;
  ScoreLookups lookups_;
};

// Scores every candidate into `out` (resized to candidates.size(), its
// capacity reused), in the candidates' order.
void ScoreAll(absl::Span<const Candidate> candidates, const ScoringContext& context, std::vector<ScoredItem>& out);

// Why the clip is in the feed, primary first: the source's reason, then,
// in FeedReason's order, an original pick (O >= 0.8, not a copy), asked
// for more (a feedback multiplier above 1, or the viewer weighed one of its
// themes up), a personalized theme match (a personalized viewer with an
// affinity above 0 for a clip in a theme). Never empty, no repeats.
std::vector<FeedReason> ReasonsFor(const Candidate& candidate, const ScoringContext& context);

}  // namespace clipforge::feed
