#include "feed/ranker.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "feed/exploration.h"

namespace clipforge::feed {
namespace {

// Drops the ranked items that cannot reach the first `depth` after author
// decay (step 2 of the header): those scoring below kAuthorDecayFloor x
// the depth-th best score. Each of the depth best keeps at least that
// after its decay (a multiplier of at least the floor, rounded
// monotonically; the floor, 1/4, scales exactly), and the decay never
// raises a score, so a dropped item ranks below depth others.
void RankerKeepPossibleHead(std::vector<ScoredItem>& ranked, size_t depth) {
  if (depth == 0 || ranked.size() <= depth) return;
  std::vector<double> scores(ranked.size());
  for (size_t i = 0; i < ranked.size(); ++i) scores[i] = ranked[i].breakdown.score;
  const auto nth = scores.begin() + static_cast<std::ptrdiff_t>(depth - 1);
  std::nth_element(scores.begin(), nth, scores.end(), std::greater<double>());
  const double threshold = kAuthorDecayFloor * *nth;
  std::erase_if(ranked, [&](const ScoredItem& item) { return item.breakdown.score < threshold; });
}

// The creators, prompt clusters and fork trees on a page: an exploration
// pick shares none of them, so it breaks no slate rule wherever it lands.
class RankerPageKeys {
 public:
  void Add(const Candidate& clip) {
    creators_.insert(absl::string_view(clip.creator_id));
    if (clip.prompt_cluster_id != 0) clusters_.insert(clip.prompt_cluster_id);
    if (!clip.fork_root_id.empty()) fork_roots_.insert(absl::string_view(clip.fork_root_id));
  }

  bool Shares(const Candidate& clip) const {
    return creators_.contains(absl::string_view(clip.creator_id)) ||
           (clip.prompt_cluster_id != 0 && clusters_.contains(clip.prompt_cluster_id)) ||
           (!clip.fork_root_id.empty() && fork_roots_.contains(absl::string_view(clip.fork_root_id)));
  }

 private:
  absl::flat_hash_set<absl::string_view> creators_;
  absl::flat_hash_set<uint64_t> clusters_;
  absl::flat_hash_set<absl::string_view> fork_roots_;
};

// Step 5: `placed` (the slate order, every rule kept) with exploration
// picks from `pool` at the exploration positions, cut to `page_size`.
std::vector<ScoredItem> RankerFillPage(absl::Span<const ScoredItem> placed, absl::Span<const ScoredItem> pool,
                                       size_t slots_per_block, uint64_t seed, size_t page_size) {
  // Every ranked clip that could reach the page: a slot left without a
  // pick takes the next one.
  RankerPageKeys on_page;
  for (size_t i = 0; i < std::min(page_size, placed.size()); ++i) on_page.Add(*placed[i].candidate);
  std::vector<ScoredItem> fresh;
  for (const ScoredItem& item : pool) {
    if (!on_page.Shares(*item.candidate)) fresh.push_back(item);
  }
  // The whole fresh pool in Thompson order: a pick that shares a key with
  // an earlier one is passed over for the next.
  std::mt19937_64 rng(seed);
  const std::vector<ExplorationPick> picks = PickExplorationClips(fresh, fresh.size(), rng);

  std::vector<ScoredItem> page;
  page.reserve(std::min(page_size, placed.size() + picks.size()));
  size_t next_ranked = 0, next_pick = 0;
  for (size_t position = 0; page.size() < page_size && next_ranked < placed.size(); ++position) {
    if (IsExplorationPosition(position, slots_per_block)) {
      while (next_pick < picks.size() && on_page.Shares(*fresh[picks[next_pick].pool_index].candidate)) ++next_pick;
      if (next_pick < picks.size()) {
        ScoredItem pick = fresh[picks[next_pick++].pool_index];
        pick.exploration = true;
        on_page.Add(*pick.candidate);
        page.push_back(pick);
        continue;
      }
    }
    page.push_back(placed[next_ranked++]);
  }
  return page;
}

}  // namespace

void ScoreEligible(absl::Span<const Candidate> candidates, const ScoringContext& context, RankExclusion excluded,
                   EligibleCandidates& out) {
  out.ranked.clear();
  out.exploration_pool.clear();
  out.excluded = 0;
  out.ranked.reserve(candidates.size());
  const BatchScorer scorer(context);
  for (const Candidate& candidate : candidates) {
    if (excluded(candidate)) {
      ++out.excluded;
      continue;
    }
    std::vector<ScoredItem>& list =
        candidate.source == CandidateSource::kExploration ? out.exploration_pool : out.ranked;
    ScoredItem& item = list.emplace_back();
    item.candidate = &candidate;
    scorer.ScoreInto(candidate, item.breakdown);
  }
}

RankedPage RankPage(absl::Span<const Candidate> candidates, const ScoringContext& context, RankExclusion excluded,
                    const RankParams& params) {
  RankedPage page;
  EligibleCandidates eligible;
  ScoreEligible(candidates, context, excluded, eligible);
  page.excluded = eligible.excluded;
  if (params.page_size == 0) return page;

  const size_t room = params.page_size + params.slate_rules.max_displacement;
  const size_t depth = std::max(params.rerank_depth, room + (params.echo_guardrails ? kGuardedExtraDepth : 0));
  // The guardrails drop what the page may not hold: let diversity order
  // the whole head so that they have more to choose from.
  const size_t selected = params.echo_guardrails ? depth : room;
  std::vector<ScoredItem>& ranked = eligible.ranked;
  RankerKeepPossibleHead(ranked, depth);
  ApplyAuthorDecay(ranked);
  if (ranked.size() > depth) ranked.resize(depth);

  const DiversityParams diversity{.lambda = params.diversity_lambda, .window = params.diversity_window, .k = selected};
  std::vector<ScoredItem> diversified =
      params.diversity == DiversityMethod::kDppGreedy ? DppGreedy(ranked, diversity) : Mmr(ranked, diversity);
  size_t guarded = 0;
  if (params.echo_guardrails) {
    EchoGuardrailOrder echo = ApplyEchoGuardrails(diversified, *params.echo_guardrails);
    guarded = echo.deferred.size();
    diversified = std::move(echo.items);
  }

  SlateOrder slate = ApplySlateRules(diversified, params.slate_rules);
  page.deferred = slate.deferred + guarded;
  slate.items.resize(slate.items.size() - slate.deferred);

  page.items = RankerFillPage(slate.items, eligible.exploration_pool,
                              ExplorationSlotsPerBlock(context.steering.exploration_share), params.exploration_seed,
                              params.page_size);
  return page;
}

}  // namespace clipforge::feed
