// Sign-up, login, token refresh and logout: the users service's session
// rules over a UsersStore.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "base/clock.h"
#include "base/random.h"
#include "base/uuid.h"
#include "services/kit/access_token.h"
#include "services/kit/caller.h"
#include "services/users/events.h"
#include "services/users/logic_support.h"
#include "services/users/store_interface.h"
#include "users/login_throttle.h"

namespace clipforge::users {

// A validated, normalized sign-up.
struct Registration {
  std::string request_id;
  std::string handle;        // NormalizeHandle'd.
  std::string email;         // NormalizeEmail'd.
  std::string password;
  std::string display_name;  // NormalizeDisplayName'd.
  std::vector<std::string> languages;
  bool analytics_opt_in = false;
  std::string consent_policy_version;
  // ParseBirthDate'd; unset: the account is an adult's. Judged against the
  // day of sign-up, then dropped: only the account's adult_at is kept.
  std::optional<absl::CivilDay> birth_date;
};

struct LoginAttempt {
  std::string request_id;
  std::string login_key;  // LoginKey(handle_or_email).
  std::string password;
  std::string device_name;
};

// The throttle's key for what a client typed to log in: trimmed,
// lowercased, one leading '@' dropped.
std::string LoginKey(absl::string_view handle_or_email);

class SessionLogic {
 public:
  SessionLogic(UsersStore& store, const base::Clock& clock, base::UuidV7Generator& ids, base::RandomSource& random,
               const kit::AccessTokenSigner& signer, PasswordWork& passwords, LoginThrottle& throttle,
               const UserEvents& events, const UsersLogicOptions& options)
      : store_(store), clock_(clock), ids_(ids), random_(random), signer_(signer), passwords_(passwords),
        throttle_(throttle), events_(events), options_(options) {}

  // A new account, signed in. A retry (same handle, email, password and
  // request_id, within the replay window) signs in to the same session.
  // Sign-ups are budgeted per client address. A birth date under 13 is
  // refused (TOO_YOUNG), 13 to 17 opens a teen account, which cannot opt in
  // to analytics (TEEN_ACCOUNT); neither refusal stores anything.
  absl::StatusOr<SignedIn> Register(const Registration& registration, const std::string& client_address);

  // Throttled per account and per client address; the same answer, and the
  // same Argon2id cost, whether or not the account exists. A retry (same
  // request_id) continues the session it opened.
  absl::StatusOr<SignedIn> Login(const LoginAttempt& attempt, const std::string& client_address);

  // Exchanges a refresh token for a new pair. A retired token coming back
  // ends its session (theft), unless it is a retry of the very exchange
  // that retired it whose result was never used.
  absl::StatusOr<IssuedTokens> Refresh(const std::string& request_id, const std::string& refresh_token);

  // Ends the caller's session, or the session of `refresh_token` when given
  // (one of the caller's own).
  absl::Status Logout(const kit::Caller& caller, const std::string& refresh_token);
  // Ends every session of the caller; returns how many were live.
  absl::StatusOr<int> LogoutEverywhere(const kit::Caller& caller);

  // OK while the caller's session is live; UNAUTHENTICATED once it ended.
  absl::Status CheckSession(const kit::Caller& caller);

  // Deletes expired refresh tokens and sessions ended longer ago than the
  // retention, in batches of `batch`, at most `max_batches` of them (the
  // next run goes on). What it deleted, or the storage error.
  absl::StatusOr<PurgedRows> PurgeEnded(int batch = 1000, int max_batches = 100);

 private:
  struct EarlierRegistration {
    Account account;
    std::string session_id;
    absl::Time session_created_at;
  };
  std::optional<EarlierRegistration> FindEarlierRegistration(UsersTx& tx, const Registration& r, absl::Time now) const;
  // Tokens expire by the session's end (its creation + session_lifetime)
  // at the latest.
  IssuedTokens SignTokens(const Account& account, const std::string& session_id, const std::string& refresh_token,
                          absl::Time now, absl::Time session_created_at) const;
  // Stores a new refresh token for `session_id`; returns the tokens and
  // (through `hash`) the new refresh token's hash.
  IssuedTokens IssueTokens(UsersTx& tx, const Account& account, const std::string& session_id,
                           absl::Time session_created_at, std::string* hash = nullptr);

  UsersStore& store_;
  const base::Clock& clock_;
  base::UuidV7Generator& ids_;
  base::RandomSource& random_;
  const kit::AccessTokenSigner& signer_;
  PasswordWork& passwords_;
  LoginThrottle& throttle_;
  const UserEvents& events_;
  const UsersLogicOptions options_;
};

}  // namespace clipforge::users
