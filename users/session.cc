#include "users/session.h"

namespace clipforge::users {

RefreshVerdict JudgeRefresh(const RefreshRecord* record, const std::string& request_id, absl::Time now,
                            absl::Duration retry_grace, absl::Duration session_lifetime) {
  if (record == nullptr || record->session_revoked || record->expires_at <= now ||
      now >= record->session_created_at + session_lifetime) {
    return RefreshVerdict::kInvalid;
  }
  if (!record->retired) return RefreshVerdict::kExchange;
  const bool retry = record->retired_by == request_id && record->successor_unused &&
                     now - record->retired_at <= retry_grace;
  return retry ? RefreshVerdict::kRetry : RefreshVerdict::kReuse;
}

bool CanContinueSession(const Session& session, absl::Time now, absl::Duration replay_window) {
  return !session.revoked && now - session.created_at <= replay_window;
}

}  // namespace clipforge::users
