// A clip's originality O in [0, 1], computed at publish and again when
// later matches appear, and the copy rule the ranker applies.
//
// Five components each measure one kind of overlap with earlier work:
//
//   prompt_near_duplicate  the best estimated Jaccard similarity of the
//                          prompt's shingles to an earlier clip by another
//                          creator (lsh_index.h)
//   media_near_duplicate   the best share of the clip's frames found in an
//                          earlier clip by another creator (media_match.h)
//   fork_delta             for a fork: how little it changed its parent's
//                          prompt (remix::PromptDiff::ChangedFraction) and
//                          picture
//   self_repetition        the best similarity to the creator's own last
//                          clips
//   trend_following        joining a trending prompt cluster after its
//                          onset, weighed by how crowded it already was
//
// Each turns its overlap into a penalty p in [0, 1], non-decreasing in the
// overlap, and into a factor f = 1 - w p with the component's weight w in
// [0, 1]. O is the product of the five factors. So O is monotone: more
// overlap in any input never raises O, and one component at full penalty
// with weight 1 (a copy) sinks O to 0 whatever the others say, which a
// weighted sum would not do.
//
// The ramps are smoothsteps (3t^2 - 2t^3 between two edges): flat at both
// edges, so overlap below the first edge (shared stock phrasing, a black
// frame in common) costs nothing and a clip past the second gains nothing
// by being a little less of a copy.
//
// Copies (IsCopy): an exact or near copy of another creator's clip is not
// scored down but dropped, in favour of the original: the earliest of the
// clips it matched (match lists are earliest first).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "feed/media_match.h"

namespace clipforge::feed {

// Prompt similarity starts to count at Jaccard 0.5: unrelated prompts that
// share stock phrasing ("cinematic, 4k, highly detailed") stay below it,
// and the LSH index finds 87% of the pairs at 0.5 and 99% from 0.6, so
// what counts is also what is found.
inline constexpr double kPromptPenaltyStart = 0.5;
// A prompt within Jaccard 0.9 of an earlier one is a near copy (a word or
// two changed in a long prompt, or the same prompt re-punctuated): full
// penalty, and IsCopy.
inline constexpr double kCopyPromptJaccard = 0.9;

// Frames start to count when 30% of them are found in another clip: a
// shared title card, black frames or a short quote stay below it. Full
// penalty at a video match (kVideoMatchShare, 80%).
inline constexpr double kMediaPenaltyStart = 0.3;

// A fork's prompt change earns credit from 10% of its tokens changed (two
// words of a 20-word prompt, one of ten: a tweak earns nothing) and full
// credit at 33% (a third rewritten is as original as a new prompt). Two
// words of a 12-word prompt (17%) still earn only 0.2.
inline constexpr double kForkTweakShare = 0.10;
inline constexpr double kForkRewriteShare = 0.33;
// A fork that also kept its parent's picture (frames matching the
// parent's, from kMediaPenaltyStart to kVideoMatchShare) loses up to half
// its credit. A changed picture adds nothing: a fork regenerates its
// picture anyway, so a new picture from a tweaked prompt is the model's
// work, not the creator's.
inline constexpr double kForkKeptPicturePenalty = 0.5;
// A fork of another creator's clip that changed under 10% of the prompt
// and kept the picture (a video match with the parent) is a copy.
inline constexpr double kForkCopyChangedShare = 0.10;

// Repeating oneself counts from similarity 0.5 (a series in one style is
// normal) to full at 0.9 (a re-post), and weighs half (OriginalityWeights):
// it floods followers' feeds but takes nothing from anyone.
inline constexpr double kSelfRepetitionStart = 0.5;
inline constexpr double kSelfRepetitionFull = 0.9;

// Joining a trend after its onset costs more the more clips joined before:
// half the full penalty once 50 had, approaching it beyond.
inline constexpr double kTrendHalfPenaltyClips = 50.0;

// The component names, as ExplainClip shows them.
inline constexpr absl::string_view kPromptComponent = "prompt_near_duplicate";
inline constexpr absl::string_view kMediaComponent = "media_near_duplicate";
inline constexpr absl::string_view kForkComponent = "fork_delta";
inline constexpr absl::string_view kSelfRepetitionComponent = "self_repetition";
inline constexpr absl::string_view kTrendComponent = "trend_following";

// An overlap measure in [0, 1] and the clips it was measured against,
// earliest first (NearDuplicates' order), so the first is the original.
struct OverlapMatch {
  double overlap = 0.0;
  std::vector<std::string> clip_ids;
};

struct ForkDelta {
  std::string parent_clip_id;
  bool same_creator_as_parent = false;
  // The share of the prompt's tokens the fork changed, in [0, 1]
  // (remix::PromptDiff::ChangedFraction).
  double changed_word_share = 1.0;
  // The share of the fork's frames not found in the parent's, in [0, 1]
  // (1 - MatchedShare(fork, parent)); 1 when unknown.
  double picture_changed_share = 1.0;
};

struct TrendSignal {
  bool joined_after_onset = false;
  // Clips of the cluster published before this one (0 or more).
  int64_t earlier_in_cluster = 0;
  // The cluster's clips to show for it (its earliest: the trend's origin).
  std::vector<std::string> clip_ids;
};

// Inputs outside [0, 1] are clamped; NaN reads as 0.
struct OriginalityInputs {
  // Best estimated Jaccard against earlier clips of other creators. For a
  // fork, its parent is left out here and in `media`: the fork component
  // measures what the fork did to it, and resembling the parent is what
  // forking is.
  OverlapMatch prompt;
  // Best MatchedShare(this clip, an earlier clip of another creator).
  OverlapMatch media;
  std::optional<ForkDelta> fork;
  // Best similarity (the larger of prompt Jaccard and frame share) to the
  // creator's own last clips.
  OverlapMatch self_repetition;
  TrendSignal trend;
};

// Each component's weight w in [0, 1] (clamped): its factor at full
// penalty is 1 - w.
struct OriginalityWeights {
  double prompt = 1.0;
  double media = 1.0;
  double fork = 1.0;
  double self_repetition = 0.5;
  double trend = 0.3;  // following a trend is how a community talks; it is only a nudge
};

struct OriginalityComponent {
  std::string name;                   // one of the k*Component names
  double penalty = 0.0;               // 1 - factor
  double factor = 1.0;                // in [0, 1]
  std::vector<std::string> clip_ids;  // what it matched (a fork: its parent)
};

struct OriginalityScore {
  double value = 1.0;  // O in [0, 1]: the product of the factors
  // Every component, matched or not, in the order of the file comment.
  std::vector<OriginalityComponent> components;
};

OriginalityScore ComputeOriginality(const OriginalityInputs& inputs, const OriginalityWeights& weights = {});

// Whether the clip is an exact or near copy of another creator's clip: a
// prompt within kCopyPromptJaccard, a video match (kVideoMatchShare), or a
// fork of another creator's clip that barely changed its prompt and kept
// its picture. The ranker drops it in favour of the earliest clip matched.
bool IsCopy(const OriginalityInputs& inputs);

}  // namespace clipforge::feed
