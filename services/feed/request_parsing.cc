#include "services/feed/request_parsing.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/validation.h"
#include "feed/page_cursor.h"
#include "feed/scoring.h"
#include "services/kit/proto_time.h"
#include "services/kit/token_fields.h"

namespace clipforge::feed_service {
namespace {

constexpr size_t kMaxFeedNameChars = 64;
constexpr absl::string_view kThemeFeedPrefix = "theme/";
constexpr absl::string_view kThemePageTag = "t1";
constexpr absl::string_view kExplorationContext = "x1";
constexpr absl::string_view kRankedContext = "r1";
constexpr size_t kMaxSlugChars = 40;
constexpr size_t kMinSlugChars = 2;
constexpr size_t kMaxThemeNameChars = 60;
constexpr size_t kMaxThemeDescriptionChars = 500;
constexpr size_t kMaxThemeTags = 32;
constexpr size_t kMaxTagChars = 40;

std::optional<FeedbackKind> KindOf(v1::FeedbackType type) {
  switch (type) {
    case v1::FEEDBACK_TYPE_SEEN: return FeedbackKind::kSeen;
    case v1::FEEDBACK_TYPE_SKIP: return FeedbackKind::kSkip;
    case v1::FEEDBACK_TYPE_COMPLETE: return FeedbackKind::kComplete;
    case v1::FEEDBACK_TYPE_LIKE: return FeedbackKind::kLike;
    case v1::FEEDBACK_TYPE_FORK: return FeedbackKind::kFork;
    case v1::FEEDBACK_TYPE_SHARE: return FeedbackKind::kShare;
    case v1::FEEDBACK_TYPE_SHOW_MORE: return FeedbackKind::kShowMore;
    case v1::FEEDBACK_TYPE_SHOW_LESS: return FeedbackKind::kShowLess;
    case v1::FEEDBACK_TYPE_HIDE_CREATOR: return FeedbackKind::kHideCreator;
    default: return std::nullopt;
  }
}

std::optional<FeedbackScope> ScopeOf(v1::FeedbackScope scope) {
  switch (scope) {
    case v1::FEEDBACK_SCOPE_UNSPECIFIED:
    case v1::FEEDBACK_SCOPE_CLIP: return FeedbackScope::kClip;
    case v1::FEEDBACK_SCOPE_CREATOR: return FeedbackScope::kCreator;
    case v1::FEEDBACK_SCOPE_PROMPT_CLUSTER: return FeedbackScope::kPromptCluster;
    case v1::FEEDBACK_SCOPE_THEME: return FeedbackScope::kTheme;
    default: return std::nullopt;
  }
}

void CheckWeight(base::FieldValidator& v, absl::string_view field, double value, double min, double max) {
  v.Check(value >= min && value <= max, field, absl::StrCat("must be ", min, "-", max));
}

bool IsSlug(absl::string_view slug) {
  if (slug.size() < kMinSlugChars || slug.size() > kMaxSlugChars) return false;
  return std::all_of(slug.begin(), slug.end(),
                     [](char c) { return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-'; });
}

// Clip tags as the clips service stores them: lowercase [a-z0-9_].
bool IsTag(absl::string_view tag) {
  if (tag.empty() || tag.size() > kMaxTagChars) return false;
  return std::all_of(tag.begin(), tag.end(),
                     [](char c) { return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_'; });
}

// A reach appeal's statement or a moderator's note: someone reads it, so
// whitespace alone says nothing.
void CheckReachText(base::FieldValidator& v, absl::string_view field, const std::string& text) {
  v.Text(field, text, {.min_chars = 1, .max_chars = kMaxReachAppealChars});
  v.Check(text.empty() || !absl::StripAsciiWhitespace(text).empty(), field, "must not be blank");
}

}  // namespace

absl::StatusOr<FeedName> ParseFeedName(const std::string& feed) {
  if (feed == "for_you") return FeedName{.kind = FeedKind::kForYou, .text = feed};
  if (feed == "following") return FeedName{.kind = FeedKind::kFollowing, .text = feed};
  if (feed == "trending") return FeedName{.kind = FeedKind::kTrending, .text = feed};
  if (feed.size() <= kMaxFeedNameChars && absl::StartsWith(feed, kThemeFeedPrefix)) {
    std::string theme_id = feed.substr(kThemeFeedPrefix.size());
    if (base::IsCanonicalUuid(theme_id)) return FeedName{.kind = FeedKind::kTheme, .theme_id = theme_id, .text = feed};
  }
  return absl::InvalidArgumentError("feed: must be for_you, following, trending or theme/<theme_id>");
}

absl::StatusOr<FeedPageRequest> ParseGetFeed(const v1::GetFeedRequest& request) {
  base::FieldValidator v;
  const int32_t size = request.page_size() == 0 ? kDefaultFeedPageSize : request.page_size();
  v.IntRange("page_size", size, 1, kMaxFeedPageSize);
  v.Count("seen_clip_ids", static_cast<size_t>(request.seen_clip_ids_size()), kMaxSeenClipIds);
  v.Count("page_token", request.page_token().size(), feed::kMaxPageCursorTokenChars);
  if (v.ok()) {
    for (int i = 0; i < request.seen_clip_ids_size(); ++i) {
      v.Uuid(absl::StrCat("seen_clip_ids[", i, "]"), request.seen_clip_ids(i));
    }
  }
  CF_RETURN_IF_ERROR(v.status());
  CF_ASSIGN_OR_RETURN(FeedName feed, ParseFeedName(request.feed()));
  return FeedPageRequest{.feed = std::move(feed),
                         .page_size = static_cast<size_t>(size),
                         .page_token = request.page_token(),
                         .seen_clip_ids = {request.seen_clip_ids().begin(), request.seen_clip_ids().end()}};
}

absl::StatusOr<std::vector<FeedbackInput>> ParseSendFeedback(const v1::SendFeedbackRequest& request, absl::Time now) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id());
  v.Check(request.feedback_size() > 0, "feedback", "must hold at least one piece");
  v.Count("feedback", static_cast<size_t>(request.feedback_size()), kMaxFeedbackPerBatch);
  CF_RETURN_IF_ERROR(v.status());
  std::vector<FeedbackInput> out;
  for (int i = 0; i < request.feedback_size(); ++i) {
    const v1::Feedback& f = request.feedback(i);
    const std::string field = absl::StrCat("feedback[", i, "]");
    v.Uuid(field + ".clip_id", f.clip_id());
    const std::optional<FeedbackKind> kind = KindOf(f.type());
    const std::optional<FeedbackScope> scope = ScopeOf(f.scope());
    v.Check(kind.has_value(), field + ".type", "must be a feedback type (SEEN ... HIDE_CREATOR)");
    v.Check(scope.has_value(), field + ".scope", "must be CLIP, CREATOR, PROMPT_CLUSTER or THEME");
    v.Text(field + ".feed_context", f.feed_context(), {.max_chars = kMaxFeedContextChars});
    if (f.has_event_time()) {
      const bool valid = kit::IsValidTimestamp(f.event_time());
      const absl::Time at = valid ? kit::FromTimestamp(f.event_time()) : absl::InfinitePast();
      v.Check(valid && at >= now - kMaxFeedbackAge && at <= now + kFeedbackClockSkew, field + ".event_time",
              "must be within the last 24 hours");
    }
    if (f.has_watch_duration()) {
      const google::protobuf::Duration& d = f.watch_duration();
      const bool valid = d.seconds() >= 0 && d.nanos() >= 0 && d.nanos() < 1'000'000'000 &&
                         absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos()) <= kMaxWatchDuration;
      v.Check(valid, field + ".watch_duration", "must be 0 to 1 hour");
    }
    if (!kind || !scope) continue;
    out.push_back({.clip_id = f.clip_id(),
                   .kind = *kind,
                   .scope = *scope,
                   .exploration = IsExplorationContext(f.feed_context())});
  }
  CF_RETURN_IF_ERROR(v.status());
  return out;
}

absl::StatusOr<WeightsChange> ParseUpdateWeights(const v1::UpdateRankingWeightsRequest& request) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id());
  v.Check(request.update_mask().paths_size() > 0, "update_mask", "must name at least one field");
  CF_RETURN_IF_ERROR(v.status());
  const v1::RankingWeights& w = request.weights();
  WeightsChange change;
  for (const std::string& path : request.update_mask().paths()) {
    if (path == "originality") {
      CheckWeight(v, "weights.originality", w.originality(), feed::kMinSteeringWeight, feed::kMaxSteeringWeight);
      change.originality = w.originality();
    } else if (path == "freshness") {
      CheckWeight(v, "weights.freshness", w.freshness(), feed::kMinSteeringWeight, feed::kMaxSteeringWeight);
      change.freshness = w.freshness();
    } else if (path == "following_vs_discovery") {
      CheckWeight(v, "weights.following_vs_discovery", w.following_vs_discovery(), feed::kMinSteeringWeight,
                  feed::kMaxSteeringWeight);
      change.following_vs_discovery = w.following_vs_discovery();
    } else if (path == "exploration_share") {
      CheckWeight(v, "weights.exploration_share", w.exploration_share(), feed::kMinExplorationShare,
                  feed::kMaxExplorationShare);
      change.exploration_share = w.exploration_share();
    } else if (path == "theme_weights") {
      v.Count("weights.theme_weights", static_cast<size_t>(w.theme_weights_size()), kMaxThemeWeights);
      std::vector<std::pair<std::string, double>> themes;
      for (int i = 0; i < w.theme_weights_size() && v.ok(); ++i) {
        const std::string field = absl::StrCat("weights.theme_weights[", i, "]");
        const v1::ThemeWeight& t = w.theme_weights(i);
        v.Uuid(field + ".theme_id", t.theme_id());
        CheckWeight(v, field + ".weight", t.weight(), feed::kMinSteeringWeight, feed::kMaxSteeringWeight);
        const bool repeated = std::any_of(themes.begin(), themes.end(), [&](const auto& p) { return p.first == t.theme_id(); });
        v.Check(!repeated, field + ".theme_id", "is listed twice");
        themes.emplace_back(t.theme_id(), t.weight());
      }
      change.theme_weights = std::move(themes);
    } else {
      v.Check(false, "update_mask",
              absl::StrCat("unknown path '", path.substr(0, 64),
                           "' (allowed: originality, freshness, following_vs_discovery, exploration_share, "
                           "theme_weights)"));
    }
  }
  CF_RETURN_IF_ERROR(v.status());
  return change;
}

absl::StatusOr<ThemeRecord> ParseCreateTheme(const v1::CreateThemeRequest& request) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id());
  const v1::Theme& t = request.theme();
  v.Check(IsSlug(t.slug()), "theme.slug", "must be 2-40 characters of a-z, 0-9 and '-'");
  v.Text("theme.display_name", t.display_name(), {.min_chars = 1, .max_chars = kMaxThemeNameChars});
  v.Text("theme.description", t.description(), {.max_chars = kMaxThemeDescriptionChars});
  v.Check(t.tags_size() > 0, "theme.tags", "must name at least one clip tag");
  v.Count("theme.tags", static_cast<size_t>(t.tags_size()), kMaxThemeTags);
  std::vector<std::string> tags;
  for (int i = 0; i < t.tags_size() && v.ok(); ++i) {
    v.Check(IsTag(t.tags(i)), absl::StrCat("theme.tags[", i, "]"), "must be 1-40 of a-z, 0-9 and '_'");
    if (std::find(tags.begin(), tags.end(), t.tags(i)) == tags.end()) tags.push_back(t.tags(i));
  }
  CF_RETURN_IF_ERROR(v.status());
  return ThemeRecord{.slug = t.slug(),
                     .display_name = t.display_name(),
                     .description = t.description(),
                     .tags = std::move(tags)};
}

absl::StatusOr<ThemeListing> ParseListThemes(const v1::ListThemesRequest& request) {
  base::FieldValidator v;
  const int32_t size = request.page_size() == 0 ? kDefaultThemePageSize : request.page_size();
  v.IntRange("page_size", size, 1, kMaxThemePageSize);
  CF_RETURN_IF_ERROR(v.status());
  ThemeListing listing{.page_size = static_cast<size_t>(size), .joined_only = request.joined_only()};
  if (request.page_token().empty()) return listing;
  const std::optional<std::vector<std::string>> fields =
      kit::DecodeTokenFields(request.page_token(), kThemePageTag, 2, kit::kMaxPageTokenBytes);
  int joined = 0;
  if (!fields || !absl::SimpleAtoi((*fields)[0], &listing.offset) || listing.offset < 0 ||
      !absl::SimpleAtoi((*fields)[1], &joined)) {
    return absl::InvalidArgumentError("page_token: malformed");
  }
  if ((joined != 0) != request.joined_only()) {
    return absl::InvalidArgumentError("page_token: from a listing with another joined_only");
  }
  return listing;
}

std::string ThemePageToken(int64_t offset, bool joined_only) {
  return kit::EncodeTokenFields(kThemePageTag, {absl::StrCat(offset), joined_only ? "1" : "0"});
}

std::string FeedContextFor(const ServedItem& item) {
  return std::string(item.exploration ? kExplorationContext : kRankedContext);
}

bool IsExplorationContext(const std::string& feed_context) { return feed_context == kExplorationContext; }

absl::StatusOr<std::string> ParseAppealReach(const v1::AppealReachPenaltyRequest& request) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id());
  CheckReachText(v, "statement", request.statement());
  CF_RETURN_IF_ERROR(v.status());
  return request.statement();
}

absl::StatusOr<ReachDecision> ParseDecideReachAppeal(const v1::DecideReachAppealRequest& request) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id()).Uuid("creator_id", request.creator_id());
  CheckReachText(v, "note", request.note());
  CF_RETURN_IF_ERROR(v.status());
  return ReachDecision{.creator_id = request.creator_id(), .lift = request.lift(), .note = request.note()};
}

}  // namespace clipforge::feed_service
