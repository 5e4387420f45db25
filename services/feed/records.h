// The feed service's stored records: the clips its pools are built from
// (with their originality and engagement counters), and each viewer's
// settings (steering, explicit feedback, follows, likes, themes, consent,
// personalization). Proto enums name the values (this is the service
// layer, not the core).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "feed/originality.h"

namespace clipforge::feed_service {

// Engagement counters of one clip, all viewers together; also a delta.
struct EngagementCounts {
  int64_t impressions = 0;
  int64_t satisfied_views = 0;
  int64_t likes = 0;
  int64_t forks = 0;
  int64_t shares = 0;
  int64_t skips = 0;
  int64_t hides = 0;
  // Impressions in exploration slots, counted apart so that quality
  // estimates can be debiased (they are also in `impressions`).
  int64_t exploration_impressions = 0;

  EngagementCounts& operator+=(const EngagementCounts& d) {
    impressions += d.impressions;
    satisfied_views += d.satisfied_views;
    likes += d.likes;
    forks += d.forks;
    shares += d.shares;
    skips += d.skips;
    hides += d.hides;
    exploration_impressions += d.exploration_impressions;
    return *this;
  }

  bool empty() const {
    return impressions == 0 && satisfied_views == 0 && likes == 0 && forks == 0 && shares == 0 && skips == 0 &&
           hides == 0 && exploration_impressions == 0;
  }
};

// A clip as the feed knows it (from clipforge.clip.published).
struct FeedClipRecord {
  std::string clip_id;
  std::string creator_id;
  std::string parent_clip_id;  // empty for an original
  std::string root_clip_id;    // the fork tree's root: clip_id for an original
  std::string prompt;
  std::vector<std::string> tags;
  absl::Time published_at;
  // Near-duplicate prompts share a cluster: the cluster of the earliest
  // clip matched at publish, else the clip's own (derived from its id).
  uint64_t prompt_cluster_id = 0;
  // feed::ComputeOriginality at publish (IsCopy for is_copy).
  double originality = 1.0;
  bool is_copy = false;
  std::vector<feed::OriginalityComponent> components;
  absl::Time originality_time;
  EngagementCounts counts;
  // Kept but not served: removed by moderation, or not public (published
  // so, or made so later). A restore or a return to public serves it
  // again, with its originality and counters as they are.
  bool withdrawn = false;
  // The frames the media near-duplicate index keeps for the clip (at most
  // feed::kIndexedFramesPerClip of its 1 fps frame hashes, spread over
  // the video); empty when the clip came without frame hashes. The whole
  // list is stored apart (FeedTx::PutClipFrames), read only to verify a
  // match.
  std::vector<feed::FrameHash> indexed_frames;
};

// What SHOW_MORE / SHOW_LESS / HIDE_CREATOR apply to.
enum class FeedbackScope : uint8_t { kClip = 1, kCreator = 2, kPromptCluster = 3, kTheme = 4 };

// One explicit feedback setting: a multiplier on a clip, creator, prompt
// cluster (key: the decimal cluster id) or theme. A setting, like a mute:
// kept without analytics consent. HIDE_CREATOR is a creator setting with
// hidden = true (the creator's clips are left out altogether).
struct FeedbackSetting {
  std::string user_id;
  FeedbackScope scope = FeedbackScope::kClip;
  std::string key;
  double multiplier = 1.0;
  bool hidden = false;
  absl::Time set_at;
};

// A viewer's steering (feed.proto's RankingWeights); defaults when never
// set.
struct WeightsRecord {
  std::string user_id;
  double originality = 1.0;
  double freshness = 1.0;
  double following_vs_discovery = 1.0;
  double exploration_share = 0.1;
  std::vector<std::pair<std::string, double>> theme_weights;
  std::optional<absl::Time> update_time;
};

struct ThemeRecord {
  std::string theme_id;
  std::string slug;
  std::string display_name;
  std::string description;
  std::vector<std::string> tags;
  int64_t member_count = 0;
  absl::Time create_time;
};

// A viewer's personalization data, kept only while they opt into
// analytics: affinity by creator, from their likes and completed views.
struct AffinityRecord {
  std::string user_id;
  std::string creator_id;
  double weight = 0.0;
};

// Everything of the viewers the pools keep, as loaded at start.
struct ViewerRows {
  std::vector<std::pair<std::string, std::string>> follows;  // (follower, followee)
  std::vector<std::pair<std::string, std::string>> likes;    // (user, clip)
  std::vector<std::string> opted_in;                         // analytics consent
  std::vector<std::pair<std::string, std::string>> skips;    // (user, clip): opted-in viewers', oldest first
  std::vector<std::pair<std::string, std::string>> seen;     // (user, clip): opted-in viewers', oldest first
  std::vector<FeedbackSetting> feedback;
  std::vector<WeightsRecord> weights;
  std::vector<std::pair<std::string, std::string>> memberships;  // (user, theme)
  std::vector<AffinityRecord> affinity;
};

// A moderator's decision on the appeal of a reach penalty.
enum class ReachAppealDecision : uint8_t { kNone, kUpheld, kLifted };

// A creator's reach penalty for mass reposting (feed/reach_penalty.h): the
// latest one, one row a creator (migration 0024). A new penalty, once the
// last has ended or been lifted, replaces the row and its appeal.
struct ReachPenaltyRecord {
  std::string creator_id;
  absl::Time started_at;  // the copy that completed the run
  absl::Time until;       // kReachPenaltyDuration after the latest run's last copy
  // The run that started it, and one for each later run that extended it.
  int copies = 0;
  std::vector<std::string> copy_clip_ids;  // the starting run's clips, earliest first
  // Lifted on appeal: the copies up to then are forgiven.
  std::optional<absl::Time> lifted_at;
  // The creator's appeal (one per penalty).
  std::optional<std::string> appeal_statement;
  std::optional<absl::Time> appealed_at;
  ReachAppealDecision decision = ReachAppealDecision::kNone;
  std::string decided_by;  // the moderator; empty until decided
  std::optional<absl::Time> decided_at;
  std::string decision_note;
};

}  // namespace clipforge::feed_service
