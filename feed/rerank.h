// Re-ranking the scored candidates (scoring.h) into a feed, in three
// steps:
//
//   1. Author decay (ApplyAuthorDecay): an author's k-th clip in score
//      order (k from 0) keeps (1 - 0.25) 0.5^k + 0.25 of its score, so one
//      prolific creator cannot fill a page, yet their fifth clip still
//      keeps more than a quarter. The decay is a factor of the breakdown
//      ("author_decay"), so the served score stays the product of its
//      factors.
//   2. Diversity: maximal marginal relevance (Mmr; Carbonell, Goldstein,
//      "The use of MMR, diversity-based reranking for reordering documents
//      and producing summaries", SIGIR 1998) over a sliding window of the
//      last selected items, or, as a measured alternative, the greedy MAP
//      of a determinantal point process (DppGreedy; Chen, Zhang, Zhou,
//      "Fast greedy MAP inference for determinantal point process to
//      improve recommendation diversity", NeurIPS 2018) with the same
//      interface. The feed bench keeps whichever wins.
//   3. Slate rules (ApplySlateRules): at most 2 clips per creator in any
//      20 consecutive, no two adjacent clips from the same prompt cluster
//      or fork tree, and no clip moved down more than 10 places.
//
// Ties are broken by clip id everywhere, and no step depends on the
// input's order beyond it (clip ids are assumed unique): the same
// candidates in any order give the same feed.
#pragma once

#include <cstddef>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "feed/candidate.h"
#include "feed/scoring.h"

namespace clipforge::feed {

// ---------------------------------------------------------------------------
// Author decay
// ---------------------------------------------------------------------------

inline constexpr absl::string_view kAuthorDecayFactor = "author_decay";
// What an author's clips tend to as k grows: their share of a page is
// thinned, never zeroed (a viewer who follows one prolific creator still
// sees them). Each further clip halves the rest of the decay.
inline constexpr double kAuthorDecayFloor = 0.25;

// (1 - kAuthorDecayFloor) 0.5^k + kAuthorDecayFloor: 1, 0.625, 0.4375,
// 0.34375, 0.296875, ... (exact in binary).
double AuthorDecayMultiplier(size_t k);

// Score descending, then clip id ascending.
bool RanksBefore(const ScoredItem& a, const ScoredItem& b);
void SortByScore(std::vector<ScoredItem>& items);

// Sorts `items` by score, sets each one's kAuthorDecayFactor to
// AuthorDecayMultiplier(k) for the k-th of its creator's clips in that
// order (the breakdown's score recomputed from its factors), and sorts
// them again by the decayed score. Applying it again recomputes the decay
// from the decayed order. An item whose breakdown is full (not one from
// Score) keeps its score.
void ApplyAuthorDecay(std::vector<ScoredItem>& items);

// ---------------------------------------------------------------------------
// Diversity
// ---------------------------------------------------------------------------

// The similarity the diversity step avoids: the cosine of the two
// embeddings (0 when either is all zeros or not finite), plus 1 when the
// clips share a prompt cluster or a fork tree. In [-1, 2].
double ClipSimilarity(const Candidate& a, const Candidate& b);

struct DiversityParams {
  // Relevance against diversity, in [0, 1] (clamped; NaN reads as 0.7):
  // 1 is score order. 0.7 is the usual starting point for MMR (relevance
  // first, with similar clips pushed a few places apart).
  double lambda = 0.7;
  // How many of the last selected items a candidate is compared with: 10
  // is about two screens of a vertical feed. 0: no comparison (score
  // order).
  size_t window = 10;
  // How many items to select (at most all).
  size_t k = 20;
};

// Selects min(k, items.size()) items in order: each step takes the item
// with the greatest lambda r - (1 - lambda) s, with r its score divided by
// the greatest score of `items` and s its greatest ClipSimilarity to the
// last `window` selected items (0 while none is). Ties: higher score,
// then lower clip id.
std::vector<ScoredItem> Mmr(absl::Span<const ScoredItem> items, const DiversityParams& params = {});

// Selects min(k, items.size()) items in order by the greedy MAP of a DPP
// with kernel L = diag(q) S diag(q) (Chen et al. 2018, their algorithm 1,
// with its sliding window): q = exp(a r) with r as in Mmr and a =
// lambda / (2 (1 - lambda)) (the paper's trade-off; lambda = 1 is score
// order), and S the positive semi-definite similarity
// (cosine + same-cluster + same-tree) / 3 off the diagonal, 1 on it. Each
// step takes the item that most raises log det L over the last `window`
// selected; a step at which no remaining item raises it (all are spanned
// by the window) takes the best remaining by score instead. Ties: higher
// score, then lower clip id. Cost: O(n window) a step, O(n window^2) once
// the window slides (its factorization is rebuilt).
std::vector<ScoredItem> DppGreedy(absl::Span<const ScoredItem> items, const DiversityParams& params = {});

// ---------------------------------------------------------------------------
// Slate rules
// ---------------------------------------------------------------------------

struct SlateRules {
  // At most this many clips of one creator (0 counts as 1) in any
  // `creator_window` consecutive positions (0 counts as 1).
  size_t max_per_creator = 2;
  size_t creator_window = 20;
  // No clip placed more than this many positions below its input position
  // (moving up is not limited): half a page, so a clip the scorer put on
  // a page stays on it or the next.
  size_t max_displacement = 10;
};

struct SlateOrder {
  // A permutation of the input: nothing is ever dropped.
  std::vector<ScoredItem> items;
  // How many items at the end of `items` could not be placed within the
  // rules (see ApplySlateRules); the rules hold for the rest.
  size_t deferred = 0;
};

// Reorders `ordered` (best first) greedily: each position takes the first
// remaining item, in input order, that breaks neither the creator rule
// nor the adjacency rule there. An item that reaches its last allowed
// position (input position + max_displacement) and breaks a rule there is
// deferred, and when no remaining item fits a position at all, every
// remaining item is deferred. Deferred items follow the placed ones, in
// input order, and no rule is enforced among them or where they meet the
// placed ones. So an input that already keeps the rules is returned
// unchanged, and a degenerate one (all from one creator, or all of one
// prompt cluster) loses nothing: it comes back as its placeable head and
// then the rest in input order. Being greedy, it may defer items of an
// input that some other order would fit; `deferred` says how many.
SlateOrder ApplySlateRules(absl::Span<const ScoredItem> ordered, const SlateRules& rules = {});

}  // namespace clipforge::feed
