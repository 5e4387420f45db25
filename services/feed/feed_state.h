// The feed's pools: every public clip and every viewer's settings, in
// memory, so that a feed request does no SQL. Built from the store at
// start (Load*, then MarkReady: the service reports ready only after) and
// kept current by the bus events and the service's own writes (each change
// is written to the store first, then applied here).
//
// Thread-safe: requests read under a shared lock; events and settings
// write under the exclusive one. Gathering copies the candidates out (at
// most RankRequest's cap, 2,000), so ranking runs without the lock.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "feed/bloom_filter.h"
#include "feed/candidate.h"
#include "feed/frame_index.h"
#include "feed/lsh_index.h"
#include "feed/minhash.h"
#include "feed/reach_penalty.h"
#include "feed/scoring.h"
#include "services/feed/records.h"

namespace clipforge::feed_service {

// Which feed a request reads.
enum class FeedKind : uint8_t { kForYou, kFollowing, kTrending, kTheme };

// A clip as clipforge.clip.published announces it (assessed whatever its
// visibility; only public clips enter the pools).
struct PublishedClip {
  std::string clip_id;
  std::string creator_id;
  std::string parent_clip_id;
  std::string root_clip_id;
  std::string prompt;
  std::vector<std::string> tags;
  absl::Time published_at;
};

// One opted-in member's reaction to a clip of a theme they joined: what
// the theme's bridging fit learns from (+1 liked, -1 skipped or shown
// less).
struct ThemeReaction {
  std::string theme_id;
  std::string user_id;
  std::string clip_id;
  float value = 0.0f;
};

// A clip echoed from its theme into non-members' feeds: liked across the
// theme's divide (feed::IsBridging), with its bridging score.
struct Echo {
  std::string theme_id;
  std::string clip_id;
  double score = 0.0;
};

// An earlier clip by another creator that the frame index says may share
// frames with a clip being published: its stored frames decide.
struct FrameMatchCandidate {
  std::string clip_id;
  absl::Time published_at;
};

// What the media check of a clip being published found, from the stored
// frame lists of the index's candidates and of a fork's parent
// (EventLogic): Assess folds it into the originality.
struct MediaEvidence {
  // The best feed::MatchedShare of the clip's frames in an earlier clip of
  // another creator, and the clips from kMediaPenaltyStart on, earliest
  // first (the original first).
  feed::OverlapMatch matches;
  // A fork: the share of its frames found in its parent's; none when
  // either has no frames.
  std::optional<double> parent_matched_share;
};

// What a clip's feedback applies to, looked up for SendFeedback.
struct ClipKeys {
  std::string creator_id;
  uint64_t prompt_cluster_id = 0;
  std::vector<std::string> theme_ids;
};

// One of a creator's newest public copies (of other creators' clips):
// what a mass-repost run is looked for in (feed/reach_penalty.h).
struct RecentCopy {
  std::string clip_id;
  absl::Time published_at;
};

// Each generator's share of the per-request candidate cap, and how far
// each looks. A request gathers at most kMaxCandidates in all (the issue's
// bound): ranking 2,000 candidates stays within a few milliseconds.
inline constexpr size_t kMaxCandidates = 2000;
inline constexpr size_t kMaxFollowedCreatorsRead = 500;
inline constexpr size_t kClipsPerFollowedCreator = 20;
inline constexpr size_t kLikedClipsRead = 50;
inline constexpr size_t kForksPerLikedClip = 10;
inline constexpr size_t kClipsPerJoinedTheme = 200;
inline constexpr size_t kOriginalPicks = 300;
inline constexpr size_t kExplorationCandidates = 200;
inline constexpr size_t kNewCreatorCandidates = 100;
inline constexpr size_t kTrendingCandidates = 300;
inline constexpr size_t kEchoedCandidates = 100;
// How many of the newest clips trending and originals are chosen from.
inline constexpr size_t kRecentWindow = 5000;
// A clip with fewer impressions is new enough to explore: about two
// exploration rounds (the quality priors hold 20 impressions).
inline constexpr int64_t kExplorationMaxImpressions = 50;
// A creator is new for a week after their first public clip.
inline constexpr absl::Duration kNewCreatorPeriod = absl::Hours(24 * 7);
// How stale trending (and new-creator) picks may be: engagement moves the
// order slowly, and scoring 5,000 clips per request would cost a third of
// gathering.
inline constexpr absl::Duration kTrendingRefresh = absl::Seconds(1);
// The explicit likes kept per viewer (the newest) for fork-of-liked and
// the bridging fits, and the skips kept per opted-in viewer (the newest;
// personalization data, stored and reloaded at start) for the bridging
// fits.
inline constexpr size_t kLikesKeptPerViewer = 200;
inline constexpr size_t kSkipsKeptPerViewer = 200;
// The seen clips kept per opted-in viewer (the newest; personalization
// data, stored in feed.seen and reloaded at start): about a week of heavy
// viewing (700 short clips a day), in 8-byte keys, about 120 KB a viewer
// at the bound. Older ones are forgotten and may be served again.
inline constexpr size_t kMaxSeenPerViewer = 5000;
// feed.seen keeps the rows the pools forgot until they number this many
// for a viewer; then one feedback transaction trims them (a read of the
// viewer's rows every few hundred clips seen, not every request).
inline constexpr size_t kSeenTrimBatch = 500;
// Near-duplicate prompts: a match counts from this estimated Jaccard on
// (originality.h's kPromptPenaltyStart), and a cluster whose earlier
// clips by others number at least kTrendOnsetClips is a trend a newcomer
// joins after its onset.
inline constexpr double kPromptMatchThreshold = 0.5;
inline constexpr int64_t kTrendOnsetClips = 3;
// The creator's own clips compared for self-repetition.
inline constexpr size_t kOwnRecentCompared = 10;
// Matched clip ids kept per originality component.
inline constexpr size_t kMaxMatchedIds = 10;
// Media near-duplicates: the most earlier clips the frame index proposes
// for one published clip whose stored frame lists are read to verify them
// (those with the most matching frames first). A copy's original has
// nearly all of the copy's frames, so it is among the first.
inline constexpr size_t kMediaCandidatesVerified = 32;
// A clip that reaches the feed after later clips that match it: the most
// of them scored again (EventLogic). Bounded so that one late clip costs at
// most this many reads, however big its cluster grew meanwhile. The newest
// are taken: a clip restored after a removal was matched before it by the
// clips published while it was public.
inline constexpr size_t kRescoredClips = 32;
// Affinity weight at which a personalized viewer's affinity for a creator
// reaches one half (w / (w + kAffinityHalfWeight)): about five likes or
// completed views.
inline constexpr double kAffinityHalfWeight = 5.0;

struct GatherRequest {
  std::string viewer_id;
  FeedKind kind = FeedKind::kForYou;
  std::string theme_id;  // kTheme only
  // Widened: when the usual pools ran dry for this session, every live
  // clip (newest first) instead of the generators' picks, so the feed goes
  // on without repeating. The viewer's seen clips stay out here too: older
  // unseen clips come before a repeat, and the feed ends only when every
  // live clip was seen or served.
  bool widened = false;
  size_t cap = kMaxCandidates;
  // Clips this session was served (the page token's filter): skipped while
  // gathering, so that the cap counts only clips that can be served.
  const feed::BloomFilter* served = nullptr;
};

struct Gathered {
  std::vector<feed::Candidate> candidates;
  feed::ScoringContext context;  // but `now`, which the caller sets
  bool opted_in = false;
  bool has_affinity = false;
  // Left out whatever the ranking: hidden creators, clips and prompt
  // clusters the viewer asked for less of.
  absl::flat_hash_set<std::string> hidden_creators;
  absl::flat_hash_set<std::string> hidden_clips;
  absl::flat_hash_set<uint64_t> hidden_clusters;
  // For FORK_OF_LIKED_CLIP reasons: the liked parent of each such candidate.
  absl::flat_hash_map<std::string, std::string> liked_parent;
};

class FeedState {
 public:
  FeedState();
  FeedState(const FeedState&) = delete;
  FeedState& operator=(const FeedState&) = delete;

  // --- Rebuild ---
  bool ready() const { return ready_.load(std::memory_order_acquire); }
  void MarkReady();
  // Waits until MarkReady; false when `timeout` passed first.
  bool AwaitReady(absl::Duration timeout) const;
  void LoadThemes(const std::vector<ThemeRecord>& themes);
  void LoadViewers(const ViewerRows& rows);
  size_t clip_count() const;

  // --- Clips ---
  // The clip's stored record: its prompt cluster and originality, computed
  // against the clips already here (published before it), with what the
  // media check found.
  FeedClipRecord Assess(const PublishedClip& clip, absl::Time now, const MediaEvidence& media = {}) const;
  // Earlier clips of other creators (not the clip's parent) with an
  // indexed frame near one of `frames`, at most kMediaCandidatesVerified,
  // those sharing the most frames first.
  std::vector<FrameMatchCandidate> FrameMatchCandidates(const PublishedClip& clip,
                                                        const std::vector<feed::FrameHash>& frames) const;
  // The clips scored before `clip` reached the pools that it may lower
  // (EventLogic::RescoreLater): those of other creators published after
  // it whose prompt is a near-duplicate of its prompt or with an indexed
  // frame near one of `frames`, and its forks. At most kRescoredClips,
  // newest first (a restored clip's earlier matches scored it already).
  std::vector<std::string> LaterMatchCandidates(const PublishedClip& clip,
                                                const std::vector<feed::FrameHash>& frames) const;
  // Adds (or replaces) a clip.
  void AddClip(const FeedClipRecord& clip);
  void RemoveClip(const std::string& clip_id);
  void AddCounts(const std::string& clip_id, const EngagementCounts& delta);
  std::optional<ClipKeys> KeysOf(const std::string& clip_id) const;

  // --- Viewers ---
  void SetFollow(const std::string& follower_id, const std::string& followee_id, bool follows);
  void SetLike(const std::string& user_id, const std::string& clip_id, bool likes);
  // Withdrawing consent also drops the viewer's affinity, skips and seen
  // clips.
  void SetConsent(const std::string& user_id, bool opted_in);
  bool OptedIn(const std::string& user_id) const;
  void PutFeedbackSetting(const FeedbackSetting& setting);
  // The viewer's current setting for (scope, key); none when never set.
  std::optional<FeedbackSetting> FeedbackSettingOf(const std::string& user_id, FeedbackScope scope,
                                                   const std::string& key) const;
  void PutWeights(const WeightsRecord& weights);
  WeightsRecord WeightsOf(const std::string& user_id) const;
  void AddAffinity(const std::string& user_id, const std::string& creator_id, double delta);
  // An opted-in viewer's skip (others' are not kept).
  void AddSkip(const std::string& user_id, const std::string& clip_id);
  // An opted-in viewer's seen clips (others' are not kept), which their
  // feeds leave out from then on: the newest kMaxSeenPerViewer are kept, a
  // repeat keeping its place (feed.seen keeps the first time).
  void AddSeen(const std::string& user_id, const std::vector<std::string>& clip_ids);
  size_t SeenCount(const std::string& user_id) const;
  // How many skips the pools keep of the viewer (at most
  // kSkipsKeptPerViewer).
  size_t SkipCount(const std::string& user_id) const;
  // Whether the viewer's rows in feed.seen beyond what the pools keep may
  // number kSeenTrimBatch: the next feedback trims them (SeenTrimmed after).
  bool SeenTrimDue(const std::string& user_id) const;
  void SeenTrimmed(const std::string& user_id);
  void ForgetUser(const std::string& user_id);
  size_t AffinityCount(const std::string& user_id) const;

  // --- Themes ---
  // Adds or replaces a theme; its tags draw the live clips in.
  void PutTheme(const ThemeRecord& theme);
  std::optional<ThemeRecord> Theme(const std::string& theme_id) const;
  std::vector<ThemeRecord> Themes() const;
  void SetMembership(const std::string& user_id, const std::string& theme_id, bool member);
  bool IsMember(const std::string& user_id, const std::string& theme_id) const;
  int64_t ThemeClipCount(const std::string& theme_id) const;
  std::vector<std::string> JoinedThemes(const std::string& user_id) const;

  // --- Echo Chambers ---
  // Every opted-in member's reactions to their themes' clips.
  std::vector<ThemeReaction> MemberReactions() const;
  // Replaces the echoed clips (best first).
  void SetEchoes(std::vector<Echo> echoes);

  // --- Reach penalties (mass reposting) ---
  // The creator's newest public copies, at most feed::kMassRepostCopies,
  // earliest first. AddClip keeps them (each clip once, however often it
  // is added), and RemoveClip drops a removed one, as a rebuild would not
  // load it.
  std::vector<RecentCopy> RecentCopies(const std::string& creator_id) const;
  // The creator's clips keep feed::kReachPenaltyMultiplier of their
  // scores until `until`.
  void PenalizeReach(const std::string& creator_id, absl::Time until);
  // Lifted on appeal: the creator's reach is back at once, and their
  // copies so far are forgiven (dropped from RecentCopies).
  void LiftReachPenalty(const std::string& creator_id);
  // Every penalty not lifted, as stored (at start); those ended by `now`
  // are left out.
  void LoadReachPenalties(const std::vector<ReachPenaltyRecord>& penalties, absl::Time now);
  // Forgets the penalties ended by `now` (periodically): while any is kept,
  // every candidate of every request looks its creator up. Returns how
  // many went.
  size_t PruneEndedReachPenalties(absl::Time now);
  // The reach the creator's clips are scored with at `now`
  // (feed::Candidate::reach).
  double ReachOf(const std::string& creator_id, absl::Time now) const;

  // --- Requests ---
  Gathered Gather(const GatherRequest& request, absl::Time now) const;

 private:
  static constexpr uint32_t kNoFrameSlot = UINT32_MAX;
  struct PoolClip {
    feed::Candidate candidate;  // source and affinity are set per request
    // Its number in frame_index_; kNoFrameSlot when it has no frames.
    uint32_t frame_slot = kNoFrameSlot;
    std::string parent_clip_id;
    std::string prompt;
    std::vector<std::string> tags;
    // Its key in the viewers' seen-filters, computed once here rather than
    // per request (SeenKey in feed_state.cc).
    uint64_t seen_key = 0;
    // No MinHash signature here: the LSH index keeps one (1 KB a clip), and
    // self-repetition recomputes the few it compares.
  };
  // Clips ordered by publish time, then id: iterated newest first. The
  // entries point at the clips (clips_ owns them, and neither field
  // changes), so reading an index costs no lookup by id.
  struct PublishedBefore {
    bool operator()(const PoolClip* a, const PoolClip* b) const {
      const feed::Candidate& x = a->candidate;
      const feed::Candidate& y = b->candidate;
      return x.published_at != y.published_at ? x.published_at < y.published_at : x.clip_id < y.clip_id;
    }
  };
  using ClipsByTime = std::set<const PoolClip*, PublishedBefore>;
  struct Viewer {
    absl::flat_hash_set<std::string> follows;
    std::vector<std::string> likes;  // oldest first, at most kLikesKeptPerViewer
    std::vector<std::string> skips;  // opted in only: oldest first, at most kSkipsKeptPerViewer
    // Opted in only: the seen clips' keys (SeenKey), and the same keys
    // oldest first, at most kMaxSeenPerViewer. A deleted clip's key stays
    // until it is pushed out (it matches no clip).
    absl::flat_hash_set<uint64_t> seen;
    std::deque<uint64_t> seen_order;
    // Keys pushed out since feed.seen was last trimmed: about how many of
    // the viewer's rows it holds beyond seen_order.
    size_t seen_forgotten = 0;
    absl::flat_hash_set<std::string> themes;
    bool opted_in = false;
    absl::flat_hash_map<std::pair<FeedbackScope, std::string>, FeedbackSetting> feedback;
    std::optional<WeightsRecord> weights;
    absl::flat_hash_map<std::string, double> affinity;  // by creator
  };

  std::vector<std::string> ThemesOfTags(const std::vector<std::string>& tags) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // The ordered indexes (time, creator, fork parent, themes); the prompt
  // index is kept by AddClip and RemoveClip.
  void IndexClip(const PoolClip& clip) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  struct RecentWindow {
    std::vector<const PoolClip*> newest;  // the newest kRecentWindow, newest first
    std::vector<bool> new_creator;        // by newest's index: a creator's first week
    std::vector<const PoolClip*> trending;  // the top kTrendingCandidates of newest
    absl::Time computed_at;
  };
  std::shared_ptr<const RecentWindow> Recent(absl::Time now) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void UnindexClip(const PoolClip& clip) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The pooled clips with an indexed frame near one of `frames`, at most
  // `limit`, those sharing the most frames first.
  std::vector<const PoolClip*> FrameNeighbours(const std::vector<feed::FrameHash>& frames, size_t limit) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Puts the clip's indexed frames into frame_index_ under a free slot, or
  // takes them out and frees the slot.
  void IndexFrames(PoolClip& clip, const std::vector<feed::FrameHash>& frames) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void UnindexFrames(PoolClip& clip) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Viewer& ViewerFor(const std::string& user_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Adds the key to the viewer's seen clips (a repeat keeps its place),
  // forgetting the oldest past kMaxSeenPerViewer.
  static void RememberSeen(Viewer& viewer, uint64_t key);
  const Viewer* FindViewer(const std::string& user_id) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void FillContext(const Viewer* viewer, Gathered& out) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void RememberCopy(const std::string& creator_id, const std::string& clip_id, absl::Time published_at)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ForgetCopy(const std::string& creator_id, const std::string& clip_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  double CreatorReach(const std::string& creator_id, absl::Time now) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  std::atomic<bool> ready_{false};
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<PoolClip>> clips_ ABSL_GUARDED_BY(mu_);
  ClipsByTime by_time_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, ClipsByTime> by_creator_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, ClipsByTime> children_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, ClipsByTime> by_theme_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, absl::Time> creator_first_clip_ ABSL_GUARDED_BY(mu_);
  feed::PromptLshIndex prompts_ ABSL_GUARDED_BY(mu_);
  // Media near-duplicates: a few frames of each clip with frame hashes,
  // under a slot number; frame_slots_[slot] is its clip (null when free).
  feed::FrameIndex frame_index_ ABSL_GUARDED_BY(mu_);
  std::vector<const PoolClip*> frame_slots_ ABSL_GUARDED_BY(mu_);
  std::vector<uint32_t> free_frame_slots_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, ThemeRecord> themes_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::vector<std::string>> themes_by_tag_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Viewer> viewers_ ABSL_GUARDED_BY(mu_);
  std::vector<Echo> echoes_ ABSL_GUARDED_BY(mu_);
  // Mass reposting: when each penalized creator's penalty ends (lifted
  // ones gone), and each creator's newest public copies, earliest first.
  // Both are small: few creators are penalized, and at most
  // feed::kMassRepostCopies copies are kept a creator.
  absl::flat_hash_map<std::string, absl::Time> reach_penalty_until_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::deque<RecentCopy>> recent_copies_ ABSL_GUARDED_BY(mu_);
  // The recent window, shared by requests: rebuilt by the first request
  // after a change to the clips, and at most kTrendingRefresh apart for
  // trending. Walking the set's 5,000 nodes, looking up each creator's
  // first clip and scoring trending per request cost more than the rest
  // of gathering. Changes (under mu_ exclusively) mark it stale; requests
  // (under mu_ shared, so the clips hold still) rebuild it under
  // recent_mu_ and keep the snapshot while they hold mu_.
  mutable absl::Mutex recent_mu_ ABSL_ACQUIRED_AFTER(mu_);
  mutable std::shared_ptr<const RecentWindow> recent_ ABSL_GUARDED_BY(recent_mu_);
  mutable bool recent_stale_ ABSL_GUARDED_BY(recent_mu_) = true;
};

}  // namespace clipforge::feed_service
