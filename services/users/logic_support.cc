#include "services/users/logic_support.h"

#include <algorithm>

#include "base/status_macros.h"

namespace clipforge::users {

bool PasswordWork::Verify(absl::string_view hash, absl::string_view password) {
  return compute_.Run([&] { return hasher_.Verify(hash, password); });
}

void PasswordWork::Burn(absl::string_view password) {
  compute_.Run([&] { hasher_.BurnEquivalentTime(password); });
}

absl::StatusOr<std::string> PasswordWork::Hash(absl::string_view password) {
  return compute_.Run([&] { return hasher_.Hash(password); });
}

absl::Status RequireSession(UsersTx& tx, const kit::Caller& caller) {
  if (!tx.SessionActive(caller.session_id)) {
    return absl::UnauthenticatedError("authorization: the session has ended; log in again");
  }
  return absl::OkStatus();
}

absl::Status AppendSessionsRevoked(UsersTx& tx, const UserEvents& events, const std::string& user_id,
                                   const std::vector<std::string>& session_ids, const std::string& reason) {
  constexpr size_t kPerEvent = 10'000;
  for (size_t from = 0; from < session_ids.size(); from += kPerEvent) {
    const auto end = session_ids.begin() + static_cast<ptrdiff_t>(std::min(session_ids.size(), from + kPerEvent));
    CF_RETURN_IF_ERROR(tx.AppendEvent(events.SessionsRevoked(
        user_id, std::vector<std::string>(session_ids.begin() + static_cast<ptrdiff_t>(from), end), reason)));
  }
  return absl::OkStatus();
}

absl::StatusOr<Account> RequireAccount(UsersTx& tx, const kit::Caller& caller, bool lock) {
  std::optional<Account> account = lock ? tx.LockAccount(caller.user_id) : tx.AccountById(caller.user_id);
  if (!account) return absl::UnauthenticatedError("authorization: the account no longer exists");
  return *std::move(account);
}

}  // namespace clipforge::users
