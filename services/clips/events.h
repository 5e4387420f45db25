// Every event the clips service emits, built in one place: the logic
// appends what these return to the outbox, in the transaction of the
// change they describe.
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "clipforge/v1/events.pb.h"
#include "services/clips/records.h"
#include "services/kit/event_factory.h"

namespace clipforge::clips_service {

inline constexpr char kPublishedSubject[] = "clipforge.clip.published";
inline constexpr char kUpdatedSubject[] = "clipforge.clip.updated";
inline constexpr char kRemovedSubject[] = "clipforge.clip.removed";
inline constexpr char kLikedSubject[] = "clipforge.clip.liked";
inline constexpr char kUnlikedSubject[] = "clipforge.clip.unliked";
inline constexpr char kViewedSubject[] = "clipforge.clip.viewed";
inline constexpr char kForkedSubject[] = "clipforge.clip.forked";
inline constexpr char kCommentedSubject[] = "clipforge.clip.commented";

class ClipsEvents {
 public:
  // `factory` stamps ids and times; not owned.
  explicit ClipsEvents(const kit::EventFactory& factory) : factory_(factory) {}

  // `parent_author_id`: the parent's author (empty for an original or an
  // anonymous parent).
  v1::EventEnvelope Published(const ClipRecord& clip, const std::string& parent_author_id) const;
  // `paths`: the Clip fields that changed.
  v1::EventEnvelope Updated(const ClipRecord& clip, const std::vector<std::string>& paths) const;
  // `author_id`: the author before removal (an account deletion clears it
  // from the record); `decision_id` for a moderation removal.
  v1::EventEnvelope Removed(const ClipRecord& clip, const std::string& author_id,
                            const std::string& decision_id) const;
  v1::EventEnvelope Liked(const ClipRecord& clip, const std::string& user_id, int64_t like_count) const;
  v1::EventEnvelope Unliked(const ClipRecord& clip, const std::string& user_id, int64_t like_count) const;
  // `user_id` started job `job_id` remixing `parent`.
  v1::EventEnvelope Forked(const ClipRecord& parent, const std::string& job_id, const std::string& user_id) const;
  // `comment` was posted on `clip`, which has `comment_count` after it.
  v1::EventEnvelope Commented(const ClipRecord& clip, const CommentRecord& comment, int64_t comment_count) const;
  // `viewer_id`: only for viewers who opted into analytics, else empty.
  v1::EventEnvelope Viewed(const ClipRecord& clip, const std::string& viewer_id, absl::Duration watched,
                           bool completed, int64_t view_count) const;

 private:
  v1::EventEnvelope New(const char* subject, const ClipRecord& clip) const {
    return factory_.New(subject, "clip", clip.clip_id);
  }

  const kit::EventFactory& factory_;
};

}  // namespace clipforge::clips_service
