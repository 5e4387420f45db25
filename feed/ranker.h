// One feed page from a candidate set: the steps of scoring.h, rerank.h and
// exploration.h composed in one call, in this order and for these reasons:
//
//   1. Exclude, then score (ScoreEligible). Candidates the caller excludes
//      (clips the session was served, read from the page token's Bloom
//      filter; clips and creators the viewer hid) are dropped first: an
//      excluded clip's score would never be read. The rest are scored
//      (Score: the viewer's steering, feedback and personalization) and
//      split by source: the exploration generator's finds
//      (CandidateSource::kExploration) are the exploration pool, the others
//      are ranked.
//   2. Author decay (ApplyAuthorDecay) on the ranked: before diversity, so
//      that diversity weighs the relevance the viewer is shown (the decay
//      is a served factor). Only candidates that can reach the head of
//      step 3 are decayed: a raw score below kAuthorDecayFloor x the
//      depth-th best cannot rank there after any decay, and an author's
//      k-th clip counts only their clips scored above it, so the head and
//      its decay are what decaying all of them gives, for less sorting.
//   3. Diversity (Mmr by default, DppGreedy selectable) over the head of
//      the decayed order (rerank_depth), selecting page_size +
//      max_displacement clips: the head bounds the cost (Mmr is
//      O(k x depth x window)), and the extra clips give step 4 room to
//      move clips down without running the page short.
//   3b. Echo Chamber guardrails (ApplyEchoGuardrails, when asked for):
//      after diversity and before the slate rules, as bridging.h says, so
//      that the slate rules' spacing is the last word. They defer what a
//      page may not hold (a member's joined themes past half of it, echoes
//      past 2 a theme), so with them the head is deeper (kGuardedExtraDepth
//      more) and diversity selects all of it: what they defer is replaced
//      from further down instead of running the page short.
//   4. Slate rules (ApplySlateRules): the last reordering, so that its
//      hard rules hold on what is served whatever diversity (which only
//      weighs similarity) did. What they cannot place is left off the
//      page (RankedPage::deferred); it was not served, so the next page
//      may take it.
//   5. Exploration, then the cut: ExplorationSlotsPerBlock(steering's
//      exploration_share) slots per 20, at exploration.h's positions,
//      taken in Thompson-sampling order (PickExplorationClips, seeded with
//      exploration_seed) by pool clips new to the page: no creator, prompt
//      cluster or fork tree in common with the page's ranked clips or the
//      picks before them. Slots are positions, not scores, so this comes
//      after every reordering; and "new to the page" keeps the slate rules
//      on the whole page, which InterleaveExploration (placing whatever
//      the draw picks) would not. Ranked clips, in slate order, fill the
//      other positions (and a slot no pick fits) up to page_size; as in
//      InterleaveExploration, a pick is placed only while ranked clips
//      remain.
//
// Pure: no I/O, no state between calls, no clock or randomness but what
// the caller hands in (ScoringContext::now, RankParams::exploration_seed).
// The same candidates in any order, with the same context, exclusion and
// seed, give the same page: every step breaks ties by clip id. Clip ids
// are assumed unique (the service merges its generators' finds by clip
// id), as rerank.h assumes. Page items point into `candidates`, which must
// outlive them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/types/span.h"
#include "feed/bridging.h"
#include "feed/candidate.h"
#include "feed/rerank.h"
#include "feed/scoring.h"

namespace clipforge::feed {

// One block of exploration positions and one slate-rule creator window;
// GetFeed passes the request's page size (1-30, feed.proto) instead.
inline constexpr size_t kDefaultRankPageSize = 20;
// Two and a half pages: room for diversity to reach past a page of
// near-duplicates at the top. Its cost grows with the depth (Mmr is
// O(k x depth x window)), and on the feed bench's catalogue a head of 200
// made pages hardly more diverse than 50 (docs/benchmarks.md, "Feed
// ranking").
inline constexpr size_t kDefaultRerankDepth = 50;

enum class DiversityMethod : uint8_t {
  kMmr,        // Mmr (rerank.h): the default
  kDppGreedy,  // DppGreedy (rerank.h): the measured alternative
};

// With echo guardrails: how much deeper the diversified head goes than
// page_size + max_displacement, so that a member whose best candidates are
// nearly all from their joined themes still fills a page (half of it may
// be joined): 2 pages' worth. Without it a short page sent every for_you
// request of such a member to the service's widened gather of older
// clips (GetFeed p50 2.2 -> 7.7 ms at 1,000,000 clips once small themes
// were boosted).
inline constexpr size_t kGuardedExtraDepth = 40;

struct RankParams {
  size_t page_size = kDefaultRankPageSize;
  DiversityMethod diversity = DiversityMethod::kMmr;
  // DiversityParams' lambda and window; its k is page_size +
  // slate_rules.max_displacement.
  double diversity_lambda = DiversityParams{}.lambda;
  size_t diversity_window = DiversityParams{}.window;
  // The head of the decayed order that diversity chooses from; at least
  // the k it selects.
  size_t rerank_depth = kDefaultRerankDepth;
  SlateRules slate_rules;
  // Seeds the Thompson draws: the caller derives it (say, from the feed
  // session and page) so that a reload shows the same page.
  uint64_t exploration_seed = 0;
  // The Echo Chamber guardrails (bridging.h), applied between steps 3 and
  // 4 when set: at most 2 clips echoed from one theme in any 20 for
  // non-members, at most half of a member's page from joined themes. What
  // they cannot place counts in RankedPage::deferred.
  std::optional<EchoGuardrailRules> echo_guardrails;
};

// What a candidate is excluded for is the caller's: the served-clips
// filter, hidden clips and creators. Read once per candidate; it must
// depend on the candidate alone for the page to be deterministic.
using RankExclusion = absl::FunctionRef<bool(const Candidate&)>;

// Step 1's output. Both lists keep the candidates' order.
struct EligibleCandidates {
  std::vector<ScoredItem> ranked;
  std::vector<ScoredItem> exploration_pool;  // CandidateSource::kExploration
  size_t excluded = 0;
};

// Step 1 alone: scores every candidate not excluded into `out` (its
// vectors cleared, their capacity reused).
void ScoreEligible(absl::Span<const Candidate> candidates, const ScoringContext& context, RankExclusion excluded,
                   EligibleCandidates& out);

struct RankedPage {
  // Best first, at most page_size. Exploration picks are marked
  // (ScoredItem::exploration). Each breakdown holds Score's factors, and
  // kAuthorDecayFactor for ranked clips; its score is their product
  // (ProductOfFactors). ReasonsFor(*item.candidate, context) says why the
  // clip is there.
  std::vector<ScoredItem> items;
  // How many candidates were excluded.
  size_t excluded = 0;
  // How many diversified clips the slate rules could not place (step 4):
  // many means a candidate set dominated by one creator or prompt cluster,
  // and a page that may run short.
  size_t deferred = 0;
};

RankedPage RankPage(absl::Span<const Candidate> candidates, const ScoringContext& context, RankExclusion excluded,
                    const RankParams& params = {});

}  // namespace clipforge::feed
