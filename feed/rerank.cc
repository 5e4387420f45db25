#include "feed/rerank.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <string>

#include "absl/container/flat_hash_map.h"

namespace clipforge::feed {
namespace {

constexpr double kRerankDefaultLambda = 0.7;
// A DPP step whose best gain (the squared distance of the item's kernel
// vector from the window's span) is below this adds nothing the window
// lacks. Gains start at q^2 >= 1, so this is relative.
constexpr double kRerankDppMinGain = 1e-9;
// The DPP's quality exponent a grows without bound as lambda nears 1;
// capped so that q^2 = exp(2 a r) stays finite (exp(200) ~ 7e86). At the
// cap the order is score order for all practical purposes anyway.
constexpr double kRerankDppMaxAlpha = 100.0;
constexpr size_t kRerankNone = std::numeric_limits<size_t>::max();

// What the similarity reads of a candidate, computed once per re-ranking:
// the embedding scaled to unit length.
struct RerankFeatures {
  std::array<double, kCandidateEmbeddingDims> unit{};
  bool has_embedding = false;
  const Candidate* candidate = nullptr;
};

RerankFeatures RerankFeaturesOf(const Candidate& candidate) {
  RerankFeatures features;
  features.candidate = &candidate;
  double sum = 0.0;
  for (const float x : candidate.embedding) sum += static_cast<double>(x) * static_cast<double>(x);
  const double norm = std::sqrt(sum);
  if (!(norm > 0.0) || !std::isfinite(norm)) return features;  // all zeros, or NaN/infinite components
  for (size_t i = 0; i < kCandidateEmbeddingDims; ++i) {
    features.unit[i] = static_cast<double>(candidate.embedding[i]) / norm;
  }
  features.has_embedding = true;
  return features;
}

std::vector<RerankFeatures> RerankFeaturesOf(absl::Span<const ScoredItem> items) {
  std::vector<RerankFeatures> features;
  features.reserve(items.size());
  for (const ScoredItem& item : items) features.push_back(RerankFeaturesOf(*item.candidate));
  return features;
}

// Symmetric to the last bit: the same products summed in the same order.
double RerankCosine(const RerankFeatures& a, const RerankFeatures& b) {
  if (!a.has_embedding || !b.has_embedding) return 0.0;
  double dot = 0.0;
  for (size_t i = 0; i < kCandidateEmbeddingDims; ++i) dot += a.unit[i] * b.unit[i];
  return std::clamp(dot, -1.0, 1.0);
}

bool RerankSameCluster(const Candidate& a, const Candidate& b) {
  return a.prompt_cluster_id != 0 && a.prompt_cluster_id == b.prompt_cluster_id;
}

bool RerankSameForkTree(const Candidate& a, const Candidate& b) {
  return !a.fork_root_id.empty() && a.fork_root_id == b.fork_root_id;
}

double RerankSimilarity(const RerankFeatures& a, const RerankFeatures& b) {
  const bool related = RerankSameCluster(*a.candidate, *b.candidate) || RerankSameForkTree(*a.candidate, *b.candidate);
  return RerankCosine(a, b) + (related ? 1.0 : 0.0);
}

// S off the diagonal: each term is a Gram matrix (unit embeddings, one-hot
// clusters, one-hot trees; a zero vector where there is none), so their
// mean is positive semi-definite with a diagonal of at most 1, and setting
// the diagonal to 1 adds a non-negative diagonal: S stays PSD.
double RerankDppSimilarity(const RerankFeatures& a, const RerankFeatures& b) {
  const double cluster = RerankSameCluster(*a.candidate, *b.candidate) ? 1.0 : 0.0;
  const double tree = RerankSameForkTree(*a.candidate, *b.candidate) ? 1.0 : 0.0;
  return (RerankCosine(a, b) + cluster + tree) / 3.0;
}

double RerankLambda(double lambda) {
  if (std::isnan(lambda)) return kRerankDefaultLambda;
  return std::clamp(lambda, 0.0, 1.0);
}

// Each item's score over the greatest score, in [0, 1] for positive scores
// (Score's are); all 0 when no score is positive and finite.
std::vector<double> RerankRelevance(absl::Span<const ScoredItem> items) {
  double max_score = 0.0;
  for (const ScoredItem& item : items) {
    const double score = item.breakdown.score;
    if (std::isfinite(score) && score > max_score) max_score = score;
  }
  std::vector<double> relevance(items.size(), 0.0);
  if (max_score > 0.0) {
    for (size_t i = 0; i < items.size(); ++i) {
      const double score = items[i].breakdown.score;
      if (std::isfinite(score)) relevance[i] = score / max_score;
    }
  }
  return relevance;
}

// Whether a candidate of value `value_a` is taken over one of `value_b`:
// the greater value, then RanksBefore.
bool RerankPrefers(double value_a, const ScoredItem& a, double value_b, const ScoredItem& b) {
  if (value_a != value_b) return value_a > value_b;
  return RanksBefore(a, b);
}

std::vector<ScoredItem> RerankTopByScore(absl::Span<const ScoredItem> items, size_t k) {
  std::vector<ScoredItem> top(items.begin(), items.end());
  std::partial_sort(top.begin(), top.begin() + static_cast<std::ptrdiff_t>(k), top.end(), RanksBefore);
  top.resize(k);
  return top;
}

// Whether `candidate` may take the next position: not of the prompt
// cluster or fork tree of the item before it, and its creator below the
// cap among the last creator_window - 1 placed (`creator_counts`).
bool RerankFitsSlate(const Candidate& candidate, const std::vector<ScoredItem>& placed,
                     const absl::flat_hash_map<absl::string_view, size_t>& creator_counts, size_t max_per_creator) {
  if (!placed.empty()) {
    const Candidate& previous = *placed.back().candidate;
    if (RerankSameCluster(candidate, previous) || RerankSameForkTree(candidate, previous)) return false;
  }
  const auto it = creator_counts.find(absl::string_view(candidate.creator_id));
  return it == creator_counts.end() || it->second < max_per_creator;
}

}  // namespace

double AuthorDecayMultiplier(size_t k) {
  // 0.5^k by ldexp, exact; past 1,100 it is 0 (below the least double).
  const int exponent = static_cast<int>(std::min<size_t>(k, 1100));
  return (1.0 - kAuthorDecayFloor) * std::ldexp(1.0, -exponent) + kAuthorDecayFloor;
}

bool RanksBefore(const ScoredItem& a, const ScoredItem& b) {
  if (a.breakdown.score != b.breakdown.score) return a.breakdown.score > b.breakdown.score;
  return a.candidate->clip_id < b.candidate->clip_id;
}

void SortByScore(std::vector<ScoredItem>& items) { std::sort(items.begin(), items.end(), RanksBefore); }

void ApplyAuthorDecay(std::vector<ScoredItem>& items) {
  SortByScore(items);
  absl::flat_hash_map<absl::string_view, size_t> clips_by_creator;
  for (ScoredItem& item : items) {
    const size_t k = clips_by_creator[absl::string_view(item.candidate->creator_id)]++;
    item.breakdown.SetFactor(kAuthorDecayFactor, AuthorDecayMultiplier(k));
  }
  SortByScore(items);
}

double ClipSimilarity(const Candidate& a, const Candidate& b) {
  return RerankSimilarity(RerankFeaturesOf(a), RerankFeaturesOf(b));
}

std::vector<ScoredItem> Mmr(absl::Span<const ScoredItem> items, const DiversityParams& params) {
  const size_t n = items.size();
  const size_t k = std::min(params.k, n);
  const double lambda = RerankLambda(params.lambda);
  const std::vector<double> relevance = RerankRelevance(items);
  const std::vector<RerankFeatures> features = RerankFeaturesOf(items);

  std::vector<char> taken(n, 0);
  std::vector<size_t> selected;
  selected.reserve(k);
  // similarity[s * n + i]: item i against the s-th selected item, computed
  // once when that item is selected (each step adds one row, instead of
  // recomputing the window's similarities for every candidate).
  std::vector<double> similarity;
  similarity.reserve(k * n);
  std::vector<ScoredItem> out;
  out.reserve(k);
  while (out.size() < k) {
    const size_t window_begin = selected.size() > params.window ? selected.size() - params.window : 0;
    size_t best = kRerankNone;
    double best_value = 0.0;
    for (size_t i = 0; i < n; ++i) {
      if (taken[i]) continue;
      double max_similarity = 0.0;
      for (size_t s = window_begin; s < selected.size(); ++s) {
        const double sim = similarity[s * n + i];
        max_similarity = s == window_begin ? sim : std::max(max_similarity, sim);
      }
      const double value = lambda * relevance[i] - (1.0 - lambda) * max_similarity;
      if (best == kRerankNone || RerankPrefers(value, items[i], best_value, items[best])) {
        best = i;
        best_value = value;
      }
    }
    taken[best] = 1;
    selected.push_back(best);
    out.push_back(items[best]);
    if (out.size() == k || params.window == 0) continue;
    for (size_t i = 0; i < n; ++i) {
      similarity.push_back(taken[i] ? 0.0 : RerankSimilarity(features[i], features[best]));
    }
  }
  return out;
}

std::vector<ScoredItem> DppGreedy(absl::Span<const ScoredItem> items, const DiversityParams& params) {
  const size_t n = items.size();
  const size_t k = std::min(params.k, n);
  const double lambda = RerankLambda(params.lambda);
  if (lambda >= 1.0) return RerankTopByScore(items, k);

  const double alpha = std::min(lambda / (2.0 * (1.0 - lambda)), kRerankDppMaxAlpha);
  const std::vector<double> relevance = RerankRelevance(items);
  const std::vector<RerankFeatures> features = RerankFeaturesOf(items);
  std::vector<double> quality(n);
  for (size_t i = 0; i < n; ++i) quality[i] = std::exp(alpha * relevance[i]);

  // The incremental Cholesky factorization of L restricted to the window
  // (Chen et al., algorithm 1): row i of `factor` holds c_i, `gain[i]` is
  // d_i^2, the gain in det L of adding item i to the window.
  // A window of n or more never slides: capped so that `factor` stays n x n
  // at most.
  const size_t window = std::min(params.window, n);
  std::vector<double> factor(n * window, 0.0);
  std::vector<double> gain(n, 0.0);
  size_t factor_rows = 0;
  const auto reset = [&] {
    for (size_t i = 0; i < n; ++i) gain[i] = quality[i] * quality[i];
    factor_rows = 0;
  };
  // Adds item j to the factorization; an item the window already spans
  // adds no row.
  const auto extend = [&](size_t j) {
    if (factor_rows >= window || !(gain[j] > kRerankDppMinGain)) return;
    const double d_j = std::sqrt(gain[j]);
    const double* c_j = &factor[j * window];
    for (size_t i = 0; i < n; ++i) {
      if (i == j) continue;
      double* c_i = &factor[i * window];
      double dot = 0.0;
      for (size_t t = 0; t < factor_rows; ++t) dot += c_j[t] * c_i[t];
      const double kernel = quality[i] * RerankDppSimilarity(features[j], features[i]) * quality[j];
      const double e = (kernel - dot) / d_j;
      c_i[factor_rows] = e;
      gain[i] -= e * e;
    }
    gain[j] = 0.0;
    ++factor_rows;
  };

  reset();
  std::vector<char> taken(n, 0);
  std::vector<size_t> in_window;
  in_window.reserve(window + 1);
  std::vector<ScoredItem> out;
  out.reserve(k);
  while (out.size() < k) {
    size_t best = kRerankNone;
    for (size_t i = 0; i < n; ++i) {
      if (taken[i]) continue;
      if (best == kRerankNone || RerankPrefers(gain[i], items[i], gain[best], items[best])) best = i;
    }
    if (best == kRerankNone) break;  // k <= n, so never; tells the compiler so
    if (!(gain[best] > kRerankDppMinGain)) {
      best = kRerankNone;
      for (size_t i = 0; i < n; ++i) {
        if (taken[i]) continue;
        if (best == kRerankNone || RanksBefore(items[i], items[best])) best = i;
      }
    }
    taken[best] = 1;
    out.push_back(items[best]);
    if (window == 0) continue;
    in_window.push_back(best);
    if (in_window.size() > window) {
      // The oldest leaves the window: refactor over the rest, in order.
      in_window.erase(in_window.begin());
      reset();
      for (const size_t j : in_window) extend(j);
    } else {
      extend(best);
    }
  }
  return out;
}

SlateOrder ApplySlateRules(absl::Span<const ScoredItem> ordered, const SlateRules& rules) {
  const size_t max_per_creator = std::max<size_t>(rules.max_per_creator, 1);
  const size_t creator_window = std::max<size_t>(rules.creator_window, 1);
  SlateOrder slate;
  slate.items.reserve(ordered.size());

  // Input positions not yet placed, ascending: the first is the one whose
  // displacement bound comes first.
  std::vector<size_t> remaining(ordered.size());
  std::iota(remaining.begin(), remaining.end(), size_t{0});
  std::vector<size_t> deferred;
  std::vector<size_t> placed_inputs;
  placed_inputs.reserve(ordered.size());
  // Each creator's clips among the last creator_window - 1 placed.
  absl::flat_hash_map<absl::string_view, size_t> creator_counts;

  while (!remaining.empty()) {
    const size_t position = slate.items.size();
    size_t chosen = kRerankNone;
    for (size_t r = 0; r < remaining.size();) {
      const size_t input = remaining[r];
      if (RerankFitsSlate(*ordered[input].candidate, slate.items, creator_counts, max_per_creator)) {
        chosen = r;
        break;
      }
      // Here is its last allowed position and it does not fit here.
      if (position >= input && position - input >= rules.max_displacement) {
        deferred.push_back(input);
        remaining.erase(remaining.begin() + static_cast<std::ptrdiff_t>(r));
        continue;
      }
      ++r;
    }
    if (chosen == kRerankNone) {
      // Nothing remaining fits this position, and deferring places
      // nothing, so nothing would fit later either: the rest is deferred.
      deferred.insert(deferred.end(), remaining.begin(), remaining.end());
      break;
    }
    const size_t input = remaining[chosen];
    remaining.erase(remaining.begin() + static_cast<std::ptrdiff_t>(chosen));
    slate.items.push_back(ordered[input]);
    placed_inputs.push_back(input);
    ++creator_counts[absl::string_view(ordered[input].candidate->creator_id)];
    if (placed_inputs.size() >= creator_window) {
      const size_t leaving = placed_inputs[placed_inputs.size() - creator_window];
      --creator_counts[absl::string_view(ordered[leaving].candidate->creator_id)];
    }
  }

  std::sort(deferred.begin(), deferred.end());
  for (const size_t input : deferred) slate.items.push_back(ordered[input]);
  slate.deferred = deferred.size();
  return slate;
}

}  // namespace clipforge::feed
