#include "services/clips/visibility.h"

#include "absl/strings/str_cat.h"

namespace clipforge::clips_service {

remix::ClipAccess AccessOf(const ClipRecord& clip) {
  remix::Visibility visibility = remix::Visibility::kPublic;  // Public and unlisted: anyone with the id.
  if (clip.visibility == v1::VISIBILITY_FOLLOWERS) visibility = remix::Visibility::kFollowers;
  if (clip.visibility == v1::VISIBILITY_PRIVATE) visibility = remix::Visibility::kPrivate;
  return {.clip_id = clip.clip_id,
          .author_id = clip.author_id,
          .visibility = visibility,
          .forking_allowed = clip.forking_allowed,
          .removed = clip.removed()};
}

remix::Viewer ViewerOf(const kit::Caller& caller, const Relation& relation) {
  return {.user_id = caller.user_id,
          .is_admin = caller.HasRole(base::Role::kAdmin),
          .follows_author = relation.follows,
          .blocked_by_author = relation.blocked_by_author};
}

Relations::Relations(ClipsTx& tx, const kit::Caller& caller, const std::vector<ClipRecord>& clips) {
  std::vector<std::string> authors;
  for (const ClipRecord& clip : clips) {
    if (!clip.author_id.empty() && clip.author_id != caller.user_id) authors.push_back(clip.author_id);
  }
  if (!authors.empty() && !caller.user_id.empty()) relations_ = tx.RelationsOf(caller.user_id, authors);
}

const Relation& Relations::Of(const std::string& author_id) const {
  static const Relation kNone;
  auto it = relations_.find(author_id);
  return it == relations_.end() ? kNone : it->second;
}

bool CanSee(const kit::Caller& caller, const ClipRecord& clip, const Relation& relation) {
  return remix::CanSee(AccessOf(clip), ViewerOf(caller, relation));
}

bool Listed(const kit::Caller& caller, const ClipRecord& clip, const Relation& relation) {
  if (!CanSee(caller, clip, relation)) return false;
  return clip.visibility != v1::VISIBILITY_UNLISTED || clip.author_id == caller.user_id;
}

absl::StatusOr<ClipRecord> GetVisibleClip(ClipsTx& tx, const kit::Caller& caller, const std::string& clip_id,
                                          const std::string& field) {
  std::optional<ClipRecord> clip = tx.GetClip(clip_id);
  if (clip) {
    const Relations relations(tx, caller, {*clip});
    if (CanSee(caller, *clip, relations.Of(clip->author_id))) return *std::move(clip);
  }
  return absl::NotFoundError(absl::StrCat(field, ": no clip ", clip_id));
}

}  // namespace clipforge::clips_service
