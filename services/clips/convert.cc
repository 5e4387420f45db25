#include "services/clips/convert.h"

#include <string>
#include <utility>

#include "services/kit/media_url.h"
#include "services/kit/proto_time.h"

namespace clipforge::clips_service {
namespace {

// An author is shown while their account exists.
bool Shown(const std::optional<UserRecord>& user) { return user.has_value() && !user->deleted; }

void FillUser(const UserRecord& user, v1::UserSummary* out) {
  out->set_user_id(user.user_id);
  out->set_handle(user.handle);
  out->set_display_name(user.display_name);
}

void FillCounts(const ClipCounts& counts, v1::ClipCounts* out) {
  out->set_like_count(counts.likes);
  out->set_view_count(counts.views);
  out->set_comment_count(counts.comments);
  out->set_direct_fork_count(counts.direct_forks);
  out->set_descendant_count(counts.descendants);
}

void FillMedia(const v1::JobOutputs& media, const kit::MediaUrls& urls, absl::Time now, v1::ClipMedia* out) {
  // A URL field without a URL stays unset, not an empty message.
  if (auto url = SignedUrlFor(media.video(), urls, now)) *out->mutable_video_url() = *std::move(url);
  if (auto url = SignedUrlFor(media.thumbnail(), urls, now)) *out->mutable_thumbnail_url() = *std::move(url);
  if (auto url = SignedUrlFor(media.spritesheet(), urls, now)) *out->mutable_spritesheet_url() = *std::move(url);
  if (media.has_spritesheet_layout()) *out->mutable_spritesheet_layout() = media.spritesheet_layout();
  out->set_width(media.width());
  out->set_height(media.height());
  if (media.has_duration()) *out->mutable_duration() = media.duration();
}

}  // namespace

std::optional<v1::SignedUrl> SignedUrlFor(const v1::BlobRef& blob, const kit::MediaUrls& urls, absl::Time now) {
  if (urls.signer == nullptr || blob.sha256().empty()) return std::nullopt;
  absl::StatusOr<v1::SignedUrl> url = kit::SignBlobUrl(urls, blob, now + kMediaUrlTtl);
  // A stored reference the signer refuses loses its URL; the rest of the
  // response is still worth sending.
  if (!url.ok()) return std::nullopt;
  return *std::move(url);
}

void FillClip(const ClipView& view, const kit::MediaUrls& urls, absl::Time now, v1::Clip* out) {
  const ClipRecord& clip = view.clip;
  out->set_clip_id(clip.clip_id);
  out->set_parent_clip_id(clip.parent_id);
  out->set_root_clip_id(clip.root_id);
  out->set_depth(clip.depth);
  *out->mutable_create_time() = kit::ToTimestamp(clip.create_time);
  *out->mutable_update_time() = kit::ToTimestamp(clip.update_time);
  if (clip.removed()) {
    // A tombstone keeps the graph whole and says why; nothing of its
    // content or author is shown.
    out->set_removed(true);
    out->set_removal_reason(clip.removal_reason);
    return;
  }
  if (Shown(view.author)) FillUser(*view.author, out->mutable_author());
  out->set_job_id(clip.job_id);
  *out->mutable_generation() = clip.spec;
  out->set_title(clip.title);
  out->set_caption(clip.caption);
  for (const std::string& tag : clip.tags) out->add_tags(tag);
  out->set_language(clip.language);
  out->set_visibility(clip.visibility);
  out->set_forking_allowed(clip.forking_allowed);
  FillCounts(clip.counts, out->mutable_counts());
  FillMedia(clip.media, urls, now, out->mutable_media());
  if (clip.c2pa) {
    *out->mutable_c2pa() = *clip.c2pa;
  } else {
    // Published before the service read manifests: only whether there is one.
    out->mutable_c2pa()->set_present(!clip.media.provenance().sha256().empty());
  }
  out->set_liked_by_viewer(view.liked_by_viewer);
  out->set_party_id(clip.party_id);
}

void FillNode(const NodeView& node, const kit::MediaUrls& urls, absl::Time now, v1::ClipNode* out) {
  const ClipRecord& clip = node.clip;
  out->set_clip_id(clip.clip_id);
  out->set_parent_clip_id(clip.parent_id);
  out->set_root_clip_id(clip.root_id);
  out->set_depth(clip.depth);
  if (node.hidden) {
    out->set_hidden(true);
    return;
  }
  *out->mutable_create_time() = kit::ToTimestamp(clip.create_time);
  if (clip.removed()) {
    out->set_removed(true);
    return;
  }
  out->set_title(clip.title);
  if (Shown(node.author)) FillUser(*node.author, out->mutable_author());
  FillCounts(clip.counts, out->mutable_counts());
  if (auto url = SignedUrlFor(clip.media.thumbnail(), urls, now)) *out->mutable_thumbnail_url() = *std::move(url);
  if (node.with_prompt) out->set_prompt(clip.prompt());
  if (node.with_diff) *out->mutable_diff() = clip.diff;
}

void FillAttribution(const AttributionResult& result, const kit::MediaUrls& urls, absl::Time now,
                     v1::AttributionChain* out) {
  out->set_clip_id(result.clip_id);
  for (const AttributionView& entry : result.entries) {
    const NodeView& ancestor = entry.ancestor;
    v1::AttributionEntry* e = out->add_entries();
    e->set_clip_id(ancestor.clip.clip_id);
    e->set_depth(entry.depth);
    // A tombstone's author is still named: the tipping service decides
    // what its share does.
    if (!ancestor.hidden && Shown(ancestor.author)) FillUser(*ancestor.author, e->mutable_author());
    e->set_weight(entry.weight);
    e->set_removed(ancestor.clip.removed());
  }
  out->set_total_weight(result.total_weight);
}

void FillLikeState(const LikeState& state, v1::LikeStatus* out) {
  out->set_clip_id(state.clip_id);
  out->set_liked(state.liked);
  out->set_like_count(state.like_count);
}

void FillComment(const CommentView& view, v1::Comment* out) {
  const CommentRecord& comment = view.comment;
  out->set_comment_id(comment.comment_id);
  out->set_clip_id(comment.clip_id);
  out->set_parent_comment_id(comment.parent_comment_id);
  out->set_reply_count(comment.reply_count);
  out->set_deleted(comment.deleted);
  *out->mutable_create_time() = kit::ToTimestamp(comment.create_time);
  if (comment.deleted) return;
  out->set_text(comment.text);
  if (view.author) FillUser(*view.author, out->mutable_author());
}

}  // namespace clipforge::clips_service
