#include "remix/clip_access.h"

#include "absl/strings/str_cat.h"
#include "base/error_reason.h"

namespace clipforge::remix {

bool CanSee(const ClipAccess& clip, const Viewer& viewer) {
  if (viewer.is_admin) return true;
  if (clip.removed) return false;
  const bool is_author = !viewer.user_id.empty() && viewer.user_id == clip.author_id;
  if (is_author) return true;
  if (viewer.blocked_by_author) return false;
  switch (clip.visibility) {
    case Visibility::kPublic: return true;
    case Visibility::kFollowers: return viewer.follows_author;
    case Visibility::kPrivate: return false;
  }
  return false;
}

absl::Status CheckFork(const ClipAccess& clip, const Viewer& viewer, const std::string& field) {
  // Admins see removed clips to review them; nobody forks one.
  if (!CanSee(clip, viewer) || clip.removed) {
    return absl::NotFoundError(absl::StrCat(field, ": no clip ", clip.clip_id));
  }
  const bool is_author = !viewer.user_id.empty() && viewer.user_id == clip.author_id;
  if (!clip.forking_allowed && !is_author) {
    return base::WithReason(
        absl::FailedPreconditionError(absl::StrCat(field, ": the author does not allow forks of this clip")),
        "FORKING_DISABLED");
  }
  return absl::OkStatus();
}

}  // namespace clipforge::remix
