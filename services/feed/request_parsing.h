// GetFeed, SendFeedback, UpdateRankingWeights, the theme requests and the
// reach appeals checked and turned into the logic's inputs:
// INVALID_ARGUMENT naming the field for anything out of bounds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clipforge/v1/feed.pb.h"
#include "services/feed/feed_logic.h"

namespace clipforge::feed_service {

inline constexpr int32_t kDefaultFeedPageSize = 20;
inline constexpr int32_t kMaxFeedPageSize = 50;
inline constexpr size_t kMaxSeenClipIds = 200;
inline constexpr size_t kMaxFeedbackPerBatch = 100;
inline constexpr size_t kMaxFeedContextChars = 1024;
inline constexpr int32_t kDefaultThemePageSize = 20;
inline constexpr int32_t kMaxThemePageSize = 100;
inline constexpr size_t kMaxThemeWeights = 50;
// A reach appeal's statement and a moderator's note on it.
inline constexpr size_t kMaxReachAppealChars = 1000;

absl::StatusOr<FeedName> ParseFeedName(const std::string& feed);
absl::StatusOr<FeedPageRequest> ParseGetFeed(const v1::GetFeedRequest& request);
// Feedback.event_time at most kMaxFeedbackAge before `now` and at most
// kFeedbackClockSkew after it; watch_duration 0 to kMaxWatchDuration.
inline constexpr absl::Duration kMaxFeedbackAge = absl::Hours(24);
inline constexpr absl::Duration kFeedbackClockSkew = absl::Minutes(1);
inline constexpr absl::Duration kMaxWatchDuration = absl::Hours(1);
absl::StatusOr<std::vector<FeedbackInput>> ParseSendFeedback(const v1::SendFeedbackRequest& request, absl::Time now);
absl::StatusOr<WeightsChange> ParseUpdateWeights(const v1::UpdateRankingWeightsRequest& request);
absl::StatusOr<ThemeRecord> ParseCreateTheme(const v1::CreateThemeRequest& request);

struct ThemeListing {
  int64_t offset = 0;
  size_t page_size = kDefaultThemePageSize;
  bool joined_only = false;
};
absl::StatusOr<ThemeListing> ParseListThemes(const v1::ListThemesRequest& request);
std::string ThemePageToken(int64_t offset, bool joined_only);

// The appeal's statement: 1-1000 characters, not blank.
absl::StatusOr<std::string> ParseAppealReach(const v1::AppealReachPenaltyRequest& request);
absl::StatusOr<ReachDecision> ParseDecideReachAppeal(const v1::DecideReachAppealRequest& request);

// The item's feed_context: which slot served it (exploration or ranked),
// read back with feedback so that exploration impressions are counted
// apart. Not secret and not signed: a client that lies only moves its own
// impression between the two counts.
std::string FeedContextFor(const ServedItem& item);
bool IsExplorationContext(const std::string& feed_context);

}  // namespace clipforge::feed_service
