// Sessions that ended, so that every service refuses their access tokens
// within a second instead of when they expire. Fed from the bus
// (revocation_listener.h); consulted by KeyringTokenVerifier with no I/O.
//
// Bounded by the token lifetime: a session's entry is needed only while a
// token issued before its end could still be valid, so it is forgotten
// `token_lifetime` after the end. At most `max_entries` are kept; past that
// the oldest go first (they are the closest to being useless anyway).
// Thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"

namespace clipforge::kit {

class RevocationSet {
 public:
  RevocationSet(const base::Clock& clock, absl::Duration token_lifetime, size_t max_entries = 1'000'000)
      : clock_(clock), token_lifetime_(token_lifetime), max_entries_(max_entries) {}

  // The session's tokens are refused from now on. `ended_at` is when it
  // ended (the event's time); an end older than a token lifetime is ignored.
  void Revoke(absl::string_view session_id, absl::Time ended_at) ABSL_LOCKS_EXCLUDED(mu_);
  bool Revoked(absl::string_view session_id) const ABSL_LOCKS_EXCLUDED(mu_);
  size_t size() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // Drops the entries no live token can need any more.
  void Prune(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const base::Clock& clock_;
  const absl::Duration token_lifetime_;
  const size_t max_entries_;
  mutable absl::Mutex mu_;
  absl::flat_hash_set<std::string> sessions_ ABSL_GUARDED_BY(mu_);
  // (forget at, session) in the order they arrived.
  std::deque<std::pair<absl::Time, std::string>> expiry_ ABSL_GUARDED_BY(mu_);
};

}  // namespace clipforge::kit
