#include "services/moderation/access.h"

#include "absl/strings/str_cat.h"

namespace clipforge::moderation_service {

absl::Status RequireAdmin(const kit::Caller& caller, absl::string_view what) {
  if (caller.HasRole(base::Role::kAdmin)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("only an admin can ", what));
}

bool IsModerator(const kit::Caller& caller) {
  return caller.HasRole(base::Role::kModerator) || caller.HasRole(base::Role::kAdmin);
}

absl::Status RequireModerator(const kit::Caller& caller, absl::string_view what) {
  if (IsModerator(caller)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("only a moderator can ", what));
}

}  // namespace clipforge::moderation_service
