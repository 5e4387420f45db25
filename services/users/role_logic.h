// Roles: admins grant and revoke them; an operator makes the first admin.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "base/role.h"
#include "services/kit/caller.h"
#include "services/kit/idempotency.h"
#include "services/users/events.h"
#include "services/users/logic_support.h"
#include "services/users/store_interface.h"

namespace clipforge::users {

class RoleLogic {
 public:
  RoleLogic(UsersStore& store, const base::Clock& clock, const UserEvents& events)
      : store_(store), clock_(clock), events_(events) {}

  // Grants (or revokes) `role` on `user_id`; the caller must be an admin,
  // by token and by the store (the token's roles may be 15 minutes old).
  // Idempotent under `key`; emits roles_changed when the roles changed.
  absl::StatusOr<RolesView> Change(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                   const std::string& user_id, base::Role role, bool grant, const std::string& reason);

  // `clipforged admin make-admin`: makes the user with `handle`
  // (normalized) an admin. Returns whether anything changed.
  absl::StatusOr<bool> MakeAdmin(const std::string& handle);

 private:
  UsersStore& store_;
  const base::Clock& clock_;
  const UserEvents& events_;
};

}  // namespace clipforge::users
