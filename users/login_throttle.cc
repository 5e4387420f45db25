#include "users/login_throttle.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_cat.h"

namespace clipforge::users {
namespace {

// Bounds the stored count; the delay is capped long before this.
constexpr int kMaxCountedFailures = 1'000'000;
// Resting entries dropped from the old end of each table per call.
constexpr int kDropPerCall = 2;

}  // namespace

LoginThrottle::LoginThrottle(LoginThrottleOptions options)
    : options_(options),
      refill_per_second_(options.address_refill_per_minute / 60.0),
      accounts_(options.max_tracked_keys),
      pairs_(options.max_tracked_keys),
      addresses_(options.max_tracked_keys) {}

LoginThrottle::Keys LoginThrottle::KeysOf(ThrottleScope scope, absl::string_view account_key,
                                          absl::string_view address_key) const {
  const absl::string_view account = account_key.substr(0, options_.max_key_bytes);
  const absl::string_view address = address_key.substr(0, options_.max_key_bytes);
  const char tag = static_cast<char>(scope);
  return {.account = absl::StrCat(absl::string_view(&tag, 1), account),
          .pair = absl::StrCat(absl::string_view(&tag, 1), account.size(), ":", account, address),
          .address = absl::StrCat(absl::string_view(&tag, 1), address)};
}

void LoginThrottle::Settle(Failures& account, absl::Time now) const {
  if (account.in_flight > 0 && now - account.last_attempt >= options_.attempt_timeout) {
    account.in_flight = 0;  // Their outcome was never recorded.
  }
  if (account.failures > 0 && account.in_flight == 0 &&
      now - account.last_failure >= options_.forget_failures_after) {
    account.failures = 0;
  }
}

bool LoginThrottle::IsResting(const Failures& account, absl::Time now) const {
  Failures settled = account;
  Settle(settled, now);
  return settled.failures == 0 && settled.in_flight == 0;
}

absl::Duration LoginThrottle::DelayAfter(int failures, int free_failures) const {
  const int exponent = failures - free_failures;
  if (exponent < 0) return absl::ZeroDuration();
  if (exponent >= 40) return options_.max_delay;
  return std::min(absl::Seconds(int64_t{1} << exponent), options_.max_delay);
}

absl::Duration LoginThrottle::Wait(const Failures& entry, int free_failures, absl::Time now) const {
  const int counted = entry.failures + entry.in_flight;
  if (counted < free_failures) return absl::ZeroDuration();
  const absl::Duration delay = DelayAfter(counted, free_failures);
  if (entry.in_flight > 0) return delay;  // One attempt at a time once delays apply.
  if (entry.last_failure + delay > now) return entry.last_failure + delay - now;
  return absl::ZeroDuration();
}

void LoginThrottle::Fail(Failures& entry, absl::Time now) {
  if (entry.in_flight > 0) --entry.in_flight;
  entry.failures = std::min(entry.failures + 1, kMaxCountedFailures);
  entry.last_failure = std::max(entry.last_failure, now);
}

void LoginThrottle::Refill(Bucket& bucket, absl::Time now) const {
  if (now <= bucket.updated) return;  // Time never runs backwards for a bucket.
  bucket.tokens = std::min(options_.address_burst,
                           bucket.tokens + absl::ToDoubleSeconds(now - bucket.updated) *
                                               refill_per_second_);
  bucket.updated = now;
}

void LoginThrottle::DropResting(absl::Time now) {
  accounts_.DropRestingTail([&](const Failures& a) { return IsResting(a, now); }, kDropPerCall);
  pairs_.DropRestingTail([&](const Failures& p) { return IsResting(p, now); }, kDropPerCall);
  addresses_.DropRestingTail(
      [&](const Bucket& b) {
        Bucket refilled = b;
        Refill(refilled, now);
        return refilled.tokens >= options_.address_burst;
      },
      kDropPerCall);
}

ThrottleDecision LoginThrottle::Check(ThrottleScope scope, absl::string_view account_key,
                                      absl::string_view address_key, absl::Time now) {
  const Keys keys = KeysOf(scope, account_key, address_key);
  absl::MutexLock lock(&mu_);
  DropResting(now);
  // Decide on copies: a refusal must leave the tables as they were.
  Bucket bucket{options_.address_burst, now};
  if (const Bucket* found = addresses_.Find(keys.address)) bucket = *found;
  Refill(bucket, now);
  Failures account, pair;
  if (const Failures* found = accounts_.Find(keys.account)) account = *found;
  if (const Failures* found = pairs_.Find(keys.pair)) pair = *found;
  Settle(account, now);
  Settle(pair, now);

  absl::Duration address_wait = absl::ZeroDuration();
  if (bucket.tokens < 1) {
    address_wait = refill_per_second_ > 0
                       ? absl::Seconds((1 - bucket.tokens) / refill_per_second_)
                       : absl::InfiniteDuration();
  }
  const absl::Duration wait =
      std::max({address_wait, Wait(pair, options_.free_failures, now),
                Wait(account, options_.account_free_failures, now)});
  if (wait > absl::ZeroDuration()) {
    // Entries that exist are marked recent (an account under attack keeps
    // its history); none is created.
    if (addresses_.Find(keys.address) != nullptr) addresses_.Touch(keys.address, bucket);
    if (accounts_.Find(keys.account) != nullptr) accounts_.Touch(keys.account, account);
    if (pairs_.Find(keys.pair) != nullptr) pairs_.Touch(keys.pair, pair);
    return {false, wait};
  }

  bucket.tokens -= 1;
  for (Failures* entry : {&account, &pair}) {
    ++entry->in_flight;
    entry->last_attempt = now;
  }
  addresses_.Touch(keys.address, bucket) = bucket;
  accounts_.Touch(keys.account, account) = account;
  pairs_.Touch(keys.pair, pair) = pair;
  return {true, absl::ZeroDuration()};
}

void LoginThrottle::RecordFailure(ThrottleScope scope, absl::string_view account_key,
                                  absl::string_view address_key, absl::Time now) {
  const Keys keys = KeysOf(scope, account_key, address_key);
  absl::MutexLock lock(&mu_);
  DropResting(now);
  for (auto* table : {&accounts_, &pairs_}) {
    Failures& entry = table->Touch(table == &accounts_ ? keys.account : keys.pair, Failures{});
    Settle(entry, now);
    Fail(entry, now);
  }
}

void LoginThrottle::RecordSuccess(ThrottleScope scope, absl::string_view account_key,
                                  absl::string_view address_key, absl::Time now) {
  const Keys keys = KeysOf(scope, account_key, address_key);
  absl::MutexLock lock(&mu_);
  accounts_.Erase(keys.account);
  pairs_.Erase(keys.pair);
  DropResting(now);
}

size_t LoginThrottle::tracked_accounts() const {
  absl::MutexLock lock(&mu_);
  return accounts_.size();
}

size_t LoginThrottle::tracked_pairs() const {
  absl::MutexLock lock(&mu_);
  return pairs_.size();
}

size_t LoginThrottle::tracked_addresses() const {
  absl::MutexLock lock(&mu_);
  return addresses_.size();
}

}  // namespace clipforge::users
