// Comments on clips: create (one level of replies; the text passes the
// moderation filter), list (top-level newest first, replies oldest first,
// without the authors the viewer blocks or mutes) and delete (by the
// comment's author, the clip's author or a moderator; a comment with
// replies stays as a tombstone). Every read and write needs the clip to be
// visible to the caller.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "base/uuid.h"
#include "services/clips/events.h"
#include "services/clips/records.h"
#include "services/clips/store_interface.h"
#include "services/clips/text_filter.h"
#include "services/kit/caller.h"
#include "services/kit/idempotency.h"

namespace clipforge::clips_service {

struct NewComment {
  std::string clip_id;
  std::string text;
  std::string parent_comment_id;  // Empty: a top-level comment.
};

// A comment as a viewer sees it.
struct CommentView {
  CommentRecord comment;
  std::optional<UserRecord> author;  // Unset for a tombstone or a deleted account.
};

struct CommentPage {
  std::vector<CommentView> comments;
  std::string next_after;  // Empty on the last page.
};

class CommentLogic {
 public:
  CommentLogic(ClipsStore& store, const base::Clock& clock, base::UuidV7Generator& ids, const ClipsEvents& events,
               TextFilter& filter)
      : store_(store), clock_(clock), ids_(ids), events_(events), filter_(filter) {}

  // NOT_FOUND when the caller may not see the clip (or the parent comment
  // is not on it); INVALID_ARGUMENT for a reply to a reply;
  // FAILED_PRECONDITION "TEXT_BLOCKED" naming the categories.
  absl::StatusOr<CommentView> Create(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                     const NewComment& comment);
  absl::StatusOr<CommentPage> List(const kit::Caller& caller, const std::string& clip_id,
                                   const std::string& parent_comment_id, const std::string& after_comment_id,
                                   int limit);
  // By the comment's author, the clip's author, a moderator or an admin;
  // anyone else: PERMISSION_DENIED (NOT_FOUND when they may not see the
  // clip). Deleting a tombstone is OK; a comment removed for good is
  // NOT_FOUND (a retry with the same request id replays OK).
  absl::Status Delete(const kit::Caller& caller, const kit::IdempotencyKey& key, const std::string& comment_id);

 private:
  ClipsStore& store_;
  const base::Clock& clock_;
  base::UuidV7Generator& ids_;
  const ClipsEvents& events_;
  TextFilter& filter_;
};

// OK unless the filter blocks `text` (FAILED_PRECONDITION "TEXT_BLOCKED"
// naming `field` and the categories); empty text passes. Shared by
// comments, titles and captions.
absl::Status CheckText(TextFilter& filter, const std::string& field, const std::string& text,
                       v1::TextSurface surface);

// Removes `comment` (locked) in the caller's transaction: a top-level
// comment with replies becomes a tombstone, anything else goes; the clip's
// comment count and a reply's parent's reply count go down by one, and a
// tombstone whose last reply goes, goes too. Shared
// by DeleteComment and account deletion.
void RemoveComment(ClipsTx& tx, const CommentRecord& comment);

}  // namespace clipforge::clips_service
