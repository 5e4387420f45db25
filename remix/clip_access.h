// Who may see and fork a clip: the rules every read of the clips service
// applies, as pure functions over what the store knows of the clip and of
// the viewer's relation to its author.
//
// A private clip is its author's alone; a followers-only clip is also its
// author's followers'; a public clip is everyone's; and a viewer the
// author blocked sees nothing of the author's, whatever the visibility. A
// removed clip is seen by nobody but admins (its place in the graph stays,
// marked removed). Admins see everything; they fork like anyone else.
#pragma once

#include <string>

#include "absl/status/status.h"

namespace clipforge::remix {

enum class Visibility { kPublic, kFollowers, kPrivate };

struct ClipAccess {
  std::string clip_id;
  std::string author_id;  // empty once the author's account is deleted
  Visibility visibility = Visibility::kPublic;
  bool forking_allowed = true;
  bool removed = false;
};

struct Viewer {
  std::string user_id;  // empty: nobody signed in
  bool is_admin = false;
  bool follows_author = false;
  bool blocked_by_author = false;
};

bool CanSee(const ClipAccess& clip, const Viewer& viewer);

// OK when `viewer` may fork `clip`. NOT_FOUND (naming `field`) when they
// cannot see it (an invisible clip and a missing one look the same);
// FAILED_PRECONDITION with reason "FORKING_DISABLED" when the author turned
// forking off (the author may still fork their own clip).
absl::Status CheckFork(const ClipAccess& clip, const Viewer& viewer, const std::string& field);

}  // namespace clipforge::remix
