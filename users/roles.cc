#include "users/roles.h"

#include "base/error_reason.h"

namespace clipforge::users {

absl::StatusOr<base::RoleSet> ChangeRoles(base::RoleSet current, base::Role role, bool grant, bool only_admin) {
  if (role == base::Role::kUser) {
    return absl::InvalidArgumentError("role: must be ROLE_CREATOR, ROLE_BRAND, ROLE_MODERATOR or ROLE_ADMIN");
  }
  if (grant) return current.With(role);
  if (role == base::Role::kAdmin && current.Has(base::Role::kAdmin) && only_admin) {
    return base::WithReason(absl::FailedPreconditionError("user_id: LAST_ADMIN: the last admin keeps the role"), "LAST_ADMIN");
  }
  return current.Without(role);
}

}  // namespace clipforge::users
