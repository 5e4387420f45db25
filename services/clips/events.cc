#include "services/clips/events.h"

#include "services/kit/proto_time.h"

namespace clipforge::clips_service {

v1::EventEnvelope ClipsEvents::Published(const ClipRecord& clip, const std::string& parent_author_id) const {
  v1::EventEnvelope event = New(kPublishedSubject, clip);
  v1::ClipPublishedEvent* published = event.mutable_clip_published();
  published->set_clip_id(clip.clip_id);
  published->set_author_id(clip.author_id);
  published->set_job_id(clip.job_id);
  published->set_parent_clip_id(clip.parent_id);
  published->set_parent_author_id(parent_author_id);
  published->set_root_clip_id(clip.root_id);
  published->set_depth(clip.depth);
  published->set_prompt(clip.prompt());
  published->set_title(clip.title);
  for (const std::string& tag : clip.tags) published->add_tags(tag);
  published->set_language(clip.language);
  published->set_visibility(clip.visibility);
  published->set_forking_allowed(clip.forking_allowed);
  published->set_party_id(clip.party_id);
  *published->mutable_video() = clip.media.video();
  *published->mutable_thumbnail() = clip.media.thumbnail();
  *published->mutable_duration() = clip.media.duration();
  *published->mutable_frame_hashes() = clip.media.frame_hashes();
  return event;
}

v1::EventEnvelope ClipsEvents::Updated(const ClipRecord& clip, const std::vector<std::string>& paths) const {
  v1::EventEnvelope event = New(kUpdatedSubject, clip);
  v1::ClipUpdatedEvent* updated = event.mutable_clip_updated();
  updated->set_clip_id(clip.clip_id);
  updated->set_author_id(clip.author_id);
  for (const std::string& path : paths) updated->mutable_update_mask()->add_paths(path);
  updated->set_title(clip.title);
  for (const std::string& tag : clip.tags) updated->add_tags(tag);
  updated->set_language(clip.language);
  updated->set_visibility(clip.visibility);
  updated->set_forking_allowed(clip.forking_allowed);
  return event;
}

v1::EventEnvelope ClipsEvents::Removed(const ClipRecord& clip, const std::string& author_id,
                                       const std::string& decision_id) const {
  v1::EventEnvelope event = New(kRemovedSubject, clip);
  v1::ClipRemovedEvent* removed = event.mutable_clip_removed();
  removed->set_clip_id(clip.clip_id);
  removed->set_author_id(author_id);
  removed->set_reason(clip.removal_reason);
  removed->set_decision_id(decision_id);
  return event;
}

v1::EventEnvelope ClipsEvents::Liked(const ClipRecord& clip, const std::string& user_id, int64_t like_count) const {
  v1::EventEnvelope event = New(kLikedSubject, clip);
  v1::ClipLikedEvent* liked = event.mutable_clip_liked();
  liked->set_clip_id(clip.clip_id);
  liked->set_clip_author_id(clip.author_id);
  liked->set_user_id(user_id);
  liked->set_like_count(like_count);
  return event;
}

v1::EventEnvelope ClipsEvents::Unliked(const ClipRecord& clip, const std::string& user_id,
                                       int64_t like_count) const {
  v1::EventEnvelope event = New(kUnlikedSubject, clip);
  v1::ClipUnlikedEvent* unliked = event.mutable_clip_unliked();
  unliked->set_clip_id(clip.clip_id);
  unliked->set_clip_author_id(clip.author_id);
  unliked->set_user_id(user_id);
  unliked->set_like_count(like_count);
  return event;
}

v1::EventEnvelope ClipsEvents::Viewed(const ClipRecord& clip, const std::string& viewer_id, absl::Duration watched,
                                      bool completed, int64_t view_count) const {
  v1::EventEnvelope event = New(kViewedSubject, clip);
  v1::ClipViewedEvent* viewed = event.mutable_clip_viewed();
  viewed->set_clip_id(clip.clip_id);
  viewed->set_clip_author_id(clip.author_id);
  viewed->set_viewer_id(viewer_id);
  *viewed->mutable_watch_duration() = kit::ToDuration(watched);
  viewed->set_completed(completed);
  viewed->set_view_count(view_count);
  return event;
}

v1::EventEnvelope ClipsEvents::Forked(const ClipRecord& parent, const std::string& job_id,
                                      const std::string& user_id) const {
  v1::EventEnvelope event = New(kForkedSubject, parent);
  v1::ClipForkedEvent* forked = event.mutable_clip_forked();
  forked->set_parent_clip_id(parent.clip_id);
  forked->set_parent_author_id(parent.author_id);
  forked->set_job_id(job_id);
  forked->set_user_id(user_id);
  return event;
}

v1::EventEnvelope ClipsEvents::Commented(const ClipRecord& clip, const CommentRecord& comment,
                                         int64_t comment_count) const {
  v1::EventEnvelope event = New(kCommentedSubject, clip);
  v1::ClipCommentedEvent* commented = event.mutable_clip_commented();
  commented->set_clip_id(clip.clip_id);
  commented->set_clip_author_id(clip.author_id);
  commented->set_comment_id(comment.comment_id);
  commented->set_user_id(comment.author_id);
  commented->set_parent_comment_id(comment.parent_comment_id);
  commented->set_comment_count(comment_count);
  return event;
}

}  // namespace clipforge::clips_service
