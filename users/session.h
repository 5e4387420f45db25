// Login sessions and their refresh tokens, and the rule that tells a retried
// refresh from a stolen token.
#pragma once

#include <string>

#include "absl/time/time.h"

namespace clipforge::users {

struct Session {
  std::string session_id;
  std::string user_id;
  bool revoked = false;
  absl::Time created_at;
};

// A stored refresh token, with what the exchange rules need to know.
struct RefreshRecord {
  std::string session_id;
  std::string user_id;
  absl::Time expires_at;
  bool retired = false;
  std::string retired_by;  // request_id of the exchange that retired it.
  absl::Time retired_at;
  bool session_revoked = false;
  // When the session was opened (at login or sign-up): it ends for good a
  // fixed lifetime later, however often its tokens are refreshed.
  absl::Time session_created_at;
  // The token that replaced this one is still unused (a retried exchange
  // may replace it again; otherwise a retired token coming back is theft).
  bool successor_unused = false;
};

enum class RefreshVerdict {
  kInvalid,  // Unknown, expired, or its session has ended.
  kExchange,  // A live token: retire it and issue the next one.
  kRetry,     // A retry of the exchange that retired it, whose result is unused: issue again.
  kReuse,     // A retired token came back: someone holds a copy; end the session.
};

// What presenting the token `record` (nullopt: unknown) with `request_id`
// at `now` means. `retry_grace` is how long after an exchange its retry is
// still honoured; a session older than `session_lifetime` is over.
RefreshVerdict JudgeRefresh(const RefreshRecord* record, const std::string& request_id, absl::Time now,
                            absl::Duration retry_grace, absl::Duration session_lifetime);

// A retried Login or Register (same request_id) continues the session it
// opened only while that session is live and younger than `replay_window`.
bool CanContinueSession(const Session& session, absl::Time now, absl::Duration replay_window);

}  // namespace clipforge::users
