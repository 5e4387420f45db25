#include "services/kit/revocation_set.h"

namespace clipforge::kit {

void RevocationSet::Revoke(absl::string_view session_id, absl::Time ended_at) {
  const absl::Time now = clock_.Now();
  const absl::Time forget_at = ended_at + token_lifetime_;
  if (forget_at <= now) return;  // Every token of the session has expired.
  absl::MutexLock lock(&mu_);
  Prune(now);
  if (!sessions_.emplace(session_id).second) return;
  expiry_.emplace_back(forget_at, std::string(session_id));
  while (expiry_.size() > max_entries_) {
    sessions_.erase(expiry_.front().second);
    expiry_.pop_front();
  }
}

bool RevocationSet::Revoked(absl::string_view session_id) const {
  absl::MutexLock lock(&mu_);
  return sessions_.contains(session_id);
}

size_t RevocationSet::size() const {
  absl::MutexLock lock(&mu_);
  return sessions_.size();
}

void RevocationSet::Prune(absl::Time now) {
  // Arrival order is end order give or take the bus's delay, so the front is
  // (nearly) the oldest: stop at the first entry still needed.
  while (!expiry_.empty() && expiry_.front().first <= now) {
    sessions_.erase(expiry_.front().second);
    expiry_.pop_front();
  }
}

}  // namespace clipforge::kit
