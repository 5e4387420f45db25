// Profiles: the caller's own account, its update, and public profiles.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "services/kit/caller.h"
#include "services/kit/idempotency.h"
#include "services/users/events.h"
#include "services/users/logic_support.h"
#include "services/users/store_interface.h"

namespace clipforge::users {

struct PublicProfile {
  Account account;
  // How the viewer stands with this user; set for a signed-in viewer
  // looking at someone else.
  std::optional<Relation> relation;
};

// One of the two ways to name a user in a public lookup.
struct UserLookup {
  std::string user_id;
  std::string handle;  // Normalized; used when user_id is empty.
};

class ProfileLogic {
 public:
  ProfileLogic(UsersStore& store, const base::Clock& clock, const UserEvents& events)
      : store_(store), clock_(clock), events_(events) {}

  absl::StatusOr<Account> GetMine(const kit::Caller& caller);
  // Applies `change` (idempotent under `key`) and emits profile_updated.
  absl::StatusOr<Account> Update(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                 const ProfileChange& change);
  // Public; `viewer` (a signed-in caller, if any) adds the relationship,
  // and a user who blocks the viewer is NOT_FOUND to them.
  absl::StatusOr<PublicProfile> GetPublic(const std::optional<kit::Caller>& viewer, const UserLookup& lookup);

 private:
  UsersStore& store_;
  const base::Clock& clock_;
  const UserEvents& events_;
};

}  // namespace clipforge::users
