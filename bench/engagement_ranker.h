// The feed benches' baseline: the engagement-only ranker, scoring.h's
// quality (smoothed per-impression engagement) times its freshness, sorted
// and cut, with nothing of the feed ranker's originality, diversity, slate
// rules or exploration. Shared by feed_rank_bench (latency) and
// feed_eval_bench (offline evaluation), so both compare against the same
// baseline. feed_rank_bench checks that the product equals Score's
// "quality" x "freshness" factors.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "feed/candidate.h"
#include "feed/scoring.h"

namespace clipforge::bench {

inline double PosteriorMean(const feed::RatePrior& prior, int64_t events, int64_t impressions) {
  return (prior.events + static_cast<double>(std::max<int64_t>(events, 0))) /
         (prior.impressions + static_cast<double>(std::max<int64_t>(impressions, 0)));
}

// scoring.h's quality: positive value against weighted negative cost.
inline double EngagementQuality(const feed::Candidate& c) {
  const int64_t n = c.impressions;
  const double positive = feed::kSatisfiedViewValue * PosteriorMean(feed::kSatisfiedViewPrior, c.satisfied_views, n) +
                          feed::kLikeValue * PosteriorMean(feed::kLikePrior, c.likes, n) +
                          feed::kShareValue * PosteriorMean(feed::kSharePrior, c.shares, n) +
                          feed::kForkValue * PosteriorMean(feed::kForkPrior, c.forks, n);
  const double negative = feed::kNegativeSignalWeight * (feed::kSkipCost * PosteriorMean(feed::kSkipPrior, c.skips, n) +
                                                         feed::kHideCost * PosteriorMean(feed::kHidePrior, c.hides, n));
  return 1.0 / (1.0 + negative / positive);
}

// scoring.h's freshness at the default steering: 36 h half-life, floored.
inline double EngagementFreshness(const feed::Candidate& c, absl::Time now) {
  const double age_hours = std::max(0.0, absl::ToDoubleHours(now - c.published_at));
  return std::max(feed::kMinFreshness, std::exp2(-age_hours / absl::ToDoubleHours(feed::kFreshnessHalfLife)));
}

// Quality x freshness, and nothing else.
inline double EngagementScore(const feed::Candidate& c, absl::Time now) {
  return EngagementQuality(c) * EngagementFreshness(c, now);
}

// The baseline ranker: the engagement-only score, sorted (the
// page's worth, ties by clip id), cut to the page. `excluded(candidate)`
// drops candidates first (a template, so that excluding nothing costs
// nothing).
template <typename Excluded>
std::vector<const feed::Candidate*> EngagementOnlyRanker(absl::Span<const feed::Candidate> candidates, absl::Time now,
                                                         size_t page_size, Excluded&& excluded) {
  std::vector<std::pair<double, const feed::Candidate*>> scored;
  scored.reserve(candidates.size());
  for (const feed::Candidate& c : candidates) {
    if (!excluded(c)) scored.emplace_back(EngagementScore(c, now), &c);
  }
  const size_t k = std::min(page_size, scored.size());
  std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(k), scored.end(),
                    [](const auto& a, const auto& b) {
                      return a.first != b.first ? a.first > b.first : a.second->clip_id < b.second->clip_id;
                    });
  std::vector<const feed::Candidate*> page;
  page.reserve(k);
  for (size_t i = 0; i < k; ++i) page.push_back(scored[i].second);
  return page;
}

}  // namespace clipforge::bench
