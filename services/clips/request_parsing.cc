#include "services/clips/request_parsing.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "base/status_macros.h"
#include "base/language_tag.h"
#include "base/validation.h"
#include "services/kit/token_fields.h"

namespace clipforge::clips_service {
namespace {

constexpr size_t kMaxTitleChars = 100;
constexpr size_t kMaxCaptionChars = 2200;
constexpr size_t kMaxTags = 32;
constexpr size_t kMaxTagChars = 40;
constexpr size_t kMaxFeedContextChars = 1024;
constexpr int32_t kMaxGraphDepth = 1000;
constexpr int64_t kMaxWatchSeconds = 3600;

// --- Clip fields: PublishClip and UpdateClip check them alike. ---

void CheckTitle(base::FieldValidator& v, absl::string_view field, const std::string& title) {
  v.Text(field, title, {.max_chars = kMaxTitleChars});
}

void CheckCaption(base::FieldValidator& v, absl::string_view field, const std::string& caption) {
  v.Text(field, caption, {.max_chars = kMaxCaptionChars});
}

bool IsTag(absl::string_view tag) {
  if (tag.empty() || tag.size() > kMaxTagChars) return false;
  return std::all_of(tag.begin(), tag.end(), [](char c) { return absl::ascii_isalnum(c) || c == '_'; });
}

// The tags as stored: lowercased, each once, in the order first given.
// Meaningful only when `v` stays OK.
std::vector<std::string> NormalizeTags(base::FieldValidator& v, absl::string_view field,
                                       const google::protobuf::RepeatedPtrField<std::string>& tags) {
  std::vector<std::string> out;
  // Counted as sent, so the bound holds before any tag is looked at.
  const size_t count = static_cast<size_t>(tags.size());
  v.Count(field, count, kMaxTags);
  if (count > kMaxTags) return out;
  for (int i = 0; i < tags.size(); ++i) {
    if (!IsTag(tags[i])) {
      v.Check(false, absl::StrCat(field, "[", i, "]"),
              absl::StrCat("must be 1-", kMaxTagChars, " ASCII letters, digits or '_'"));
      continue;
    }
    std::string tag = absl::AsciiStrToLower(tags[i]);
    if (std::find(out.begin(), out.end(), tag) == out.end()) out.push_back(std::move(tag));
  }
  return out;
}

void CheckLanguage(base::FieldValidator& v, absl::string_view field, const std::string& language) {
  v.Check(language.empty() || base::IsLanguageTag(language), field,
          "must be empty or a BCP-47 tag such as 'en' or 'pt-BR'");
}

// A stored visibility: a known value, never UNSPECIFIED (PublishClip maps
// UNSPECIFIED to PUBLIC before asking; an update must name one).
void CheckVisibility(base::FieldValidator& v, absl::string_view field, int visibility) {
  v.Check(visibility != v1::VISIBILITY_UNSPECIFIED && v1::Visibility_IsValid(visibility), field,
          "must be PUBLIC, UNLISTED, FOLLOWERS or PRIVATE");
}

// --- Page tokens ---

absl::Status MalformedToken() { return absl::InvalidArgumentError("page_token: malformed"); }

// The one UUID field of a token under `tag`; empty for no token.
absl::StatusOr<std::string> DecodeIdToken(const std::string& token, absl::string_view tag) {
  if (token.empty()) return std::string();
  std::optional<std::vector<std::string>> fields = kit::DecodeTokenFields(token, tag, 1, kit::kMaxPageTokenBytes);
  if (!fields || !base::IsCanonicalUuid((*fields)[0])) return MalformedToken();
  return std::move((*fields)[0]);
}

absl::string_view ListingName(GraphListingKind kind) {
  switch (kind) {
    case GraphListingKind::kDescendants: return "descendants";
    case GraphListingKind::kVariants:
    case GraphListingKind::kVariantForks:
    case GraphListingKind::kVariantSiblings: return "variants";
    case GraphListingKind::kCanvas: return "canvas";
  }
  return "listing";
}

// Where a graph listing resumes; nullopt for no token. The token names its
// listing: kind, clip and order (a cursor's key means something else in
// another order, and its clip is a place in one clip's listing only).
absl::StatusOr<std::optional<GraphCursor>> DecodeGraphToken(const std::string& token, GraphListingKind kind,
                                                             const std::string& clip_id, v1::DescendantOrder order) {
  if (token.empty()) return std::optional<GraphCursor>();
  const std::optional<std::vector<std::string>> fields =
      kit::DecodeTokenFields(token, "g2", 5, kit::kMaxPageTokenBytes);
  int token_kind = 0;
  int token_order = 0;
  GraphCursor cursor;
  if (!fields || !absl::SimpleAtoi((*fields)[0], &token_kind) || !base::IsCanonicalUuid((*fields)[1]) ||
      !absl::SimpleAtoi((*fields)[2], &token_order) || !absl::SimpleAtoi((*fields)[3], &cursor.key) ||
      !base::IsCanonicalUuid((*fields)[4])) {
    return MalformedToken();
  }
  if (token_kind != static_cast<int>(kind) || (*fields)[1] != clip_id) {
    return absl::InvalidArgumentError(absl::StrCat("page_token: not from this clip's ", ListingName(kind)));
  }
  if (token_order != order) return absl::InvalidArgumentError("page_token: not from a listing in this order");
  cursor.clip_id = (*fields)[4];
  return std::optional<GraphCursor>(std::move(cursor));
}

void CheckMaxDepth(base::FieldValidator& v, int32_t max_depth) {
  v.IntRange("max_depth", max_depth, 0, kMaxGraphDepth);
}

void CheckOrder(base::FieldValidator& v, v1::DescendantOrder order) {
  v.Check(v1::DescendantOrder_IsValid(order), "order", "unknown value");
}

}  // namespace

absl::Status ValidateClipId(const std::string& field, const std::string& clip_id) {
  base::FieldValidator v;
  v.Uuid(field, clip_id);
  return v.status();
}

absl::StatusOr<NewClip> ParsePublishClip(const v1::PublishClipRequest& request) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id()).Uuid("job_id", request.job_id());
  CheckTitle(v, "title", request.title());
  CheckCaption(v, "caption", request.caption());
  std::vector<std::string> tags = NormalizeTags(v, "tags", request.tags());
  CheckLanguage(v, "language", request.language());
  const v1::Visibility visibility =
      request.visibility() == v1::VISIBILITY_UNSPECIFIED ? v1::VISIBILITY_PUBLIC : request.visibility();
  CheckVisibility(v, "visibility", visibility);
  CF_RETURN_IF_ERROR(v.status());
  return NewClip{.job_id = request.job_id(),
                 .title = request.title(),
                 .caption = request.caption(),
                 .tags = std::move(tags),
                 .language = request.language(),
                 .visibility = visibility,
                 .forking_allowed = !request.has_forking_allowed() || request.forking_allowed()};
}

absl::StatusOr<ClipChanges> ParseUpdateClip(const v1::UpdateClipRequest& request) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id()).Uuid("clip.clip_id", request.clip().clip_id());
  v.Check(!request.update_mask().paths().empty(), "update_mask", "name at least one field");
  CF_RETURN_IF_ERROR(v.status());
  const v1::Clip& clip = request.clip();
  ClipChanges changes;
  for (const std::string& path : request.update_mask().paths()) {
    if (std::find(changes.paths.begin(), changes.paths.end(), path) != changes.paths.end()) continue;
    if (path == "title") {
      CheckTitle(v, "clip.title", clip.title());
      changes.title = clip.title();
    } else if (path == "caption") {
      CheckCaption(v, "clip.caption", clip.caption());
      changes.caption = clip.caption();
    } else if (path == "tags") {
      changes.tags = NormalizeTags(v, "clip.tags", clip.tags());
    } else if (path == "language") {
      CheckLanguage(v, "clip.language", clip.language());
      changes.language = clip.language();
    } else if (path == "visibility") {
      CheckVisibility(v, "clip.visibility", clip.visibility());
      changes.visibility = clip.visibility();
    } else if (path == "forking_allowed") {
      changes.forking_allowed = clip.forking_allowed();
    } else {
      // Cut and escaped: the path is the client's text, echoed back.
      return absl::InvalidArgumentError(
          absl::StrCat("update_mask: unknown path '", absl::CHexEscape(absl::string_view(path).substr(0, 64)), "'"));
    }
    changes.paths.push_back(path);
  }
  CF_RETURN_IF_ERROR(v.status());
  return changes;
}

absl::StatusOr<ViewReport> ParseRecordView(const v1::RecordViewRequest& request) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id()).Uuid("clip_id", request.clip_id());
  // Checked on the raw fields: converting an absurd Duration would overflow.
  const google::protobuf::Duration& watched = request.watch_duration();
  if (!request.has_watch_duration()) {
    v.Check(false, "watch_duration", "is required");
  } else {
    const bool in_range = watched.seconds() >= 0 && watched.nanos() >= 0 && watched.nanos() < 1'000'000'000 &&
                          (watched.seconds() < kMaxWatchSeconds ||
                           (watched.seconds() == kMaxWatchSeconds && watched.nanos() == 0));
    v.Check(in_range, "watch_duration", "must be 0 to 1 hour");
  }
  v.Text("feed_context", request.feed_context(), {.max_chars = kMaxFeedContextChars});
  CF_RETURN_IF_ERROR(v.status());
  return ViewReport{.clip_id = request.clip_id(),
                    .watched = absl::Seconds(watched.seconds()) + absl::Nanoseconds(watched.nanos()),
                    .completed = request.completed()};
}

absl::StatusOr<ClipListing> ParseListClips(const v1::ListClipsRequest& request) {
  base::FieldValidator v;
  v.Uuid("author_id", request.author_id());
  ClipListing listing;
  listing.page_size = v.PageSize("page_size", request.page_size(), 20, 100);
  CF_RETURN_IF_ERROR(v.status());
  CF_ASSIGN_OR_RETURN(listing.after_clip_id, DecodeIdToken(request.page_token(), "c1"));
  return listing;
}

std::string ClipPageToken(const std::string& after_clip_id) {
  return kit::EncodeTokenFields("c1", {after_clip_id});
}

absl::StatusOr<LineageListing> ParseGetLineage(const v1::GetLineageRequest& request) {
  base::FieldValidator v;
  v.Uuid("clip_id", request.clip_id());
  LineageListing listing;
  listing.page_size = v.PageSize("page_size", request.page_size(), 50, 100);
  CF_RETURN_IF_ERROR(v.status());
  // The logic checks that the start is one of the clip's ancestors.
  CF_ASSIGN_OR_RETURN(listing.start, DecodeIdToken(request.page_token(), "l1"));
  return listing;
}

std::string LineagePageToken(const std::string& start) { return kit::EncodeTokenFields("l1", {start}); }

absl::StatusOr<GraphListing> ParseListDescendants(const v1::ListDescendantsRequest& request) {
  base::FieldValidator v;
  v.Uuid("clip_id", request.clip_id());
  CheckMaxDepth(v, request.max_depth());
  CheckOrder(v, request.order());
  GraphListing listing;
  listing.page_size = v.PageSize("page_size", request.page_size(), 20, 100);
  CF_RETURN_IF_ERROR(v.status());
  listing.max_levels = request.max_depth();
  listing.order =
      request.order() == v1::DESCENDANT_ORDER_UNSPECIFIED ? v1::DESCENDANT_ORDER_BREADTH_FIRST : request.order();
  CF_ASSIGN_OR_RETURN(listing.after, DecodeGraphToken(request.page_token(), GraphListingKind::kDescendants,
                                                      request.clip_id(), listing.order));
  return listing;
}

absl::StatusOr<GraphListing> ParseListVariants(const v1::ListVariantsRequest& request) {
  base::FieldValidator v;
  v.Uuid("clip_id", request.clip_id());
  CheckOrder(v, request.order());
  v.Check(v1::VariantRelation_IsValid(request.relation()), "relation", "unknown value");
  GraphListing listing;
  listing.page_size = v.PageSize("page_size", request.page_size(), 20, 50);
  CF_RETURN_IF_ERROR(v.status());
  listing.max_levels = 1;
  // Among direct forks (one depth) breadth first is newest first; one
  // order, so that either gives the same token.
  const bool newest = request.order() == v1::DESCENDANT_ORDER_UNSPECIFIED ||
                      request.order() == v1::DESCENDANT_ORDER_BREADTH_FIRST;
  listing.order = newest ? v1::DESCENDANT_ORDER_NEWEST : request.order();
  listing.relation = request.relation();
  CF_ASSIGN_OR_RETURN(listing.after, DecodeGraphToken(request.page_token(), VariantsListing(listing.relation),
                                                      request.clip_id(), listing.order));
  return listing;
}

absl::StatusOr<GraphListing> ParseGetCanvas(const v1::GetCanvasRequest& request) {
  base::FieldValidator v;
  v.Uuid("clip_id", request.clip_id());
  CheckMaxDepth(v, request.max_depth());
  GraphListing listing;
  listing.page_size = v.PageSize("page_size", request.page_size(), 100, 500);
  CF_RETURN_IF_ERROR(v.status());
  listing.max_levels = request.max_depth();
  // Always breadth first: a parent comes before its children.
  listing.order = v1::DESCENDANT_ORDER_BREADTH_FIRST;
  CF_ASSIGN_OR_RETURN(listing.after, DecodeGraphToken(request.page_token(), GraphListingKind::kCanvas,
                                                      request.clip_id(), listing.order));
  return listing;
}

GraphListingKind VariantsListing(v1::VariantRelation relation) {
  switch (relation) {
    case v1::VARIANT_RELATION_FORKS: return GraphListingKind::kVariantForks;
    case v1::VARIANT_RELATION_SIBLINGS: return GraphListingKind::kVariantSiblings;
    default: return GraphListingKind::kVariants;
  }
}

std::string GraphPageToken(GraphListingKind kind, const std::string& clip_id, v1::DescendantOrder order,
                           const GraphCursor& next) {
  return kit::EncodeTokenFields("g2", {absl::StrCat(static_cast<int>(kind)), clip_id,
                                       absl::StrCat(static_cast<int>(order)), absl::StrCat(next.key), next.clip_id});
}

absl::Status ValidateForkClip(const v1::ForkClipRequest& request) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id()).Uuid("clip_id", request.clip_id());
  v.Check(!request.spec().prompt().empty(), "spec.prompt", "required: the parent's prompt, edited");
  return v.status();
}

absl::StatusOr<NewComment> ParseCreateComment(const v1::CreateCommentRequest& request) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id()).Uuid("clip_id", request.clip_id());
  v.Text("text", request.text(), base::TextRule{.min_chars = 1, .max_chars = 500});
  if (!request.parent_comment_id().empty()) v.Uuid("parent_comment_id", request.parent_comment_id());
  CF_RETURN_IF_ERROR(v.status());
  return NewComment{
      .clip_id = request.clip_id(), .text = request.text(), .parent_comment_id = request.parent_comment_id()};
}

absl::StatusOr<CommentListing> ParseListComments(const v1::ListCommentsRequest& request) {
  base::FieldValidator v;
  v.Uuid("clip_id", request.clip_id());
  if (!request.parent_comment_id().empty()) v.Uuid("parent_comment_id", request.parent_comment_id());
  CommentListing listing{.parent_comment_id = request.parent_comment_id()};
  listing.page_size = v.PageSize("page_size", request.page_size(), 20, 100);
  CF_RETURN_IF_ERROR(v.status());
  CF_ASSIGN_OR_RETURN(listing.after_comment_id, DecodeIdToken(request.page_token(), "m1"));
  return listing;
}

std::string CommentPageToken(const std::string& after_comment_id) {
  return kit::EncodeTokenFields("m1", {after_comment_id});
}

}  // namespace clipforge::clips_service
