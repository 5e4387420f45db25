// Exploration: a share of the feed's slots (2 in 20 by default,
// RankingSteering::exploration_share) goes to new clips with few
// impressions, so that new clips and creators get seen and the quality
// estimates learn about clips the ranker would not have shown.
//
// Which clips: Thompson sampling (Thompson, "On the likelihood that one
// unknown probability exceeds another", Biometrika 1933). Each clip of the
// pool draws a satisfied-view rate from its Beta posterior,
// Beta(kExplorationPriorAlpha + satisfied, kExplorationPriorBeta +
// impressions - satisfied), times its originality multiplier
// (OriginalityMultiplier, scoring.h: originals favoured, copies at most
// 20%); the greatest draws win. A clip with little evidence draws widely,
// so it is tried; one that did well draws high, so it is shown again.
//
// Determinism: draws come from std::mt19937_64 seeded by the caller (say,
// from the feed session and page, so a reload shows the same slate), taken
// in clip id order, so the same pool and seed pick the same clips in any
// input order. A Beta draw is X / (X + Y) with X ~ Gamma(a, 1) and
// Y ~ Gamma(b, 1) from std::gamma_distribution, whose algorithm is the
// standard library's: the same seed gives the same picks with the same
// library (libstdc++ here), not across libraries.
//
// Where: each block of 20 positions is cut into `slots` equal stretches
// (stretch j is [20j / slots, 20(j + 1) / slots)) and the exploration slot
// is the middle of each: positions 5 and 15 of every 20 for 2 slots (0 is
// the top), 10 for 1, 2, 7, 12 and 17 for 4. Never the first position of
// a block, and spread so that two exploration clips are never adjacent.
//
// Logged apart: placed items have ScoredItem::exploration set, so their
// impressions can be logged apart and the quality estimates debiased.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "absl/types/span.h"
#include "feed/scoring.h"

namespace clipforge::feed {

inline constexpr size_t kExplorationBlock = 20;
// kMaxExplorationShare (scoring.h) of a block.
inline constexpr size_t kMaxExplorationSlotsPerBlock = 5;

// The explorer's prior: kSatisfiedViewPrior's mean (30%) but worth only 2
// impressions, so a clip's first few views already move its draws and a
// new clip draws widely (Beta(0.6, 1.4) has a standard deviation of 0.26).
inline constexpr double kExplorationPriorAlpha = 0.6;
inline constexpr double kExplorationPriorBeta = 1.4;

// round(share x 20), the share clamped to [kMinExplorationShare,
// kMaxExplorationShare] (NaN reads as kDefaultExplorationShare): 2 by
// default, 1 to 5.
size_t ExplorationSlotsPerBlock(double exploration_share);

// Whether `position` (0 the top) is an exploration slot with
// `slots_per_block` slots per 20 (capped at kMaxExplorationSlotsPerBlock).
bool IsExplorationPosition(size_t position, size_t slots_per_block);

struct ExplorationPick {
  size_t pool_index = 0;    // into the pool picked from
  double sampled_rate = 0;  // the Beta draw
  double preference = 0;    // OriginalityMultiplier(originality, is_copy)
  double value = 0;         // sampled_rate x preference: what was ranked
};

// Up to `count` clips of `pool`, greatest value first (ties: lower clip
// id). Impressions below 0 read as 0, satisfied views are clamped to
// [0, impressions]. Draws nothing when `count` is 0.
std::vector<ExplorationPick> PickExplorationClips(absl::Span<const ScoredItem> pool, size_t count,
                                                  std::mt19937_64& rng);

// `ranked` with exploration picks from `pool` at the exploration
// positions, each marked `exploration`; `ranked` keeps its order. Picks are
// made (PickExplorationClips, rng seeded with `seed`) for the exploration
// positions met while ranked items remain, from the pool's clips not in
// `ranked` (each clip once): so a pick never ends the list, and when the
// pool runs short ranked items take the remaining exploration positions.
std::vector<ScoredItem> InterleaveExploration(absl::Span<const ScoredItem> ranked, absl::Span<const ScoredItem> pool,
                                              size_t slots_per_block, uint64_t seed);

}  // namespace clipforge::feed
