// The user's control over their data: analytics consent, the data export,
// and account deletion.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "services/kit/caller.h"
#include "services/kit/idempotency.h"
#include "services/users/events.h"
#include "services/users/logic_support.h"
#include "services/users/store_interface.h"
#include "users/login_throttle.h"

namespace clipforge::users {

struct Deletion {
  absl::Time delete_time;
  absl::Time purge_time;
};

class PrivacyLogic {
 public:
  PrivacyLogic(UsersStore& store, const base::Clock& clock, PasswordWork& passwords, LoginThrottle& throttle,
               const UserEvents& events, const UsersLogicOptions& options)
      : store_(store), clock_(clock), passwords_(passwords), throttle_(throttle), events_(events),
        options_(options) {}

  absl::StatusOr<Consent> GetConsent(const kit::Caller& caller);
  // Idempotent under `key`; emits consent_changed. Opting in is
  // FAILED_PRECONDITION "TEEN_ACCOUNT" while the account is a teen's.
  absl::StatusOr<Consent> SetConsent(const kit::Caller& caller, const kit::IdempotencyKey& key, bool opted_in,
                                     const std::string& policy_version);

  // The caller's data as one JSON document ("clipforge.users.export.v1"),
  // read from one snapshot. At most options.exports_per_day per 24 hours.
  absl::StatusOr<std::string> Export(const kit::Caller& caller);

  // Deletes the caller's account after checking `password` (guesses are
  // throttled like logins). The last admin cannot go. Returns when it was
  // deleted and when the rest of the user's data will be gone: other
  // services purge their copies on the deleted event, by its purge_time
  // (options.purge_within after the deletion).
  absl::StatusOr<Deletion> DeleteAccount(const kit::Caller& caller, const std::string& password,
                                         const std::string& client_address);

 private:
  UsersStore& store_;
  const base::Clock& clock_;
  PasswordWork& passwords_;
  LoginThrottle& throttle_;
  const UserEvents& events_;
  const UsersLogicOptions options_;
};

}  // namespace clipforge::users
