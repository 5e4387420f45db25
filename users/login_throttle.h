// Login throttling, per (account, client address), per account and per
// client address, in memory, with the time passed in.
//
// Policy (defaults in LoginThrottleOptions):
// - Per (account, address): the first 5 consecutive failures are free. After
//   n >= 5 failures the next attempt from that address must wait 2^(n-5) s
//   after the last failure (1 s, 2 s, 4 s, ...), capped at 15 min. So one
//   client guessing at an account slows only itself: the owner, elsewhere,
//   still logs in.
// - Per account, over all addresses: the same doubling after a higher
//   number of free failures (50), so guesses spread over many addresses are
//   still slowed.
// - A success resets the account and the pair; a day without failures
//   resets either.
// - Per address: a token bucket of 30 attempts refilled at 30 per minute.
//   Every allowed attempt costs one token, on any account, so one address
//   cannot spray guesses over many accounts.
// - Attempts in flight count as failures until their outcome is recorded, so
//   parallel requests cannot slip past the limits: at most 5 run together
//   from one address on a fresh account, and once delays apply, one at a
//   time. An outcome never recorded stops counting after 30 s.
// - A refused attempt is charged nothing and creates no entry: a flood of
//   refused junk keys cannot push a real account's failures out of memory.
// - Each use has its own scope (ThrottleScope): keys of different scopes
//   never meet, so what a client types at login can never name the
//   deletion or sign-up entries of anyone.
// - The login key is what the client typed (the normalized handle or
//   email), never the user id, and callers record a failure for an unknown
//   account exactly as for a wrong password: the decision, and the time it
//   took, are the same whether or not the account exists.
//
// Memory is bounded: at most max_tracked_keys entries per table (accounts,
// pairs, addresses); when full, the least recently used entry is forgotten
// (which can only make the throttle more lenient for that key), and entries
// back at their resting state are dropped as they age.
//
// Use: per attempt,
//   ThrottleDecision d = throttle.Check(scope, account_key, address, now);
//   if (!d.allowed) -> RESOURCE_EXHAUSTED ("try again in d.retry_after"),
//                      without looking the account up;
//   else verify the password (or BurnEquivalentTime for no such account),
//        then RecordSuccess or RecordFailure with the same scope and keys.
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

// Which use a key belongs to. Keys of different scopes are separate
// entries even when their text is the same.
enum class ThrottleScope : char {
  kLogin = 'L',
  kAccountDeletion = 'D',  // Password checks of DeleteMyAccount; key: user id.
  kSignUp = 'S',           // Sign-ups; key: the client address.
};

struct LoginThrottleOptions {
  int free_failures = 5;           // Per (account, address).
  int account_free_failures = 50;  // Per account, over all addresses.
  absl::Duration max_delay = absl::Minutes(15);
  absl::Duration forget_failures_after = absl::Hours(24);
  double address_burst = 30;
  double address_refill_per_minute = 30;
  absl::Duration attempt_timeout = absl::Seconds(30);
  size_t max_tracked_keys = 100'000;  // Per table (accounts, pairs, addresses).
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

  // The entry for `key`, or null; does not change the recency order.
  const V* Find(absl::string_view key) const {
    const auto it = index_.find(key);
    return it == index_.end() ? nullptr : &it->second->second;
  }

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

  // Decides whether an attempt may proceed. When it may, the attempt is
  // charged to the address and counted as in flight for the account and the
  // pair until RecordFailure/RecordSuccess. A refused attempt is charged
  // nothing and creates no entry.
  ThrottleDecision Check(ThrottleScope scope, absl::string_view account_key,
                         absl::string_view address_key, absl::Time now) ABSL_LOCKS_EXCLUDED(mu_);
  // The keys are the ones passed to Check; the address was already charged
  // when Check allowed the attempt, so a failure costs it nothing more.
  void RecordFailure(ThrottleScope scope, absl::string_view account_key,
                     absl::string_view address_key, absl::Time now) ABSL_LOCKS_EXCLUDED(mu_);
  void RecordSuccess(ThrottleScope scope, absl::string_view account_key,
                     absl::string_view address_key, absl::Time now) ABSL_LOCKS_EXCLUDED(mu_);

  size_t tracked_accounts() const ABSL_LOCKS_EXCLUDED(mu_);
  size_t tracked_pairs() const ABSL_LOCKS_EXCLUDED(mu_);
  size_t tracked_addresses() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // Failures of one account, or of one (account, address) pair.
  struct Failures {
    int failures = 0;
    int in_flight = 0;
    absl::Time last_failure = absl::InfinitePast();
    absl::Time last_attempt = absl::InfinitePast();
  };
  struct Bucket {
    double tokens = 0;
    absl::Time updated = absl::InfinitePast();
  };

  // The table keys: the scope, then the (truncated) keys, length-prefixed
  // so that no two (account, address) pairs share one.
  struct Keys {
    std::string account;
    std::string pair;
    std::string address;
  };
  Keys KeysOf(ThrottleScope scope, absl::string_view account_key,
              absl::string_view address_key) const;
  void Settle(Failures& account, absl::Time now) const;
  bool IsResting(const Failures& account, absl::Time now) const;
  absl::Duration DelayAfter(int failures, int free_failures) const;
  // How long `entry` (failures counted against `free_failures`) makes the
  // next attempt wait.
  absl::Duration Wait(const Failures& entry, int free_failures, absl::Time now) const;
  static void Fail(Failures& entry, absl::Time now);
  void Refill(Bucket& bucket, absl::Time now) const;
  void DropResting(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const LoginThrottleOptions options_;
  const double refill_per_second_;
  mutable absl::Mutex mu_;
  internal::LruTable<Failures> accounts_ ABSL_GUARDED_BY(mu_);
  internal::LruTable<Failures> pairs_ ABSL_GUARDED_BY(mu_);
  internal::LruTable<Bucket> addresses_ ABSL_GUARDED_BY(mu_);
};

}  // namespace clipforge::users
