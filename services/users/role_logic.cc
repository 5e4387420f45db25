#include "services/users/role_logic.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/users/result_codecs.h"
#include "users/roles.h"

namespace clipforge::users {

absl::StatusOr<RolesView> RoleLogic::Change(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                            const std::string& user_id, base::Role role, bool grant,
                                            const std::string& reason) {
  RolesView result;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](UsersTx& tx) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireSession(tx, caller));
    const std::optional<Account> admin = tx.AccountById(caller.user_id);
    if (!caller.HasRole(base::Role::kAdmin) || !admin || !admin->roles.Has(base::Role::kAdmin)) {
      return absl::PermissionDeniedError("only an admin can change roles");
    }
    CF_ASSIGN_OR_RETURN(result, kit::RunIdempotent(tx, key, kRolesCodec, [&]() -> absl::StatusOr<RolesView> {
      std::optional<Account> target = tx.LockAccount(user_id);
      if (!target) return absl::NotFoundError("user_id: no such user");
      bool only_admin = false;
      if (!grant && role == base::Role::kAdmin) {
        const std::vector<std::string> admins = tx.LockAdmins();
        only_admin = admins.size() == 1 && admins[0] == user_id;
      }
      CF_ASSIGN_OR_RETURN(const base::RoleSet roles, ChangeRoles(target->roles, role, grant, only_admin));
      absl::Time update_time = target->roles_updated_at;
      if (roles != target->roles) {
        update_time = clock_.Now();
        tx.UpdateRoles(user_id, roles, update_time);
        CF_RETURN_IF_ERROR(tx.AppendEvent(events_.RolesChanged(user_id, role, grant, roles, reason, caller.user_id)));
      }
      return RolesView{user_id, roles, update_time};
    }));
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<bool> RoleLogic::MakeAdmin(const std::string& handle) {
  bool changed = false;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](UsersTx& tx) -> absl::Status {
    const std::optional<Account> found = tx.AccountByHandle(handle);
    if (!found) return absl::NotFoundError(absl::StrCat("no user with handle ", handle));
    const std::optional<Account> account = tx.LockAccount(found->user_id);
    if (!account) return absl::NotFoundError(absl::StrCat("no user with handle ", handle));
    changed = !account->roles.Has(base::Role::kAdmin);
    if (!changed) return absl::OkStatus();
    const base::RoleSet roles = account->roles.With(base::Role::kAdmin);
    tx.UpdateRoles(account->user_id, roles, clock_.Now());
    return tx.AppendEvent(events_.RolesChanged(account->user_id, base::Role::kAdmin, /*granted=*/true, roles,
                                               "clipforged admin make-admin", /*actor_id=*/""));
  }));
  return changed;
}

}  // namespace clipforge::users
