// comment, comments, delete-comment: a clip's comments and their replies
// (ClipsService's CreateComment, ListComments and DeleteComment). Printing
// is clip_views' (CommentRecord, CommentLine).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/validation.h"
#include "cli/clip_views.h"
#include "cli/commands.h"
#include "cli/errors.h"

namespace clipforge::cli {
namespace {

using Clips = v1::ClipsService::StubInterface;

// Comment's limits in clips.proto, checked before any call.
constexpr size_t kMaxCommentChars = 500;
constexpr int32_t kMaxCommentPage = 100;

// CLIP_ID as given: an empty one is a usage error, not a call.
absl::StatusOr<std::string> ClipIdOperand(const Invocation& inv) {
  std::string clip_id = inv.Operand(0);
  if (clip_id.empty()) return UsageError("CLIP_ID must not be empty");
  return clip_id;
}

// A comment id as the server takes it, a UUID: `comments` shows only an
// id's last 8 characters, and those are refused here rather than sent.
absl::Status CheckCommentId(absl::string_view what, absl::string_view id) {
  if (base::IsCanonicalUuid(id)) return absl::OkStatus();
  return UsageError(absl::StrCat(what, " takes a comment's full id, a UUID (`clipforge --json comments CLIP_ID` ",
                                 "prints them), not '", id, "'"));
}

// The value of --flag, a comment id, when given; "" when not.
absl::StatusOr<std::string> CommentIdFlag(const Invocation& inv, absl::string_view flag) {
  std::optional<std::string> id = inv.Get(flag);
  if (!id) return std::string();
  CF_RETURN_IF_ERROR(CheckCommentId(absl::StrCat("--", flag), *id));
  return *std::move(id);
}

}  // namespace

absl::Status RunComment(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::CreateCommentRequest request;
  CF_ASSIGN_OR_RETURN(*request.mutable_clip_id(), ClipIdOperand(inv));
  request.set_text(inv.Operand(1));
  base::FieldValidator v;
  v.Text("text", request.text(), {.min_chars = 1, .max_chars = kMaxCommentChars});
  if (!v.ok()) return UsageError(absl::StrCat("invalid input: ", v.status().message()));
  CF_ASSIGN_OR_RETURN(*request.mutable_parent_comment_id(), CommentIdFlag(inv, "reply-to"));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::Comment comment;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Clips::CreateComment, request, comment));
  ctx.out().Result(CommentRecord(comment));
  return absl::OkStatus();
}

absl::Status RunComments(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  CF_ASSIGN_OR_RETURN(const std::optional<int32_t> page_size, inv.IntFlag("page-size", 1, kMaxCommentPage));
  v1::ListCommentsRequest request;
  CF_ASSIGN_OR_RETURN(*request.mutable_clip_id(), ClipIdOperand(inv));
  CF_ASSIGN_OR_RETURN(*request.mutable_parent_comment_id(), CommentIdFlag(inv, "replies-to"));
  if (page_size) request.set_page_size(*page_size);
  request.set_page_token(inv.Get("page-token").value_or(""));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  std::vector<v1::Comment> comments;
  CF_ASSIGN_OR_RETURN(const std::string next,
                      FetchPages(ctx, *session, &Clips::ListComments, request, [&](const v1::ListCommentsResponse& r) {
                        comments.insert(comments.end(), r.comments().begin(), r.comments().end());
                      }));
  if (ctx.out().json()) {
    std::vector<Record> rows;
    for (const v1::Comment& comment : comments) rows.push_back(CommentRecord(comment));
    PrintPages(ctx, "comments", std::move(rows), next);
    return absl::OkStatus();
  }
  // Free text, not a table: a comment's text is its line's long tail.
  std::string text = comments.empty() ? "comments: none\n" : "";
  for (const v1::Comment& comment : comments) absl::StrAppend(&text, CommentLine(comment));
  ctx.out().Text(text);
  NoteNextPage(ctx, next);
  return absl::OkStatus();
}

absl::Status RunDeleteComment(CommandContext& ctx) {
  v1::DeleteCommentRequest request;
  request.set_comment_id(ctx.invocation().Operand(0));
  CF_RETURN_IF_ERROR(CheckCommentId("COMMENT_ID", request.comment_id()));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  google::protobuf::Empty empty;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Clips::DeleteComment, request, empty));
  Record record;
  record.Str("deleted", request.comment_id());
  ctx.out().Result(record);
  return absl::OkStatus();
}

}  // namespace clipforge::cli
