#include "feed/originality.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace clipforge::feed {
namespace {

// `x` clamped into [0, 1], NaN as 0.
double UnitInterval(double x) {
  if (std::isnan(x)) return 0.0;
  return std::clamp(x, 0.0, 1.0);
}

// 0 up to `edge0`, 1 from `edge1`, 3t^2 - 2t^3 between (t the position
// between the edges): non-decreasing in x.
double Smoothstep(double edge0, double edge1, double x) {
  if (x <= edge0) return 0.0;
  if (x >= edge1) return 1.0;
  const double t = (x - edge0) / (edge1 - edge0);
  return t * t * (3.0 - 2.0 * t);
}

OriginalityComponent MakeComponent(absl::string_view name, double weight, double penalty,
                                   std::vector<std::string> clip_ids) {
  const double factor = 1.0 - UnitInterval(weight) * UnitInterval(penalty);
  return OriginalityComponent{
      .name = std::string(name), .penalty = 1.0 - factor, .factor = factor, .clip_ids = std::move(clip_ids)};
}

// The fork's penalty: 1 - (credit for the prompt change) x (what keeping
// the parent's picture leaves of it).
double ForkPenalty(const ForkDelta& fork) {
  const double prompt_credit = Smoothstep(kForkTweakShare, kForkRewriteShare, UnitInterval(fork.changed_word_share));
  const double picture_kept = 1.0 - UnitInterval(fork.picture_changed_share);
  const double picture_keep =
      1.0 - kForkKeptPicturePenalty * Smoothstep(kMediaPenaltyStart, kVideoMatchShare, picture_kept);
  return 1.0 - prompt_credit * picture_keep;
}

double TrendPenalty(const TrendSignal& trend) {
  if (!trend.joined_after_onset) return 0.0;
  const double earlier = static_cast<double>(std::max<int64_t>(trend.earlier_in_cluster, 0));
  return earlier / (earlier + kTrendHalfPenaltyClips);
}

}  // namespace

OriginalityScore ComputeOriginality(const OriginalityInputs& inputs, const OriginalityWeights& weights) {
  OriginalityScore score;
  score.components.reserve(5);
  score.components.push_back(
      MakeComponent(kPromptComponent, weights.prompt,
                    Smoothstep(kPromptPenaltyStart, kCopyPromptJaccard, UnitInterval(inputs.prompt.overlap)),
                    inputs.prompt.clip_ids));
  score.components.push_back(MakeComponent(
      kMediaComponent, weights.media,
      Smoothstep(kMediaPenaltyStart, kVideoMatchShare, UnitInterval(inputs.media.overlap)), inputs.media.clip_ids));
  if (inputs.fork.has_value()) {
    score.components.push_back(
        MakeComponent(kForkComponent, weights.fork, ForkPenalty(*inputs.fork), {inputs.fork->parent_clip_id}));
  } else {
    score.components.push_back(MakeComponent(kForkComponent, weights.fork, 0.0, {}));
  }
  score.components.push_back(
      MakeComponent(kSelfRepetitionComponent, weights.self_repetition,
                    Smoothstep(kSelfRepetitionStart, kSelfRepetitionFull, UnitInterval(inputs.self_repetition.overlap)),
                    inputs.self_repetition.clip_ids));
  score.components.push_back(
      MakeComponent(kTrendComponent, weights.trend, TrendPenalty(inputs.trend), inputs.trend.clip_ids));

  for (const OriginalityComponent& component : score.components) score.value *= component.factor;
  score.value = UnitInterval(score.value);
  return score;
}

bool IsCopy(const OriginalityInputs& inputs) {
  if (UnitInterval(inputs.prompt.overlap) >= kCopyPromptJaccard) return true;
  if (UnitInterval(inputs.media.overlap) >= kVideoMatchShare) return true;
  if (inputs.fork.has_value() && !inputs.fork->same_creator_as_parent) {
    const ForkDelta& fork = *inputs.fork;
    const bool kept_prompt = UnitInterval(fork.changed_word_share) < kForkCopyChangedShare;
    const bool kept_picture = (1.0 - UnitInterval(fork.picture_changed_share)) >= kVideoMatchShare;
    if (kept_prompt && kept_picture) return true;
  }
  return false;
}

}  // namespace clipforge::feed
