#include "feed/bridging.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "base/splitmix.h"
#include "feed/candidate.h"

namespace clipforge::feed {
namespace {

// Uniform in [-scale, scale).
double BridgingInitialFactor(uint64_t& state, double scale) {
  const double unit = static_cast<double>(base::SplitMix64Next(state) >> 11) * 0x1p-53;
  return scale * (2.0 * unit - 1.0);
}

// The reactions grouped by one index (clips or users), each group ordered
// by the other index: group g's reactions are [offsets[g], offsets[g+1]).
struct BridgingGroups {
  std::vector<size_t> offsets;
  std::vector<uint32_t> others;  // the other index of each reaction
  std::vector<double> ratings;   // on the [0, 1] scale
};

// A stable counting sort of `order` (indices into reactions) by `key`.
template <typename Key>
std::vector<size_t> BridgingCountingSort(const std::vector<size_t>& order, absl::Span<const Reaction> reactions,
                                         size_t keys, Key key) {
  std::vector<size_t> starts(keys + 1, 0);
  for (const size_t r : order) ++starts[key(reactions[r]) + 1];
  for (size_t k = 0; k < keys; ++k) starts[k + 1] += starts[k];
  std::vector<size_t> sorted(order.size());
  for (const size_t r : order) sorted[starts[key(reactions[r])]++] = r;
  return sorted;
}

template <typename Key, typename Other>
BridgingGroups BridgingGroup(const std::vector<size_t>& sorted, absl::Span<const Reaction> reactions, size_t keys,
                             Key key, Other other) {
  BridgingGroups groups;
  groups.offsets.assign(keys + 1, 0);
  groups.others.reserve(sorted.size());
  groups.ratings.reserve(sorted.size());
  for (const size_t r : sorted) {
    ++groups.offsets[key(reactions[r]) + 1];
    groups.others.push_back(other(reactions[r]));
    groups.ratings.push_back((static_cast<double>(reactions[r].value) + 1.0) / 2.0);
  }
  for (size_t k = 0; k < keys; ++k) groups.offsets[k + 1] += groups.offsets[k];
  return groups;
}

// The intercept and factor minimizing
//   sum_i (y_i - b - f x_i)^2 + lambda_b b^2 + lambda_f f^2
// from the sums n, sum x, sum x^2, sum y, sum x y, gathered by Add. The
// system's determinant is positive: (sum x)^2 <= n sum x^2 and both
// lambdas are.
struct BridgingPair {
  double intercept = 0.0;
  double factor = 0.0;
};

struct BridgingSums {
  double n = 0.0, sx = 0.0, sxx = 0.0, sy = 0.0, sxy = 0.0;

  void Add(double x, double y) {
    n += 1.0;
    sx += x;
    sxx += x * x;
    sy += y;
    sxy += x * y;
  }

  BridgingPair Solve(double lambda_b, double lambda_f) const {
    const double a = n + lambda_b;
    const double d = sxx + lambda_f;
    const double det = a * d - sx * sx;
    if (!(det > 0.0)) return {};
    return {.intercept = (sy * d - sx * sxy) / det, .factor = (a * sxy - sx * sy) / det};
  }
};

class BridgingModel {
 public:
  BridgingModel(const BridgingGroups& by_clip, const BridgingGroups& by_user, const BridgingParams& params,
                BridgingFit& fit)
      : by_clip_(by_clip), by_user_(by_user), params_(params), fit_(fit) {}

  double Loss() const {
    double data = 0.0;
    double intercepts = fit_.mu * fit_.mu;
    double factors = 0.0;
    for (size_t c = 0; c < fit_.clips.size(); ++c) {
      const BridgingClip& clip = fit_.clips[c];
      for (size_t i = by_clip_.offsets[c]; i < by_clip_.offsets[c + 1]; ++i) {
        const uint32_t u = by_clip_.others[i];
        const double residual = by_clip_.ratings[i] - fit_.mu - fit_.user_intercepts[u] - clip.intercept -
                                fit_.user_factors[u] * clip.factor;
        data += residual * residual;
      }
      intercepts += clip.intercept * clip.intercept;
      factors += clip.factor * clip.factor;
    }
    for (size_t u = 0; u < fit_.user_factors.size(); ++u) {
      intercepts += fit_.user_intercepts[u] * fit_.user_intercepts[u];
      factors += fit_.user_factors[u] * fit_.user_factors[u];
    }
    return data + params_.intercept_lambda * intercepts + params_.factor_lambda * factors;
  }

  // One sweep: every clip, then every user, then mu, each solved exactly
  // with the rest fixed.
  void Sweep() {
    for (size_t c = 0; c < fit_.clips.size(); ++c) {
      BridgingSums sums;
      for (size_t i = by_clip_.offsets[c]; i < by_clip_.offsets[c + 1]; ++i) {
        const uint32_t u = by_clip_.others[i];
        sums.Add(fit_.user_factors[u], by_clip_.ratings[i] - fit_.mu - fit_.user_intercepts[u]);
      }
      const BridgingPair pair = sums.Solve(params_.intercept_lambda, params_.factor_lambda);
      fit_.clips[c].intercept = pair.intercept;
      fit_.clips[c].factor = pair.factor;
    }
    for (size_t u = 0; u < fit_.user_factors.size(); ++u) {
      BridgingSums sums;
      for (size_t i = by_user_.offsets[u]; i < by_user_.offsets[u + 1]; ++i) {
        const BridgingClip& clip = fit_.clips[by_user_.others[i]];
        sums.Add(clip.factor, by_user_.ratings[i] - fit_.mu - clip.intercept);
      }
      const BridgingPair pair = sums.Solve(params_.intercept_lambda, params_.factor_lambda);
      fit_.user_intercepts[u] = pair.intercept;
      fit_.user_factors[u] = pair.factor;
    }
    double sum = 0.0;
    for (size_t c = 0; c < fit_.clips.size(); ++c) {
      const BridgingClip& clip = fit_.clips[c];
      for (size_t i = by_clip_.offsets[c]; i < by_clip_.offsets[c + 1]; ++i) {
        const uint32_t u = by_clip_.others[i];
        sum += by_clip_.ratings[i] - fit_.user_intercepts[u] - clip.intercept - fit_.user_factors[u] * clip.factor;
      }
    }
    fit_.mu = sum / (static_cast<double>(by_clip_.ratings.size()) + params_.intercept_lambda);
    RebalanceGauges();
  }

 private:
  bool ClipRated(size_t c) const { return by_clip_.offsets[c + 1] > by_clip_.offsets[c]; }
  bool UserRated(size_t u) const { return by_user_.offsets[u + 1] > by_user_.offsets[u]; }

  // The model has directions that change no prediction, only the
  // regularization: scaling every factor of one side up and the other's
  // down; shifting every user's factor by a while every clip's intercept
  // takes -a f_c (and the same with users and clips swapped); moving a
  // constant between mu and the clip (or user) intercepts. The per-clip
  // and per-user solves cross them only as fast as the light
  // regularization pulls, hundreds of sweeps, so each sweep ends with the
  // exact minimum along each of them (closed forms below). Like every
  // other step, each lowers the loss or leaves it.
  void RebalanceGauges() {
    const double lambda_b = params_.intercept_lambda;
    const double lambda_f = params_.factor_lambda;
    // Scale: minimize lambda_f (s^2 sum f_u^2 + sum f_c^2 / s^2).
    double user_ff = 0.0, clip_ff = 0.0;
    for (const double f : fit_.user_factors) user_ff += f * f;
    for (const BridgingClip& clip : fit_.clips) clip_ff += clip.factor * clip.factor;
    if (user_ff > 0.0 && clip_ff > 0.0) {
      const double s = std::sqrt(std::sqrt(clip_ff / user_ff));
      for (double& f : fit_.user_factors) f *= s;
      for (BridgingClip& clip : fit_.clips) clip.factor /= s;
    }
    // Factor shifts: f_u + a with b_c - a f_c, minimizing
    // lambda_f sum (f_u + a)^2 + lambda_b sum (b_c - a f_c)^2; and swapped.
    {
      double users = 0.0, sf = 0.0, cff = 0.0, cfb = 0.0;
      for (size_t u = 0; u < fit_.user_factors.size(); ++u) {
        if (!UserRated(u)) continue;
        users += 1.0;
        sf += fit_.user_factors[u];
      }
      for (size_t c = 0; c < fit_.clips.size(); ++c) {
        if (!ClipRated(c)) continue;
        cff += fit_.clips[c].factor * fit_.clips[c].factor;
        cfb += fit_.clips[c].factor * fit_.clips[c].intercept;
      }
      const double denominator = lambda_f * users + lambda_b * cff;
      if (denominator > 0.0) {
        const double a = (lambda_b * cfb - lambda_f * sf) / denominator;
        for (size_t u = 0; u < fit_.user_factors.size(); ++u) {
          if (UserRated(u)) fit_.user_factors[u] += a;
        }
        for (size_t c = 0; c < fit_.clips.size(); ++c) {
          if (ClipRated(c)) fit_.clips[c].intercept -= a * fit_.clips[c].factor;
        }
      }
    }
    {
      double clips = 0.0, sf = 0.0, uff = 0.0, ufb = 0.0;
      for (size_t c = 0; c < fit_.clips.size(); ++c) {
        if (!ClipRated(c)) continue;
        clips += 1.0;
        sf += fit_.clips[c].factor;
      }
      for (size_t u = 0; u < fit_.user_factors.size(); ++u) {
        if (!UserRated(u)) continue;
        uff += fit_.user_factors[u] * fit_.user_factors[u];
        ufb += fit_.user_factors[u] * fit_.user_intercepts[u];
      }
      const double denominator = lambda_f * clips + lambda_b * uff;
      if (denominator > 0.0) {
        const double a = (lambda_b * ufb - lambda_f * sf) / denominator;
        for (size_t c = 0; c < fit_.clips.size(); ++c) {
          if (ClipRated(c)) fit_.clips[c].factor += a;
        }
        for (size_t u = 0; u < fit_.user_factors.size(); ++u) {
          if (UserRated(u)) fit_.user_intercepts[u] -= a * fit_.user_factors[u];
        }
      }
    }
    // Offsets: mu - t - v with b_c + t and b_u + v, minimizing
    // (mu - t - v)^2 + sum (b_c + t)^2 + sum (b_u + v)^2 (all times lambda_b).
    double clips = 0.0, users = 0.0, clip_b = 0.0, user_b = 0.0;
    for (size_t c = 0; c < fit_.clips.size(); ++c) {
      if (!ClipRated(c)) continue;
      clips += 1.0;
      clip_b += fit_.clips[c].intercept;
    }
    for (size_t u = 0; u < fit_.user_intercepts.size(); ++u) {
      if (!UserRated(u)) continue;
      users += 1.0;
      user_b += fit_.user_intercepts[u];
    }
    const double det = (1.0 + clips) * (1.0 + users) - 1.0;
    if (det > 0.0) {
      const double rc = fit_.mu - clip_b;
      const double ru = fit_.mu - user_b;
      const double t = (rc * (1.0 + users) - ru) / det;
      const double v = ((1.0 + clips) * ru - rc) / det;
      fit_.mu -= t + v;
      for (size_t c = 0; c < fit_.clips.size(); ++c) {
        if (ClipRated(c)) fit_.clips[c].intercept += t;
      }
      for (size_t u = 0; u < fit_.user_intercepts.size(); ++u) {
        if (UserRated(u)) fit_.user_intercepts[u] += v;
      }
    }
  }

  const BridgingGroups& by_clip_;
  const BridgingGroups& by_user_;
  const BridgingParams& params_;
  BridgingFit& fit_;
};

}  // namespace

std::optional<double> BridgingFit::Score(uint32_t clip) const {
  if (clip >= clips.size() || !clips[clip].scored) return std::nullopt;
  return clips[clip].intercept;
}

absl::StatusOr<BridgingFit> FitBridging(absl::Span<const Reaction> reactions, size_t users, size_t clips,
                                        const BridgingParams& params) {
  for (size_t r = 0; r < reactions.size(); ++r) {
    const Reaction& reaction = reactions[r];
    if (reaction.user >= users || reaction.clip >= clips) {
      return absl::InvalidArgumentError(absl::StrCat("reactions[", r, "]: user ", reaction.user, " or clip ",
                                                     reaction.clip, " out of range (", users, " users, ", clips,
                                                     " clips)"));
    }
    if (!std::isfinite(reaction.value) || reaction.value < -1.0f || reaction.value > 1.0f) {
      return absl::InvalidArgumentError(
          absl::StrCat("reactions[", r, "]: value ", reaction.value, " is not in [-1, 1]"));
    }
  }

  // Canonical orders: by user (stable), then by clip: (clip, user); that
  // again by user: (user, clip).
  std::vector<size_t> order(reactions.size());
  for (size_t r = 0; r < order.size(); ++r) order[r] = r;
  const auto user_of = [](const Reaction& reaction) { return reaction.user; };
  const auto clip_of = [](const Reaction& reaction) { return reaction.clip; };
  order = BridgingCountingSort(order, reactions, users, user_of);
  const std::vector<size_t> clip_major = BridgingCountingSort(order, reactions, clips, clip_of);
  for (size_t i = 1; i < clip_major.size(); ++i) {
    const Reaction& previous = reactions[clip_major[i - 1]];
    const Reaction& current = reactions[clip_major[i]];
    if (previous.clip == current.clip && previous.user == current.user) {
      return absl::InvalidArgumentError(
          absl::StrCat("reactions: user ", current.user, " reacted to clip ", current.clip, " twice"));
    }
  }
  const std::vector<size_t> user_major = BridgingCountingSort(clip_major, reactions, users, user_of);
  const BridgingGroups by_clip = BridgingGroup(clip_major, reactions, clips, clip_of, user_of);
  const BridgingGroups by_user = BridgingGroup(user_major, reactions, users, user_of, clip_of);

  BridgingFit fit;
  fit.clips.resize(clips);
  fit.user_intercepts.assign(users, 0.0);
  fit.user_factors.assign(users, 0.0);
  for (size_t c = 0; c < clips; ++c) {
    const size_t raters = by_clip.offsets[c + 1] - by_clip.offsets[c];
    fit.clips[c].raters = static_cast<uint32_t>(raters);
    fit.clips[c].scored = raters >= params.min_raters && raters > 0;
  }
  if (reactions.empty()) return fit;

  uint64_t state = params.seed;
  for (double& factor : fit.user_factors) factor = BridgingInitialFactor(state, kBridgingInitialFactorScale);
  for (BridgingClip& clip : fit.clips) clip.factor = BridgingInitialFactor(state, kBridgingInitialFactorScale);

  BridgingModel model(by_clip, by_user, params, fit);
  fit.initial_loss = model.Loss();
  double loss = fit.initial_loss;
  while (fit.iterations < params.max_iterations) {
    model.Sweep();
    ++fit.iterations;
    const double previous = loss;
    loss = model.Loss();
    if (params.tolerance > 0.0 && previous - loss <= params.tolerance * previous) break;
  }
  fit.final_loss = loss;
  return fit;
}

bool IsBridging(const BridgingFit& fit, uint32_t clip, double min_intercept, double max_abs_factor) {
  if (clip >= fit.clips.size()) return false;
  const BridgingClip& scored = fit.clips[clip];
  return scored.scored && scored.intercept >= min_intercept && std::abs(scored.factor) < max_abs_factor;
}

double SmallThemeBoost(size_t member_count) {
  const double growth = std::log10(1.0 + static_cast<double>(member_count)) / kSmallThemeBoostDecades;
  return 1.0 + (kMaxSmallThemeBoost - 1.0) * std::max(0.0, 1.0 - growth);
}

EchoGuardrailOrder ApplyEchoGuardrails(absl::Span<const ScoredItem> ordered, const EchoGuardrailRules& rules) {
  const size_t max_echoed = std::max<size_t>(rules.max_echoed_per_theme, 1);
  const size_t window = std::max<size_t>(rules.echo_window, 1);
  const double joined_share =
      std::isnan(rules.max_joined_share) ? 0.5 : std::clamp(rules.max_joined_share, 0.0, 1.0);

  // Each echoed item's distinct themes; empty for the others.
  std::vector<std::vector<absl::string_view>> echo_themes(ordered.size());
  for (size_t i = 0; i < ordered.size(); ++i) {
    const Candidate& candidate = *ordered[i].candidate;
    if (candidate.source != CandidateSource::kEchoed) continue;
    std::vector<absl::string_view>& themes = echo_themes[i];
    for (const std::string& theme : candidate.theme_ids) themes.push_back(theme);
    if (themes.empty()) themes.push_back(absl::string_view());
    std::sort(themes.begin(), themes.end());
    themes.erase(std::unique(themes.begin(), themes.end()), themes.end());
  }

  EchoGuardrailOrder order;
  order.items.reserve(ordered.size());
  std::vector<size_t> remaining(ordered.size());
  for (size_t i = 0; i < remaining.size(); ++i) remaining[i] = i;
  std::vector<size_t> placed;
  placed.reserve(ordered.size());
  // Echoed items of each theme among the last window - 1 placed.
  absl::flat_hash_map<absl::string_view, size_t> echo_counts;
  size_t joined = 0;

  const auto fits = [&](size_t input) {
    if (ordered[input].candidate->source == CandidateSource::kTheme) {
      return static_cast<double>(joined + 1) <= joined_share * static_cast<double>(placed.size() + 1);
    }
    for (const absl::string_view theme : echo_themes[input]) {
      const auto it = echo_counts.find(theme);
      if (it != echo_counts.end() && it->second >= max_echoed) return false;
    }
    return true;
  };

  while (!remaining.empty()) {
    const auto chosen = std::find_if(remaining.begin(), remaining.end(), fits);
    if (chosen == remaining.end()) break;
    const size_t input = *chosen;
    remaining.erase(chosen);
    order.items.push_back(ordered[input]);
    placed.push_back(input);
    if (ordered[input].candidate->source == CandidateSource::kTheme) ++joined;
    for (const absl::string_view theme : echo_themes[input]) ++echo_counts[theme];
    if (placed.size() >= window) {
      for (const absl::string_view theme : echo_themes[placed[placed.size() - window]]) --echo_counts[theme];
    }
  }
  // Nothing remaining fits the next position, and placing nothing changes
  // nothing: the rest waits for the next page, in input order.
  order.deferred.reserve(remaining.size());
  for (const size_t input : remaining) order.deferred.push_back(ordered[input]);
  return order;
}

}  // namespace clipforge::feed
