// A logged-in session: runs authenticated calls with the stored access token
// and keeps the tokens fresh. Before a call, a token that expires within 30 s
// is refreshed; a call refused with UNAUTHENTICATED is refreshed and retried
// once. A refresh token the server refuses ends the session: the stored
// credentials are removed and the user is told to log in again (exit 3).
// Refreshes are serialized between processes with the store's lock, and a
// pair another process already rotated is picked up instead of presenting a
// retired refresh token (which the server treats as theft).
#pragma once

#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "cli/credentials.h"
#include "clipforge/v1/users.pb.h"
#include "base/clock.h"

namespace clipforge::cli {

inline constexpr absl::Duration kRefreshMargin = absl::Seconds(30);

// True when the access token is missing or expires within `margin` of `now`.
bool NeedsRefresh(const Credentials& credentials, absl::Time now,
                  absl::Duration margin = kRefreshMargin);

// Copies a new token pair into `credentials`. An unset expiry is taken as
// the documented lifetime (15 minutes / 30 days) from `now`.
void ApplyTokens(const v1::AuthTokens& tokens, absl::Time now, Credentials& credentials);

class TokenRefresher {
 public:
  virtual ~TokenRefresher() = default;
  // Exchanges `refresh_token` for a new pair (RefreshToken). Failures are
  // already described for the user (DescribeRpcFailure); UNAUTHENTICATED
  // means the refresh token is no longer valid.
  virtual absl::StatusOr<v1::AuthTokens> Refresh(absl::string_view refresh_token) = 0;
};

class Session {
 public:
  // One RPC attempt with the current credentials (access token for the
  // `authorization` header, refresh token for Logout). Returns OK or the
  // failure described for the user. May run twice.
  using Attempt = absl::FunctionRef<absl::Status(const Credentials&)>;

  Session(const CredentialStore& store, Credentials credentials, TokenRefresher& refresher,
          const base::Clock& clock)
      : store_(store), credentials_(std::move(credentials)), refresher_(refresher), clock_(clock) {}

  const Credentials& credentials() const { return credentials_; }

  absl::Status Call(Attempt attempt);

 private:
  // Gets a fresh pair, from disk if another process already rotated the one
  // we hold (and it is not `rejected_access_token`), else from the server.
  absl::Status Refresh(absl::string_view rejected_access_token);
  absl::Status Ended(absl::string_view why);

  const CredentialStore& store_;
  Credentials credentials_;
  TokenRefresher& refresher_;
  const base::Clock& clock_;
};

}  // namespace clipforge::cli
