#include "services/clips/comment_logic.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "base/error_reason.h"
#include "base/status_macros.h"
#include "services/clips/clip_logic.h"
#include "services/clips/visibility.h"

namespace clipforge::clips_service {
namespace {

absl::Status CommentNotFound(const std::string& field, const std::string& comment_id) {
  return absl::NotFoundError(absl::StrCat(field, ": no comment ", comment_id));
}

std::vector<CommentView> ViewsOf(ClipsTx& tx, std::vector<CommentRecord> comments) {
  std::vector<std::string> authors;
  for (const CommentRecord& comment : comments) authors.push_back(comment.author_id);
  const std::map<std::string, UserRecord> users = ReadAuthors(tx, authors);
  std::vector<CommentView> views;
  views.reserve(comments.size());
  for (CommentRecord& comment : comments) {
    CommentView view{.comment = std::move(comment)};
    view.author = AuthorOf(view.comment.author_id, users);
    views.push_back(std::move(view));
  }
  return views;
}

}  // namespace

absl::Status CheckText(TextFilter& filter, const std::string& field, const std::string& text,
                       v1::TextSurface surface) {
  if (text.empty()) return absl::OkStatus();
  CF_ASSIGN_OR_RETURN(const TextVerdict verdict, filter.Check(text, surface));
  if (!verdict.blocked) return absl::OkStatus();
  std::string categories;
  for (v1::ModerationCategory category : verdict.categories) {
    absl::StrAppend(&categories, categories.empty() ? "" : ", ", v1::ModerationCategory_Name(category));
  }
  return base::WithReason(absl::FailedPreconditionError(absl::StrCat(
                              field, ": blocked by the content policy",
                              categories.empty() ? "" : absl::StrCat(" (", categories, ")"))),
                          "TEXT_BLOCKED");
}

void RemoveComment(ClipsTx& tx, const CommentRecord& comment) {
  if (comment.deleted) return;  // A tombstone was counted out already.
  if (comment.parent_comment_id.empty() && comment.reply_count > 0) {
    tx.TombstoneComment(comment.comment_id);
  } else {
    tx.DeleteComment(comment.comment_id);
    if (!comment.parent_comment_id.empty()) {
      tx.AdjustReplyCount(comment.parent_comment_id, -1);
      // A tombstone stays only for its replies: with the last one gone, so
      // is it.
      std::optional<CommentRecord> parent = tx.LockComment(comment.parent_comment_id);
      if (parent && parent->deleted && parent->reply_count == 0) tx.DeleteComment(parent->comment_id);
    }
  }
  tx.AdjustCounts(comment.clip_id, {.comments = -1});
}

absl::StatusOr<CommentView> CommentLogic::Create(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                                 const NewComment& input) {
  // Outside the transaction: the filter is another service's call.
  CF_RETURN_IF_ERROR(CheckText(filter_, "text", input.text, v1::TEXT_SURFACE_COMMENT));
  std::optional<CommentView> view;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](ClipsTx& tx) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const std::string comment_id,
                        kit::RunIdempotent(tx, key, kit::kTextCodec, [&]() -> absl::StatusOr<std::string> {
                          CF_ASSIGN_OR_RETURN(const ClipRecord clip,
                                              GetVisibleClip(tx, caller, input.clip_id, "clip_id"));
                          if (!input.parent_comment_id.empty()) {
                            std::optional<CommentRecord> parent = tx.LockComment(input.parent_comment_id);
                            if (!parent || parent->clip_id != clip.clip_id) {
                              return CommentNotFound("parent_comment_id", input.parent_comment_id);
                            }
                            if (!parent->parent_comment_id.empty()) {
                              return absl::InvalidArgumentError(
                                  "parent_comment_id: replies go one level deep; answer the top-level comment");
                            }
                            if (parent->deleted) {
                              return absl::FailedPreconditionError(
                                  "parent_comment_id: the comment was deleted");
                            }
                            tx.AdjustReplyCount(parent->comment_id, 1);
                          }
                          const CommentRecord comment{.comment_id = ids_.Next(),
                                                      .clip_id = clip.clip_id,
                                                      .author_id = caller.user_id,
                                                      .parent_comment_id = input.parent_comment_id,
                                                      .text = input.text,
                                                      .create_time = clock_.Now()};
                          tx.InsertComment(comment);
                          const int64_t count = tx.AdjustCounts(clip.clip_id, {.comments = 1}).comments;
                          CF_RETURN_IF_ERROR(tx.AppendEvent(events_.Commented(clip, comment, count)));
                          return comment.comment_id;
                        }));
    std::optional<CommentRecord> comment = tx.GetComment(comment_id);
    if (!comment) return CommentNotFound("comment_id", comment_id);
    std::vector<CommentRecord> one;
    one.push_back(*std::move(comment));
    view = std::move(ViewsOf(tx, std::move(one)).front());
    return absl::OkStatus();
  }));
  return *std::move(view);
}

absl::StatusOr<CommentPage> CommentLogic::List(const kit::Caller& caller, const std::string& clip_id,
                                               const std::string& parent_comment_id,
                                               const std::string& after_comment_id, int limit) {
  CommentPage page;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](ClipsTx& tx) -> absl::Status {
    page = CommentPage{};
    CF_ASSIGN_OR_RETURN(const ClipRecord clip, GetVisibleClip(tx, caller, clip_id, "clip_id"));
    if (!parent_comment_id.empty()) {
      std::optional<CommentRecord> parent = tx.GetComment(parent_comment_id);
      if (!parent || parent->clip_id != clip.clip_id) return CommentNotFound("parent_comment_id", parent_comment_id);
    }
    std::vector<CommentRecord> comments =
        tx.ListComments(clip.clip_id, parent_comment_id, caller.user_id, after_comment_id, limit + 1);
    if (static_cast<int>(comments.size()) > limit) {
      comments.pop_back();
      page.next_after = comments.back().comment_id;
    }
    page.comments = ViewsOf(tx, std::move(comments));
    return absl::OkStatus();
  }));
  return page;
}

absl::Status CommentLogic::Delete(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                  const std::string& comment_id) {
  return store_.Transact(TxMode::kReadWrite, [&](ClipsTx& tx) -> absl::Status {
    return kit::RunIdempotent(tx, key, kit::kTextCodec, [&]() -> absl::StatusOr<std::string> {
             std::optional<CommentRecord> comment = tx.LockComment(comment_id);
             if (!comment) return CommentNotFound("comment_id", comment_id);
             CF_ASSIGN_OR_RETURN(const ClipRecord clip, GetVisibleClip(tx, caller, comment->clip_id, "comment_id"));
             if (comment->deleted) return comment->comment_id;
             const bool allowed = comment->author_id == caller.user_id || clip.author_id == caller.user_id ||
                                  caller.HasRole(base::Role::kModerator) || caller.HasRole(base::Role::kAdmin);
             if (!allowed) {
               return absl::PermissionDeniedError(
                   "comment_id: only its author, the clip's author or a moderator may delete a comment");
             }
             RemoveComment(tx, *comment);
             return comment->comment_id;
           })
        .status();
  });
}

}  // namespace clipforge::clips_service
