// Echo Chambers' quality: the bridging score, the small-theme boost and
// the page guardrails on themed clips.
//
// The bridging score is X's Community Notes model (Wojcik et al.,
// "Birdwatch: Crowd Wisdom and Bridging Algorithms can Inform
// Understanding and Reduce Polarization", 2022) over a theme's opted-in
// members' reactions to its clips:
//
//   r_uc ~ mu + b_u + b_c + f_u f_c        (observed pairs only)
//
// fitted by regularized least squares,
//
//   sum over observed (r_uc - mu - b_u - b_c - f_u f_c)^2
//     + kBridgingInterceptLambda (mu^2 + sum b_u^2 + sum b_c^2)
//     + kBridgingFactorLambda (sum f_u^2 + sum f_c^2).
//
// The one factor explains the theme's internal divide (the sign of f_u is
// the member's side, that of f_c the side a clip appeals to); what both
// sides agree on is left to the clip's intercept b_c, the bridging score.
// A clip one side likes and the other skips gets a large |f_c| and an
// intercept near 0; a clip liked on both sides gets a high intercept.
//
// Scale: reactions come in [-1, 1] (+1 liked or watched to the end, -1
// skipped or "show less"; values between are allowed) and are fitted as
// (value + 1) / 2, Community Notes' helpfulness scale (1 helpful, 0 not),
// so that its regularization and thresholds carry over unchanged. Every
// intercept and mu below is on that [0, 1]-wide scale.
//
// Fit: alternating least squares. Each step solves exactly, in closed
// form, for one group of parameters with the others fixed (every clip's
// (b_c, f_c), a 2x2 ridge system, then every user's (b_u, f_u), then mu),
// and each sweep ends with the exact minimum along the directions that
// change no prediction (factor scale and shifts, intercept offsets; only
// the regularization decides them, which plain ALS crosses in hundreds of
// sweeps), so the loss never increases. Deterministic: reactions are put in a
// canonical order first (by clip then user, and by user then clip), the
// factors start from a draw of the seed, and every sum runs in that
// order, so the same reactions in any order with the same params give the
// same fit, bit for bit. The factor's sign is arbitrary (flipping every
// f_u and f_c fits equally well); it is fixed by the seed.
//
// Cost: O(R + U + C) to order the reactions (counting sorts), then
// O(R + U + C) per iteration (four passes over the reactions: clips,
// users, mu, the loss); memory O(R + U + C). 200,000 reactions of 5,000
// users on 10,000 clips (a planted two-camp world) fit in 9 sweeps and
// 0.12-0.15 s single-threaded, 0.27 s with 50 sweeps forced (-O2, on a
// shared 2-core development machine under load). It runs off the request
// path, refit per theme on a schedule.
//
// The guardrails (ApplyEchoGuardrails) are independent of ranker.h: the
// service composes them with a ranked page.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "feed/scoring.h"

namespace clipforge::feed {

// ---------------------------------------------------------------------------
// The bridging fit
// ---------------------------------------------------------------------------

// Community Notes' regularization (Wojcik et al. 2022, and the published
// scorer's defaults): intercepts at 0.15, factors five times lighter at
// 0.03, so that the factor is free to take up the partisan part of the
// reactions and the intercepts keep only what is left.
inline constexpr double kBridgingInterceptLambda = 0.15;
inline constexpr double kBridgingFactorLambda = 0.03;
// Community Notes scores a note only once it has 5 ratings ("Needs More
// Ratings" until then): below that a clip has no bridging score, so a
// handful of friendly reactions cannot make it "bridging".
inline constexpr size_t kBridgingMinRaters = 5;
// With the gauge steps the planted worlds of the tests and of the timing
// above converge (a sweep lowers the loss by less than 1e-6 of it) in
// about 10 sweeps; 50 bounds the cost of a theme that does not.
inline constexpr size_t kBridgingMaxIterations = 50;
inline constexpr double kBridgingTolerance = 1e-6;
// The factors start uniform in [-0.1, 0.1]: away from 0 (where f = 0 is a
// stationary point ALS never leaves) and small against the reactions.
inline constexpr double kBridgingInitialFactorScale = 0.1;

struct BridgingParams {
  double intercept_lambda = kBridgingInterceptLambda;
  double factor_lambda = kBridgingFactorLambda;
  size_t min_raters = kBridgingMinRaters;
  // At most this many sweeps; fewer once a sweep lowers the loss by less
  // than `tolerance` times the loss (0: always run max_iterations).
  size_t max_iterations = kBridgingMaxIterations;
  double tolerance = kBridgingTolerance;
  uint64_t seed = 0;
};

// One member's reaction to one clip. Indices are dense (the service maps
// user and clip ids to 0..users-1 and 0..clips-1); at most one reaction a
// (user, clip) pair (the service keeps the latest).
struct Reaction {
  uint32_t user = 0;
  uint32_t clip = 0;
  float value = 0.0f;  // in [-1, 1]: +1 liked or satisfied, -1 skipped or showed less
};

struct BridgingClip {
  double intercept = 0.0;  // b_c: the bridging score, on the [0, 1] scale
  double factor = 0.0;     // f_c: the side of the divide it appeals to
  uint32_t raters = 0;
  // raters >= min_raters: only then is `intercept` a score (Score()).
  bool scored = false;
};

struct BridgingFit {
  double mu = 0.0;
  std::vector<BridgingClip> clips;     // by clip index
  std::vector<double> user_intercepts;  // b_u, by user index
  std::vector<double> user_factors;     // f_u, by user index: the sign is the side
  size_t iterations = 0;
  // The objective above at the initial parameters and after the last
  // sweep (0 for no reactions).
  double initial_loss = 0.0;
  double final_loss = 0.0;

  // The clip's bridging score; none for a clip under the rater minimum or
  // out of range.
  std::optional<double> Score(uint32_t clip) const;
};

// INVALID_ARGUMENT for a user or clip index out of range, a value not
// finite or outside [-1, 1], or a (user, clip) pair reacted twice. No
// reactions: every clip unscored, every parameter 0, no iterations.
absl::StatusOr<BridgingFit> FitBridging(absl::Span<const Reaction> reactions, size_t users, size_t clips,
                                        const BridgingParams& params = {});

// ---------------------------------------------------------------------------
// The echo rule
// ---------------------------------------------------------------------------

// Community Notes' "Currently Rated Helpful" rule, on its scale: an
// intercept of at least 0.40, and a factor under 0.5 in magnitude (a clip
// whose appeal is mostly one side's is not bridging, however high its
// intercept). 0.40 is well above what a clip liked by one side only gets
// (about 0 once the factor takes the split) and below what one liked by
// nearly everyone gets (about 1 - mu, shrunk), so echoed clips are the
// ones both sides like.
inline constexpr double kBridgingMinIntercept = 0.40;
inline constexpr double kBridgingMaxAbsFactor = 0.5;

// Whether the clip may be echoed into non-members' feeds: scored, its
// intercept at least `min_intercept` and |factor| below `max_abs_factor`.
// False for a clip out of range.
bool IsBridging(const BridgingFit& fit, uint32_t clip, double min_intercept = kBridgingMinIntercept,
                double max_abs_factor = kBridgingMaxAbsFactor);

// ---------------------------------------------------------------------------
// Small themes
// ---------------------------------------------------------------------------

// A theme with no members gets kMaxSmallThemeBoost, one with
// 10^kSmallThemeBoostDecades - 1 members (9,999) or more gets 1 (no
// boost); between, each tenfold growth in members takes the same step off
// (a log of the member count):
//
//   boost(n) = 1 + (kMaxSmallThemeBoost - 1)
//                  x max(0, 1 - log10(1 + n) / kSmallThemeBoostDecades)
//
// so 9 members get 1.75, 99 get 1.5, 999 get 1.25. At most doubling, as
// affinity at most doubles (scoring.h): enough to lift a small theme's
// good clips among a big one's, not to rank its poor clips over good ones.
inline constexpr double kMaxSmallThemeBoost = 2.0;
inline constexpr double kSmallThemeBoostDecades = 4.0;

// The score multiplier of a theme's clips, in [1, kMaxSmallThemeBoost],
// non-increasing in `member_count`.
double SmallThemeBoost(size_t member_count);

// ---------------------------------------------------------------------------
// Page guardrails
// ---------------------------------------------------------------------------

struct EchoGuardrailRules {
  // The rule for non-members: at most 2 clips echoed from one
  // theme in any 20 consecutive positions (0 counts as 1).
  size_t max_echoed_per_theme = 2;
  size_t echo_window = 20;
  // The rule for members: at most half of a page from joined
  // themes, in every prefix of the order, so any page cut from its top
  // holds it. In [0, 1] (clamped; NaN reads as 0.5).
  double max_joined_share = 0.5;
};

struct EchoGuardrailOrder {
  // The page order: both rules hold on it (and on each of its prefixes).
  std::vector<ScoredItem> items;
  // What could not be placed, in input order: not served, so the next
  // page may take it. items then deferred is a permutation of the input.
  std::vector<ScoredItem> deferred;
};

// Reorders `ordered` (best first) greedily: each position takes the first
// remaining item, in input order, that fits there. An echoed item
// (CandidateSource::kEchoed: from a chamber the viewer is not in) counts
// against each of its distinct theme_ids (none: the theme ""), and fits
// while each of them has fewer than max_echoed_per_theme echoed items in
// the last echo_window - 1 positions. A joined-theme item
// (CandidateSource::kTheme) fits while the joined items up to and
// including it are at most max_joined_share of the positions so far (so a
// page of 1 holds none). Other items always fit. When nothing remaining
// fits a position, the rest is deferred. So an input that keeps the rules
// is returned unchanged, relative order is kept within the items that fit,
// and nothing is dropped. Deterministic; O(n^2 t) for n items with t
// themes each, for a page of a few tens of items.
//
// It reorders, so it may undo ApplySlateRules' spacing (rerank.h): the
// service applies it before the slate rules, or on a page whose themed
// clips it has checked. Rules hold within the page it is given, not
// across pages.
EchoGuardrailOrder ApplyEchoGuardrails(absl::Span<const ScoredItem> ordered, const EchoGuardrailRules& rules = {});

}  // namespace clipforge::feed
