// Who may reach which moderation RPCs: admins manage rules, policies and
// the audit log; moderators (or admins) work the review queue.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/kit/caller.h"

namespace clipforge::moderation_service {

// PERMISSION_DENIED unless the caller's token carries the admin role.
absl::Status RequireAdmin(const kit::Caller& caller, absl::string_view what);

// PERMISSION_DENIED unless the caller is a moderator or an admin.
absl::Status RequireModerator(const kit::Caller& caller, absl::string_view what);

// Moderators and admins.
bool IsModerator(const kit::Caller& caller);

}  // namespace clipforge::moderation_service
