#include "cli/session.h"

#include "absl/strings/str_cat.h"
#include "cli/errors.h"
#include "cli/time_format.h"
#include "base/status_macros.h"

namespace clipforge::cli {

bool NeedsRefresh(const Credentials& credentials, absl::Time now, absl::Duration margin) {
  return credentials.access_token.empty() || credentials.access_token_expire_time - now <= margin;
}

void ApplyTokens(const v1::AuthTokens& tokens, absl::Time now, Credentials& credentials) {
  credentials.access_token = tokens.access_token();
  credentials.access_token_expire_time = tokens.has_access_token_expire_time()
                                             ? FromProto(tokens.access_token_expire_time())
                                             : now + absl::Minutes(15);
  credentials.refresh_token = tokens.refresh_token();
  credentials.refresh_token_expire_time = tokens.has_refresh_token_expire_time()
                                              ? FromProto(tokens.refresh_token_expire_time())
                                              : now + absl::Hours(24 * 30);
  if (!tokens.session_id().empty()) credentials.session_id = tokens.session_id();
}

absl::Status Session::Ended(absl::string_view why) {
  // The tokens are worthless now; forget them so the next command says
  // "not logged in" at once. Failing to remove them changes nothing.
  (void)store_.Remove();
  return NotLoggedInError(absl::StrCat(why, " — run `clipforge login`"));
}

absl::Status Session::Refresh(absl::string_view rejected_access_token) {
  CF_ASSIGN_OR_RETURN(const FileLock lock, store_.Lock());
  const absl::Time now = clock_.Now();
  absl::StatusOr<Credentials> on_disk = store_.Load();
  if (absl::IsNotFound(on_disk.status())) return Ended("you were logged out");
  if (!on_disk.ok()) return on_disk.status();
  if (on_disk->server != credentials_.server || on_disk->user_id != credentials_.user_id ||
      on_disk->session_id != credentials_.session_id) {
    return absl::AbortedError(
        "you logged in again while this command ran; run the command again");
  }
  if (on_disk->refresh_token != credentials_.refresh_token &&
      on_disk->access_token != rejected_access_token && !NeedsRefresh(*on_disk, now)) {
    credentials_ = *std::move(on_disk);  // another clipforge process refreshed
    return absl::OkStatus();
  }
  // Present the newest refresh token we know of.
  credentials_ = *std::move(on_disk);
  if (credentials_.refresh_token_expire_time <= now) return Ended("your session has expired");
  absl::StatusOr<v1::AuthTokens> tokens = refresher_.Refresh(credentials_.refresh_token);
  if (absl::IsUnauthenticated(tokens.status())) return Ended("your session has ended");
  if (!tokens.ok()) return tokens.status();
  ApplyTokens(*tokens, now, credentials_);
  return store_.Save(credentials_);
}

absl::Status Session::Call(Attempt attempt) {
  bool refreshed = false;
  if (NeedsRefresh(credentials_, clock_.Now())) {
    CF_RETURN_IF_ERROR(Refresh(""));
    refreshed = true;
  }
  absl::Status status = attempt(credentials_);
  if (absl::IsUnauthenticated(status) && !refreshed) {
    CF_RETURN_IF_ERROR(Refresh(credentials_.access_token));
    status = attempt(credentials_);
  }
  if (absl::IsUnauthenticated(status)) {
    return NotLoggedInError("the server refused your session — run `clipforge login`");
  }
  return status;
}

}  // namespace clipforge::cli
