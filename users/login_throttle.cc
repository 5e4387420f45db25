#include "users/login_throttle.h"

#include <algorithm>
#include <cstdint>

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
      addresses_(options.max_tracked_keys) {}

absl::string_view LoginThrottle::Key(absl::string_view key) const {
  return key.substr(0, options_.max_key_bytes);
}

void LoginThrottle::Settle(Account& account, absl::Time now) const {
  if (account.in_flight > 0 && now - account.last_attempt >= options_.attempt_timeout) {
    account.in_flight = 0;  // Their outcome was never recorded.
  }
  if (account.failures > 0 && account.in_flight == 0 &&
      now - account.last_failure >= options_.forget_failures_after) {
    account.failures = 0;
  }
}

bool LoginThrottle::IsResting(const Account& account, absl::Time now) const {
  Account settled = account;
  Settle(settled, now);
  return settled.failures == 0 && settled.in_flight == 0;
}

absl::Duration LoginThrottle::DelayAfter(int failures) const {
  const int exponent = failures - options_.free_failures;
  if (exponent < 0) return absl::ZeroDuration();
  if (exponent >= 40) return options_.max_delay;
  return std::min(absl::Seconds(int64_t{1} << exponent), options_.max_delay);
}

void LoginThrottle::Refill(Bucket& bucket, absl::Time now) const {
  if (now <= bucket.updated) return;  // Time never runs backwards for a bucket.
  bucket.tokens = std::min(options_.address_burst,
                           bucket.tokens + absl::ToDoubleSeconds(now - bucket.updated) *
                                               refill_per_second_);
  bucket.updated = now;
}

void LoginThrottle::DropResting(absl::Time now) {
  accounts_.DropRestingTail([&](const Account& a) { return IsResting(a, now); }, kDropPerCall);
  addresses_.DropRestingTail(
      [&](const Bucket& b) {
        Bucket refilled = b;
        Refill(refilled, now);
        return refilled.tokens >= options_.address_burst;
      },
      kDropPerCall);
}

ThrottleDecision LoginThrottle::Check(absl::string_view account_key,
                                      absl::string_view address_key, absl::Time now) {
  absl::MutexLock lock(&mu_);
  DropResting(now);
  Bucket& bucket = addresses_.Touch(Key(address_key), Bucket{options_.address_burst, now});
  Refill(bucket, now);
  Account& account = accounts_.Touch(Key(account_key), Account{});
  Settle(account, now);

  absl::Duration address_wait = absl::ZeroDuration();
  if (bucket.tokens < 1) {
    address_wait = refill_per_second_ > 0
                       ? absl::Seconds((1 - bucket.tokens) / refill_per_second_)
                       : absl::InfiniteDuration();
  }
  absl::Duration account_wait = absl::ZeroDuration();
  const int counted = account.failures + account.in_flight;
  if (counted >= options_.free_failures) {
    const absl::Duration delay = DelayAfter(counted);
    if (account.in_flight > 0) {
      account_wait = delay;  // One attempt at a time once delays apply.
    } else if (account.last_failure + delay > now) {
      account_wait = account.last_failure + delay - now;
    }
  }
  if (address_wait > absl::ZeroDuration() || account_wait > absl::ZeroDuration()) {
    return {false, std::max(address_wait, account_wait)};
  }
  bucket.tokens -= 1;
  ++account.in_flight;
  account.last_attempt = now;
  return {true, absl::ZeroDuration()};
}

void LoginThrottle::RecordFailure(absl::string_view account_key, absl::string_view /*address_key*/,
                                  absl::Time now) {
  absl::MutexLock lock(&mu_);
  DropResting(now);
  Account& account = accounts_.Touch(Key(account_key), Account{});
  Settle(account, now);
  if (account.in_flight > 0) --account.in_flight;
  account.failures = std::min(account.failures + 1, kMaxCountedFailures);
  account.last_failure = std::max(account.last_failure, now);
}

void LoginThrottle::RecordSuccess(absl::string_view account_key, absl::Time now) {
  absl::MutexLock lock(&mu_);
  accounts_.Erase(Key(account_key));
  DropResting(now);
}

size_t LoginThrottle::tracked_accounts() const {
  absl::MutexLock lock(&mu_);
  return accounts_.size();
}

size_t LoginThrottle::tracked_addresses() const {
  absl::MutexLock lock(&mu_);
  return addresses_.size();
}

}  // namespace clipforge::users
