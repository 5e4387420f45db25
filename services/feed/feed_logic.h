// The feed service's rules over its store and its in-memory pools: pages
// of a feed (from memory alone), feedback, the viewer's steering, themes,
// originality explanations, and the appeals of reach penalties. The gRPC
// adapter (service.h) validates and converts; this decides.
//
// Every change is written to the store first and applied to the pools
// after it commits, so that a restart (which rebuilds the pools from the
// store) serves what was served before.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "base/uuid.h"
#include "feed/candidate.h"
#include "feed/scoring.h"
#include "services/feed/feed_state.h"
#include "services/feed/records.h"
#include "services/feed/store_interface.h"
#include "services/kit/caller.h"
#include "services/kit/idempotency.h"

namespace clipforge::feed_service {

struct FeedRules {
  // How long a page token stays good (feed/page_cursor.h's default).
  absl::Duration cursor_max_age = absl::Hours(24);
  // The page token's HMAC keys: the first signs, all verify (rotation). At
  // least 32 bytes each.
  std::vector<std::string> cursor_keys;
  // Themes one viewer may join (feed.proto).
  int64_t max_joined_themes = 50;
};

// Which feed, as GetFeed names it.
struct FeedName {
  FeedKind kind = FeedKind::kForYou;
  std::string theme_id;
  std::string text;  // as the request spelled it: bound into the page token
};

struct FeedPageRequest {
  FeedName feed;
  size_t page_size = 20;
  std::string page_token;
  std::vector<std::string> seen_clip_ids;
};

enum class PersonalizationMode : uint8_t { kPersonalized, kNonPersonalized, kColdStart };

struct ServedItem {
  feed::Candidate candidate;
  feed::ScoreBreakdown breakdown;
  bool exploration = false;
  std::vector<feed::FeedReason> reasons;  // primary first
  // For kForkOfLikedClip: the liked clip it forks.
  std::string liked_parent_id;
};

struct FeedPage {
  std::vector<ServedItem> items;
  std::string next_page_token;
  PersonalizationMode mode = PersonalizationMode::kNonPersonalized;
  std::string request_id;
};

enum class FeedbackKind : uint8_t {
  kSeen,
  kSkip,
  kComplete,
  kLike,
  kFork,
  kShare,
  kShowMore,
  kShowLess,
  kHideCreator,
};

struct FeedbackInput {
  std::string clip_id;
  FeedbackKind kind = FeedbackKind::kSeen;
  FeedbackScope scope = FeedbackScope::kClip;
  // The item was served in an exploration slot (its feed_context said so).
  bool exploration = false;
};

// The explicit feedback multipliers: show-more lifts by half again (up to
// scoring.h's 3x), show-less on a creator or theme halves (down to its
// tenth); show-less on a clip or a prompt cluster leaves it out, as a mute
// does (the issue: none of that cluster in the next pages).
inline constexpr double kShowMoreStep = 1.5;
inline constexpr double kShowLessStep = 0.5;
// What each implicit signal adds to an opted-in viewer's affinity for the
// clip's creator.
inline constexpr double kLikeAffinity = 1.0;
inline constexpr double kCompleteAffinity = 0.5;
inline constexpr double kShareAffinity = 2.0;
inline constexpr double kForkAffinity = 2.0;

// The fields an UpdateRankingWeights names.
struct WeightsChange {
  std::optional<double> originality;
  std::optional<double> freshness;
  std::optional<double> following_vs_discovery;
  std::optional<double> exploration_share;
  std::optional<std::vector<std::pair<std::string, double>>> theme_weights;
};

struct ThemeView {
  ThemeRecord theme;
  int64_t clip_count = 0;
  bool joined = false;
};

struct ThemePage {
  std::vector<ThemeView> themes;
  int64_t next_offset = 0;  // 0: the last page
};

// A creator's reach as GetReachStatus shows it.
struct ReachView {
  std::string creator_id;
  std::optional<ReachPenaltyRecord> penalty;  // the latest; none when never penalized
  bool active = false;                        // the penalty runs now
  double reach = 1.0;                         // what their clips keep of their scores now
};

// A moderator's decision on a reach appeal (DecideReachAppeal).
struct ReachDecision {
  std::string creator_id;
  bool lift = false;  // false: upheld
  std::string note;
};

class FeedLogic {
 public:
  FeedLogic(FeedStore& store, FeedState& state, const base::Clock& clock, base::UuidV7Generator& ids,
            FeedRules rules);

  // UNAVAILABLE until the pools are rebuilt; INVALID_ARGUMENT (page_token)
  // for a forged, expired or foreign token, with a hint to start over.
  absl::StatusOr<FeedPage> GetFeed(const kit::Caller& caller, const FeedPageRequest& request) const;

  // Returns how many pieces were applied (feedback about clips no longer
  // in the feed is not). Any piece marks an opted-in viewer's clip seen:
  // their feeds leave it out from then on (the newest kMaxSeenPerViewer),
  // until consent is withdrawn.
  absl::StatusOr<int> SendFeedback(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                   const std::vector<FeedbackInput>& feedback);

  WeightsRecord GetWeights(const kit::Caller& caller) const;
  absl::StatusOr<WeightsRecord> UpdateWeights(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                              const WeightsChange& change);

  // NOT_FOUND for a clip the feed does not hold.
  absl::StatusOr<FeedClipRecord> Explain(const std::string& clip_id) const;

  // Admins only (PERMISSION_DENIED); ALREADY_EXISTS for a taken slug.
  absl::StatusOr<ThemeView> CreateTheme(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                        ThemeRecord theme);
  absl::StatusOr<ThemeView> GetTheme(const kit::Caller& caller, const std::string& theme_id) const;
  ThemePage ListThemes(const kit::Caller& caller, bool joined_only, int64_t offset, size_t page_size) const;
  // RESOURCE_EXHAUSTED past max_joined_themes; NOT_FOUND for an unknown
  // theme.
  absl::StatusOr<ThemeView> SetMembership(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                          const std::string& theme_id, bool join);

  // The caller's own reach penalty (the latest, running or not).
  absl::StatusOr<ReachView> GetReachStatus(const kit::Caller& caller) const;
  // Appeals the caller's running penalty, once: FAILED_PRECONDITION when
  // none runs or it was appealed already.
  absl::StatusOr<ReachView> AppealReach(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                        const std::string& statement);
  // Moderators and admins only (PERMISSION_DENIED); NOT_FOUND for a
  // creator never penalized, FAILED_PRECONDITION without a pending appeal.
  // A lift ends the penalty now (the pools give the creator their reach
  // back at once) and forgives their copies so far.
  absl::StatusOr<ReachView> DecideReachAppeal(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                              const ReachDecision& decision);

  // Refits every theme's bridging score from its opted-in members'
  // reactions (feed::FitBridging) and replaces the echoed clips with the
  // bridging ones (feed::IsBridging), best first. Off the request path:
  // the component runs it after the rebuild and then periodically.
  // Returns how many clips are echoed.
  size_t RefitEchoes();

 private:
  ThemeView ViewOf(const ThemeRecord& theme, const std::string& viewer_id) const;

  FeedStore& store_;
  FeedState& state_;
  const base::Clock& clock_;
  base::UuidV7Generator& ids_;
  FeedRules rules_;
  // Binds page tokens to this run's snapshot of the pools: the start time.
  int64_t snapshot_epoch_;
};

}  // namespace clipforge::feed_service
