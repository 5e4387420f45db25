// What the users logic classes share: options, the password work, the
// session check, and the results they return.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/kit/access_token.h"
#include "services/kit/caller.h"
#include "services/kit/compute_slots.h"
#include "services/users/events.h"
#include "services/users/store_interface.h"
#include "users/account.h"
#include "users/graph.h"
#include "users/password_hasher.h"

namespace clipforge::users {

struct UsersLogicOptions {
  absl::Duration access_token_ttl = kit::kDefaultAccessTokenLifetime;
  absl::Duration refresh_token_ttl = absl::Hours(24 * 30);
  // A session ends this long after its login (or sign-up), however often
  // it is refreshed: no token it issues outlives it.
  absl::Duration session_lifetime = absl::Hours(24 * 90);
  // Ended sessions (revoked, or past their lifetime) stay listed this long,
  // then are purged with their refresh tokens; expired refresh tokens are
  // purged at once.
  absl::Duration ended_session_retention = absl::Hours(24 * 7);
  // A RefreshToken retried with the same request_id within this window gets
  // a new pair instead of tripping reuse detection.
  absl::Duration refresh_retry_grace = absl::Seconds(60);
  // A retried Login/Register (same request_id) continues its session only
  // within this window.
  absl::Duration login_replay_window = absl::Minutes(5);
  // A deleted account's handle cannot be registered again before this.
  absl::Duration handle_reservation = absl::Hours(24 * 30);
  // After a deletion, every service has this long to purge (or
  // pseudonymise) what it still holds of the user: the deletion's
  // purge_time, promised in DeleteMyAccountResponse and the deleted event.
  absl::Duration purge_within = absl::Hours(24 * 30);
  // Following more users than this is RESOURCE_EXHAUSTED.
  int64_t max_following = 7500;
  // Exports allowed per user per day.
  int exports_per_day = 3;
};

// Argon2id, each call inside a compute slot (at most one per core at a
// time, whatever the number of threads asking).
class PasswordWork {
 public:
  PasswordWork(const PasswordHasher& hasher, kit::ComputeSlots& compute) : hasher_(hasher), compute_(compute) {}

  bool Verify(absl::string_view hash, absl::string_view password);
  // Costs what Verify costs, for accounts that do not exist.
  void Burn(absl::string_view password);
  absl::StatusOr<std::string> Hash(absl::string_view password);
  bool NeedsRehash(absl::string_view hash) const { return hasher_.NeedsRehash(hash); }

 private:
  const PasswordHasher& hasher_;
  kit::ComputeSlots& compute_;
};

// Authenticated work in the users service also requires the token's session
// to be live: logout and theft detection take effect at once here.
absl::Status RequireSession(UsersTx& tx, const kit::Caller& caller);

// The caller's own account; UNAUTHENTICATED when it was deleted meanwhile.
absl::StatusOr<Account> RequireAccount(UsersTx& tx, const kit::Caller& caller, bool lock = false);

// Appends the sessions_revoked event(s) for `session_ids` (at most 10,000 a
// piece), so that every service refuses their tokens at once.
absl::Status AppendSessionsRevoked(UsersTx& tx, const UserEvents& events, const std::string& user_id,
                                   const std::vector<std::string>& session_ids, const std::string& reason);

// A new access token and refresh token for a session.
struct IssuedTokens {
  std::string access_token;
  absl::Time access_expires_at;
  std::string refresh_token;  // For the client only: never stored, never logged.
  absl::Time refresh_expires_at;
  std::string session_id;
};

struct SignedIn {
  Account account;
  IssuedTokens tokens;
};

// How the caller and another user stand.
struct RelationshipView {
  std::string user_id;  // The other user.
  Relation relation;
};

struct RolesView {
  std::string user_id;
  base::RoleSet roles;
  absl::Time update_time;
};

}  // namespace clipforge::users
