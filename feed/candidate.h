// A feed candidate: one clip as a candidate generator found it, with the
// counters and features the scorer (scoring.h), the re-rankers (rerank.h)
// and the explorer (exploration.h) read, and the reasons a served item
// gives for being in the feed.
//
// A plain struct that the service fills from its stores (the clip row, the
// engagement aggregates, the originality score, the embedding, the
// viewer's affinity). Ranking never changes a candidate: ranked items
// point at theirs (ScoredItem::candidate), so the candidates must outlive
// every ranked list made from them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace clipforge::feed {

// Which generator found the candidate. Each source has a score multiplier
// (scoring.h) and is the candidate's primary reason (FeedReason).
enum class CandidateSource : uint8_t {
  kFollowing,     // by a creator the viewer follows
  kForkOfLiked,   // a fork of a clip the viewer liked
  kTheme,         // from an Echo Chamber (theme) the viewer is a member of
  kEchoed,        // bridging: from a chamber the viewer is not in
  kOriginalPick,  // picked for its originality
  kNewCreator,    // by a creator new to the platform
  kTrending,      // trending in a theme
  kExploration,   // a new clip with few impressions, for an exploration slot
};

// Why a clip is in the feed, in the order the issue lists them; a served
// item's reasons come primary first (ReasonsFor, scoring.h).
enum class FeedReason : uint8_t {
  kFollowingCreator,   // following the creator
  kForkOfLikedClip,    // a fork of a clip you liked
  kInYourEchoChamber,  // in your Echo Chamber
  kEchoedFromChamber,  // echoed from a chamber you are not in
  kOriginalPick,       // an original pick
  kNewCreator,         // a new creator
  kTrendingInTheme,    // trending in a theme
  kAskedForMore,       // you asked for more (show-more feedback, a theme weighed up)
  kPersonalizedTheme,  // a personalized theme match (opted-in viewers only)
  kExploration,        // a new clip in an exploration slot (feed.proto's EXPLORATION)
};

// 16 dimensions: enough to tell apart what a feed page should not repeat
// (subject, style, palette) for the diversity similarity, and 64 bytes a
// clip, so a re-ranking window of a few hundred candidates stays in cache.
inline constexpr size_t kCandidateEmbeddingDims = 16;
using CandidateEmbedding = std::array<float, kCandidateEmbeddingDims>;

struct Candidate {
  std::string clip_id;
  std::string creator_id;
  // The prompt cluster (near-duplicate prompts, lsh_index.h); 0: none, which
  // matches no other clip.
  uint64_t prompt_cluster_id = 0;
  // The root of the clip's fork tree: its own id for an original. Empty:
  // unknown, which matches no other clip.
  std::string fork_root_id;
  std::vector<std::string> theme_ids;
  absl::Time published_at;

  // Engagement counters, all viewers together (negative counts read as 0).
  int64_t impressions = 0;
  int64_t satisfied_views = 0;  // watched to the end (COMPLETE)
  int64_t likes = 0;
  int64_t forks = 0;
  int64_t shares = 0;
  int64_t skips = 0;  // swiped away early
  int64_t hides = 0;  // SHOW_LESS and HIDE_CREATOR

  // Originality O in [0, 1] (originality.h) and whether the clip is a copy
  // (IsCopy); a copy keeps at most kCopyMultiplierCap of its score.
  double originality = 1.0;
  bool is_copy = false;

  CandidateSource source = CandidateSource::kTrending;
  // For diversity (rerank.h); all zeros: no embedding, similar to nothing
  // by content.
  CandidateEmbedding embedding{};
  // The viewer's affinity for the clip (its creator and themes), in [0, 1];
  // counted only for viewers who opted into personalization.
  std::optional<double> affinity;
  // The small-theme boost of the theme the clip came through: set by the
  // gatherer for clips sourced from a theme (CandidateSource::kTheme,
  // kEchoed) from that theme's member count (SmallThemeBoost, bridging.h),
  // so a small chamber's clips can surface among a big one's; 1 otherwise.
  // Scored clamped into [1, kMaxSmallThemeBoost] (NaN reads as 1).
  double small_theme_boost = 1.0;
  // kReachPenaltyMultiplier (reach_penalty.h) while the clip's creator is
  // penalized for mass reposting, set by the gatherer; 1 otherwise.
  // Scored clamped into [kReachPenaltyMultiplier, 1] (NaN reads as 1).
  double reach = 1.0;
};

}  // namespace clipforge::feed
