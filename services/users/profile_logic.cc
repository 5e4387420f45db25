#include "services/users/profile_logic.h"

#include "base/status_macros.h"
#include "services/users/result_codecs.h"

namespace clipforge::users {

absl::StatusOr<Account> ProfileLogic::GetMine(const kit::Caller& caller) {
  Account account;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](UsersTx& tx) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireSession(tx, caller));
    CF_ASSIGN_OR_RETURN(account, RequireAccount(tx, caller));
    return absl::OkStatus();
  }));
  return account;
}

absl::StatusOr<Account> ProfileLogic::Update(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                             const ProfileChange& change) {
  Account result;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](UsersTx& tx) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireSession(tx, caller));
    CF_ASSIGN_OR_RETURN(result, kit::RunIdempotent(tx, key, kAccountCodec, [&]() -> absl::StatusOr<Account> {
      CF_ASSIGN_OR_RETURN(Account account, RequireAccount(tx, caller, /*lock=*/true));
      ApplyProfileChange(change, account);
      const absl::Time now = clock_.Now();
      tx.UpdateProfile(account, now);
      account.updated_at = now;
      CF_RETURN_IF_ERROR(tx.AppendEvent(events_.ProfileUpdated(account, change)));
      return account;
    }));
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<PublicProfile> ProfileLogic::GetPublic(const std::optional<kit::Caller>& viewer,
                                                      const UserLookup& lookup) {
  PublicProfile profile;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](UsersTx& tx) -> absl::Status {
    std::optional<Account> account =
        lookup.user_id.empty() ? tx.AccountByHandle(lookup.handle) : tx.AccountById(lookup.user_id);
    if (!account) return absl::NotFoundError("user: not found");
    profile = {*std::move(account), std::nullopt};
    if (viewer && viewer->user_id != profile.account.user_id) {
      const Relation relation = tx.RelationBetween(viewer->user_id, profile.account.user_id);
      if (HiddenFrom(relation)) return absl::NotFoundError("user: not found");
      profile.relation = relation;
    }
    return absl::OkStatus();
  }));
  return profile;
}

}  // namespace clipforge::users
