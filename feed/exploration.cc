#include "feed/exploration.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"

namespace clipforge::feed {
namespace {

static_assert(kMaxExplorationSlotsPerBlock < kExplorationBlock, "some positions of a block stay ranked");

size_t ExploreSlotCount(size_t slots_per_block) { return std::min(slots_per_block, kMaxExplorationSlotsPerBlock); }

// A draw from Beta(alpha, beta), both > 0: X / (X + Y) with X ~ Gamma(alpha)
// and Y ~ Gamma(beta), X drawn first.
double ExploreBetaDraw(double alpha, double beta, std::mt19937_64& rng) {
  std::gamma_distribution<double> x_distribution(alpha, 1.0);
  std::gamma_distribution<double> y_distribution(beta, 1.0);
  const double x = x_distribution(rng);
  const double y = y_distribution(rng);
  // Both can underflow to 0 for tiny shapes: the mean stands in.
  if (!(x + y > 0.0)) return alpha / (alpha + beta);
  return x / (x + y);
}

// Whether pick a ranks before pick b: the greater value, then the lower
// clip id.
bool ExploreRanksBefore(const ExplorationPick& a, const ExplorationPick& b, absl::Span<const ScoredItem> pool) {
  if (a.value != b.value) return a.value > b.value;
  return pool[a.pool_index].candidate->clip_id < pool[b.pool_index].candidate->clip_id;
}

}  // namespace

size_t ExplorationSlotsPerBlock(double exploration_share) {
  double share = exploration_share;
  if (std::isnan(share)) share = kDefaultExplorationShare;
  share = std::clamp(share, kMinExplorationShare, kMaxExplorationShare);
  return static_cast<size_t>(std::lround(share * static_cast<double>(kExplorationBlock)));
}

bool IsExplorationPosition(size_t position, size_t slots_per_block) {
  const size_t slots = ExploreSlotCount(slots_per_block);
  const size_t offset = position % kExplorationBlock;
  for (size_t j = 0; j < slots; ++j) {
    const size_t begin = j * kExplorationBlock / slots;
    const size_t end = (j + 1) * kExplorationBlock / slots;
    if (offset == begin + (end - begin) / 2) return true;
  }
  return false;
}

std::vector<ExplorationPick> PickExplorationClips(absl::Span<const ScoredItem> pool, size_t count,
                                                  std::mt19937_64& rng) {
  std::vector<ExplorationPick> picks;
  if (count == 0 || pool.empty()) return picks;

  // Draw in clip id order, so each clip's draws do not depend on where it
  // sits in the pool.
  std::vector<size_t> draw_order(pool.size());
  std::iota(draw_order.begin(), draw_order.end(), size_t{0});
  std::sort(draw_order.begin(), draw_order.end(), [&](size_t a, size_t b) {
    const std::string& id_a = pool[a].candidate->clip_id;
    const std::string& id_b = pool[b].candidate->clip_id;
    return id_a != id_b ? id_a < id_b : a < b;
  });

  picks.reserve(pool.size());
  for (const size_t index : draw_order) {
    const Candidate& clip = *pool[index].candidate;
    const int64_t impressions = std::max<int64_t>(clip.impressions, 0);
    const int64_t satisfied = std::clamp<int64_t>(clip.satisfied_views, 0, impressions);
    const double sampled_rate =
        ExploreBetaDraw(kExplorationPriorAlpha + static_cast<double>(satisfied),
                        kExplorationPriorBeta + static_cast<double>(impressions - satisfied), rng);
    const double preference = OriginalityMultiplier(clip.originality, clip.is_copy);
    picks.push_back(ExplorationPick{
        .pool_index = index, .sampled_rate = sampled_rate, .preference = preference, .value = sampled_rate * preference});
  }

  const size_t kept = std::min(count, picks.size());
  std::partial_sort(picks.begin(), picks.begin() + static_cast<std::ptrdiff_t>(kept), picks.end(),
                    [&](const ExplorationPick& a, const ExplorationPick& b) { return ExploreRanksBefore(a, b, pool); });
  picks.resize(kept);
  return picks;
}

std::vector<ScoredItem> InterleaveExploration(absl::Span<const ScoredItem> ranked, absl::Span<const ScoredItem> pool,
                                              size_t slots_per_block, uint64_t seed) {
  const size_t slots = ExploreSlotCount(slots_per_block);

  // The exploration positions met while ranked items remain: as many picks
  // as could be placed.
  size_t wanted = 0;
  for (size_t position = 0, placed_ranked = 0; placed_ranked < ranked.size(); ++position) {
    if (IsExplorationPosition(position, slots)) {
      ++wanted;
    } else {
      ++placed_ranked;
    }
  }

  absl::flat_hash_set<absl::string_view> taken_ids;
  taken_ids.reserve(ranked.size() + pool.size());
  for (const ScoredItem& item : ranked) taken_ids.insert(absl::string_view(item.candidate->clip_id));
  std::vector<ScoredItem> eligible;
  eligible.reserve(pool.size());
  for (const ScoredItem& item : pool) {
    if (taken_ids.insert(absl::string_view(item.candidate->clip_id)).second) eligible.push_back(item);
  }

  std::mt19937_64 rng(seed);
  const std::vector<ExplorationPick> picks = PickExplorationClips(eligible, wanted, rng);

  std::vector<ScoredItem> out;
  out.reserve(ranked.size() + picks.size());
  size_t next_ranked = 0, next_pick = 0;
  for (size_t position = 0; next_ranked < ranked.size(); ++position) {
    if (IsExplorationPosition(position, slots) && next_pick < picks.size()) {
      ScoredItem item = eligible[picks[next_pick++].pool_index];
      item.exploration = true;
      out.push_back(item);
    } else {
      out.push_back(ranked[next_ranked++]);
    }
  }
  return out;
}

}  // namespace clipforge::feed
