// Validation of ClipsService requests: each parser checks every field
// (INVALID_ARGUMENT naming it) and returns what the logic takes.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "clipforge/v1/clips.pb.h"
#include "services/clips/clip_logic.h"
#include "services/clips/comment_logic.h"
#include "services/clips/store_interface.h"

namespace clipforge::clips_service {

absl::StatusOr<NewClip> ParsePublishClip(const v1::PublishClipRequest& request);
absl::StatusOr<ClipChanges> ParseUpdateClip(const v1::UpdateClipRequest& request);
absl::StatusOr<ViewReport> ParseRecordView(const v1::RecordViewRequest& request);

// A listing's page: its size and where it resumes.
struct ClipListing {
  int page_size = 20;
  std::string after_clip_id;
};
absl::StatusOr<ClipListing> ParseListClips(const v1::ListClipsRequest& request);
std::string ClipPageToken(const std::string& after_clip_id);

struct LineageListing {
  int page_size = 50;
  std::string start;  // The first ancestor of the page; empty: the parent.
};
absl::StatusOr<LineageListing> ParseGetLineage(const v1::GetLineageRequest& request);
std::string LineagePageToken(const std::string& start);

struct GraphListing {
  int32_t max_levels = 0;  // 0: every level.
  v1::DescendantOrder order = v1::DESCENDANT_ORDER_BREADTH_FIRST;
  int page_size = 20;
  std::optional<GraphCursor> after;
  v1::VariantRelation relation = v1::VARIANT_RELATION_UNSPECIFIED;  // ListVariants only.
};
absl::StatusOr<GraphListing> ParseListDescendants(const v1::ListDescendantsRequest& request);
absl::StatusOr<GraphListing> ParseListVariants(const v1::ListVariantsRequest& request);
absl::StatusOr<GraphListing> ParseGetCanvas(const v1::GetCanvasRequest& request);
// Which listing a graph page token resumes. A token names its listing
// (kind, clip and order), and one used for another listing is
// INVALID_ARGUMENT: the cursor's key means something else there.
enum class GraphListingKind {
  kDescendants = 1,
  kVariants = 2,  // forks, then siblings
  kCanvas = 3,
  kVariantForks = 4,
  kVariantSiblings = 5,
};
// The variants listing of `relation`: a token of one relation does not
// resume another's (its cursor would name a clip of the other list).
GraphListingKind VariantsListing(v1::VariantRelation relation);
std::string GraphPageToken(GraphListingKind kind, const std::string& clip_id, v1::DescendantOrder order,
                           const GraphCursor& next);

absl::StatusOr<NewComment> ParseCreateComment(const v1::CreateCommentRequest& request);

struct CommentListing {
  std::string parent_comment_id;
  int page_size = 20;
  std::string after_comment_id;
};
absl::StatusOr<CommentListing> ParseListComments(const v1::ListCommentsRequest& request);
std::string CommentPageToken(const std::string& after_comment_id);

// ForkClip's own fields (the spec's are generation's to check, as in
// CreateJob): request_id, clip_id, and a spec with a prompt.
absl::Status ValidateForkClip(const v1::ForkClipRequest& request);

// A clip id field (`field` names it): a canonical UUID.
absl::Status ValidateClipId(const std::string& field, const std::string& clip_id);

}  // namespace clipforge::clips_service
