#include "users/login_throttle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"

namespace clipforge::users {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'800'000'000);

// One failed login: Check (must be allowed), then RecordFailure.
void Fail(LoginThrottle& throttle, absl::string_view account, absl::string_view address,
          absl::Time now) {
  const ThrottleDecision d = throttle.Check(account, address, now);
  ASSERT_TRUE(d.allowed) << "at " << now;
  throttle.RecordFailure(account, address, now);
}

TEST(LoginThrottleTest, FirstFiveFailuresAreFreeThenDelaysDouble) {
  LoginThrottle throttle;
  absl::Time now = kStart;
  for (int i = 0; i < 5; ++i) Fail(throttle, "alice", "10.0.0.1", now);

  // n failures -> wait 2^(n-5) s after the last one: 1, 2, 4, ... capped at 15 min.
  for (int n = 5; n <= 16; ++n) {
    const absl::Duration expected = std::min(absl::Seconds(int64_t{1} << (n - 5)), absl::Minutes(15));
    const ThrottleDecision refused = throttle.Check("alice", "10.0.0.1", now);
    EXPECT_FALSE(refused.allowed) << n;
    EXPECT_EQ(refused.retry_after, expected) << n;
    EXPECT_FALSE(throttle.Check("alice", "10.0.0.1", now + expected - absl::Milliseconds(1)).allowed);
    now += expected;
    Fail(throttle, "alice", "10.0.0.1", now);
  }
}

TEST(LoginThrottleTest, SuccessResetsTheAccount) {
  LoginThrottle throttle;
  absl::Time now = kStart;
  for (int i = 0; i < 5; ++i) Fail(throttle, "alice", "10.0.0.1", now);
  now += absl::Seconds(1);
  Fail(throttle, "alice", "10.0.0.1", now);
  now += absl::Seconds(2);
  ASSERT_TRUE(throttle.Check("alice", "10.0.0.1", now).allowed);
  throttle.RecordSuccess("alice", now);
  for (int i = 0; i < 5; ++i) Fail(throttle, "alice", "10.0.0.1", now);
  EXPECT_FALSE(throttle.Check("alice", "10.0.0.1", now).allowed);
}

TEST(LoginThrottleTest, AccountsAreIndependentAndUnknownOnesBehaveTheSame) {
  LoginThrottle throttle;
  // "bob" exists and "nobody" does not: the throttle cannot tell, and the
  // service records both failures the same way.
  std::vector<ThrottleDecision> bob, nobody;
  absl::Time now = kStart;
  for (int i = 0; i < 8; ++i, now += absl::Milliseconds(700)) {
    for (auto [key, log] : {std::pair{"bob", &bob}, std::pair{"nobody", &nobody}}) {
      const ThrottleDecision d = throttle.Check(key, absl::StrCat("addr-", key), now);
      log->push_back(d);
      if (d.allowed) throttle.RecordFailure(key, "", now);
    }
  }
  ASSERT_EQ(bob.size(), nobody.size());
  for (size_t i = 0; i < bob.size(); ++i) {
    EXPECT_EQ(bob[i].allowed, nobody[i].allowed) << i;
    EXPECT_EQ(bob[i].retry_after, nobody[i].retry_after) << i;
  }
  EXPECT_TRUE(throttle.Check("carol", "addr-bob", now).allowed);  // Other accounts unaffected.
}

TEST(LoginThrottleTest, AddressBucketStopsSprayingAcrossAccounts) {
  LoginThrottle throttle;
  const absl::Time now = kStart;
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(throttle.Check(absl::StrCat("user", i), "203.0.113.9", now).allowed) << i;
  }
  ThrottleDecision d = throttle.Check("user30", "203.0.113.9", now);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, absl::Seconds(2));  // 30 per minute: one token every 2 s.
  // Refused attempts cost nothing: the wait does not grow.
  d = throttle.Check("user31", "203.0.113.9", now + absl::Seconds(1));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, absl::Seconds(1));
  EXPECT_TRUE(throttle.Check("user31", "203.0.113.9", now + absl::Seconds(2)).allowed);
  EXPECT_FALSE(throttle.Check("user32", "203.0.113.9", now + absl::Seconds(2)).allowed);
  // Another address is not affected.
  EXPECT_TRUE(throttle.Check("user30", "198.51.100.7", now).allowed);
  // A minute later the bucket is full again (30, not more).
  const absl::Time later = now + absl::Minutes(5);
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(throttle.Check(absl::StrCat("later", i), "203.0.113.9", later).allowed) << i;
  }
  EXPECT_FALSE(throttle.Check("later30", "203.0.113.9", later).allowed);
}

TEST(LoginThrottleTest, LockedAccountDoesNotDrainTheAddress) {
  LoginThrottle throttle;
  for (int i = 0; i < 5; ++i) Fail(throttle, "alice", "10.0.0.1", kStart);
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(throttle.Check("alice", "10.0.0.1", kStart).allowed);
  for (int i = 0; i < 25; ++i) EXPECT_TRUE(throttle.Check(absl::StrCat("u", i), "10.0.0.1", kStart).allowed);
}

TEST(LoginThrottleTest, AttemptsInFlightCountAsFailures) {
  LoginThrottle throttle;
  // Five parallel guesses on a fresh account, none finished yet: the sixth waits.
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(throttle.Check("alice", absl::StrCat("10.0.0.", i), kStart).allowed);
  }
  const ThrottleDecision sixth = throttle.Check("alice", "10.0.0.9", kStart);
  EXPECT_FALSE(sixth.allowed);
  EXPECT_EQ(sixth.retry_after, absl::Seconds(1));
  for (int i = 0; i < 5; ++i) throttle.RecordFailure("alice", "", kStart);

  // Once delays apply, one attempt at a time.
  const absl::Time later = kStart + absl::Seconds(1);
  EXPECT_TRUE(throttle.Check("alice", "10.0.0.1", later).allowed);
  EXPECT_FALSE(throttle.Check("alice", "10.0.0.2", later).allowed);
  EXPECT_FALSE(throttle.Check("alice", "10.0.0.2", later + absl::Seconds(10)).allowed);
  // An outcome never recorded stops counting after 30 s.
  EXPECT_TRUE(throttle.Check("alice", "10.0.0.2", later + absl::Seconds(30)).allowed);
}

TEST(LoginThrottleTest, ParallelCallersGetExactlyFiveFreeAttempts) {
  LoginThrottle throttle;
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const std::string address = absl::StrCat("10.", t, ".0.", i);
        if (throttle.Check("victim", address, kStart).allowed) ++allowed;
        throttle.Check(absl::StrCat("other", t, "-", i), address, kStart);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(allowed.load(), 5);
}

TEST(LoginThrottleTest, FailuresAreForgottenAfterADay) {
  LoginThrottle throttle;
  for (int i = 0; i < 5; ++i) Fail(throttle, "alice", "10.0.0.1", kStart);
  Fail(throttle, "alice", "10.0.0.1", kStart + absl::Seconds(1));
  // Without forgetting, the 7th failure (first below) would make the 8th wait 4 s.
  const absl::Time next_day = kStart + absl::Seconds(1) + absl::Hours(24);
  for (int i = 0; i < 5; ++i) Fail(throttle, "alice", "10.0.0.1", next_day);
  EXPECT_FALSE(throttle.Check("alice", "10.0.0.1", next_day).allowed);
}

TEST(LoginThrottleTest, MemoryIsBoundedByEvictingTheStalest) {
  LoginThrottle throttle({.max_tracked_keys = 3});
  for (int i = 0; i < 5; ++i) Fail(throttle, "alice", "10.0.0.1", kStart);
  ASSERT_FALSE(throttle.Check("alice", "10.0.0.1", kStart).allowed);
  // Two other accounts: alice is still tracked.
  Fail(throttle, "bob", "10.0.0.2", kStart);
  Fail(throttle, "carol", "10.0.0.3", kStart);
  EXPECT_FALSE(throttle.Check("alice", "10.0.0.1", kStart).allowed);  // Also marks alice recent.
  Fail(throttle, "dave", "10.0.0.4", kStart);                           // Evicts bob, not alice.
  EXPECT_FALSE(throttle.Check("alice", "10.0.0.1", kStart).allowed);
  for (int i = 0; i < 100; ++i) Fail(throttle, absl::StrCat("spray", i), absl::StrCat("a", i), kStart);
  EXPECT_LE(throttle.tracked_accounts(), 3u);
  EXPECT_LE(throttle.tracked_addresses(), 3u);
  // alice was the stalest and is forgotten: more lenient, never stricter.
  EXPECT_TRUE(throttle.Check("alice", "10.0.0.1", kStart).allowed);
}

TEST(LoginThrottleTest, RestingEntriesAreDroppedAsTheyAge) {
  LoginThrottle throttle;
  for (int i = 0; i < 50; ++i) {
    const std::string key = absl::StrCat("user", i);
    ASSERT_TRUE(throttle.Check(key, absl::StrCat("addr", i), kStart).allowed);
    throttle.RecordSuccess(key, kStart);
  }
  EXPECT_EQ(throttle.tracked_accounts(), 0u);
  EXPECT_EQ(throttle.tracked_addresses(), 50u);
  // A minute later every bucket is full again; later calls drop them.
  for (int i = 0; i < 30; ++i) throttle.RecordSuccess("nobody", kStart + absl::Minutes(1));
  EXPECT_EQ(throttle.tracked_addresses(), 0u);
}

TEST(LoginThrottleTest, LongKeysAreTruncated) {
  LoginThrottle throttle({.max_key_bytes = 16});
  const std::string base(16, 'k');
  for (int i = 0; i < 5; ++i) Fail(throttle, base + std::to_string(i), "10.0.0.1", kStart);
  EXPECT_FALSE(throttle.Check(base + "other", "10.0.0.1", kStart).allowed);
}

TEST(LoginThrottleTest, ClockSteppingBackDoesNotRefillOrCrash) {
  LoginThrottle throttle;
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(throttle.Check(absl::StrCat("u", i), "a", kStart).allowed);
  EXPECT_FALSE(throttle.Check("u30", "a", kStart - absl::Hours(1)).allowed);
  EXPECT_FALSE(throttle.Check("u30", "a", kStart).allowed);
  EXPECT_TRUE(throttle.Check("u30", "a", kStart + absl::Seconds(2)).allowed);
}

}  // namespace
}  // namespace clipforge::users
