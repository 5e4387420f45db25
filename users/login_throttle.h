// Login throttling, per account and per client address, in memory, with the
// time passed in.
//
// Policy (defaults in LoginThrottleOptions):
// - Per account: the first 5 consecutive failures are free. After n >= 5
//   failures the next attempt must wait 2^(n-5) s after the last failure
//   (1 s, 2 s, 4 s, ...), capped at 15 min. A success resets the count; so
//   does a day without failures.
// - Per address: a token bucket of 30 attempts refilled at 30 per minute.
//   Every allowed attempt costs one token, on any account, so one address
//   cannot spray guesses over many accounts.
// - Attempts in flight count as failures until their outcome is recorded, so
//   parallel requests cannot slip past the limits: at most 5 run together on
//   a fresh account, and once delays apply, one at a time. An outcome never
//   recorded stops counting after 30 s.
// - The key is what the client typed (the normalized handle or email), never
//   the user id, and callers record a failure for an unknown account exactly
//   as for a wrong password: the decision, and the time it took, are the same
//   whether or not the account exists.
//
// Memory is bounded: at most max_tracked_keys accounts and as many addresses;
// when full, the least recently used entry is forgotten (which can only make
// the throttle more lenient for that key), and entries back at their resting
// state are dropped as they age.
//
// Use: per login attempt,
//   ThrottleDecision d = throttle.Check(handle_or_email, address, now);
//   if (!d.allowed) -> RESOURCE_EXHAUSTED ("try again in d.retry_after"),
//                      without looking the account up;
//   else verify the password (or BurnEquivalentTime for no such account),
//        then RecordSuccess(key, now) or RecordFailure(key, address, now).
// Thread-safe.
#pragma once

#include <cstddef>
#include <list>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace clipforge::users {

struct LoginThrottleOptions {
  int free_failures = 5;
  absl::Duration max_delay = absl::Minutes(15);
  absl::Duration forget_failures_after = absl::Hours(24);
  double address_burst = 30;
  double address_refill_per_minute = 30;
  absl::Duration attempt_timeout = absl::Seconds(30);
  size_t max_tracked_keys = 100'000;  // Per table (accounts, addresses).
  size_t max_key_bytes = 256;         // Longer keys are truncated.
};

struct ThrottleDecision {
  bool allowed = false;
  absl::Duration retry_after = absl::ZeroDuration();  // Zero when allowed.
};

namespace internal {

// A map with a recency order and a capacity: Touch marks an entry most
// recently used, creating it (and evicting the least recently used one when
// full) if needed. Not thread-safe.
template <typename V>
class LruTable {
 public:
  explicit LruTable(size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}
  LruTable(const LruTable&) = delete;
  LruTable& operator=(const LruTable&) = delete;

  V& Touch(absl::string_view key, const V& initial) {
    if (auto it = index_.find(key); it != index_.end()) {
      order_.splice(order_.begin(), order_, it->second);
      return it->second->second;
    }
    if (order_.size() >= capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
    order_.emplace_front(std::string(key), initial);
    index_.emplace(order_.front().first, order_.begin());
    return order_.front().second;
  }

  void Erase(absl::string_view key) {
    if (auto it = index_.find(key); it != index_.end()) {
      order_.erase(it->second);
      index_.erase(it);
    }
  }

  // Drops up to `max` least recently used entries for which `resting` holds,
  // stopping at the first that does not.
  template <typename Predicate>
  void DropRestingTail(Predicate resting, int max) {
    for (int i = 0; i < max && !order_.empty() && resting(order_.back().second); ++i) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
  }

  size_t size() const { return order_.size(); }

 private:
  using Entry = std::pair<std::string, V>;
  size_t capacity_;
  std::list<Entry> order_;  // Most recently used first.
  // Keys view the strings inside `order_`'s nodes, which never move.
  absl::flat_hash_map<absl::string_view, typename std::list<Entry>::iterator> index_;
};

}  // namespace internal

class LoginThrottle {
 public:
  explicit LoginThrottle(LoginThrottleOptions options = {});

  // Decides whether a login attempt may proceed. When it may, the attempt is
  // charged to the address and counted as in flight for the account until
  // RecordFailure/RecordSuccess. A refused attempt is charged nothing.
  ThrottleDecision Check(absl::string_view account_key, absl::string_view address_key,
                         absl::Time now) ABSL_LOCKS_EXCLUDED(mu_);
  // `address_key` is the one passed to Check; the address was already charged
  // when Check allowed the attempt, so a failure costs it nothing more.
  void RecordFailure(absl::string_view account_key, absl::string_view address_key, absl::Time now)
      ABSL_LOCKS_EXCLUDED(mu_);
  void RecordSuccess(absl::string_view account_key, absl::Time now) ABSL_LOCKS_EXCLUDED(mu_);

  size_t tracked_accounts() const ABSL_LOCKS_EXCLUDED(mu_);
  size_t tracked_addresses() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Account {
    int failures = 0;
    int in_flight = 0;
    absl::Time last_failure = absl::InfinitePast();
    absl::Time last_attempt = absl::InfinitePast();
  };
  struct Bucket {
    double tokens = 0;
    absl::Time updated = absl::InfinitePast();
  };

  absl::string_view Key(absl::string_view key) const;
  void Settle(Account& account, absl::Time now) const;
  bool IsResting(const Account& account, absl::Time now) const;
  absl::Duration DelayAfter(int failures) const;
  void Refill(Bucket& bucket, absl::Time now) const;
  void DropResting(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const LoginThrottleOptions options_;
  const double refill_per_second_;
  mutable absl::Mutex mu_;
  internal::LruTable<Account> accounts_ ABSL_GUARDED_BY(mu_);
  internal::LruTable<Bucket> addresses_ ABSL_GUARDED_BY(mu_);
};

}  // namespace clipforge::users
