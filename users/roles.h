// Granting and revoking roles: who may, and the last admin rule.
#pragma once

#include "absl/status/statusor.h"
#include "base/role.h"

namespace clipforge::users {

// The roles after granting (or revoking) `role` on an account holding
// `current`. ROLE_USER cannot change; the last admin keeps the admin role
// (`only_admin`: the target is the one admin left). Errors name the field.
absl::StatusOr<base::RoleSet> ChangeRoles(base::RoleSet current, base::Role role, bool grant, bool only_admin);

}  // namespace clipforge::users
