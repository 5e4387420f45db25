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
constexpr ThrottleScope kLogin = ThrottleScope::kLogin;

// One failed login: Check (must be allowed), then RecordFailure.
void Fail(LoginThrottle& throttle, absl::string_view account, absl::string_view address,
          absl::Time now, ThrottleScope scope = kLogin) {
  const ThrottleDecision d = throttle.Check(scope, account, address, now);
  ASSERT_TRUE(d.allowed) << "at " << now;
  throttle.RecordFailure(scope, account, address, now);
}

TEST(LoginThrottleTest, FirstFiveFailuresAreFreeThenDelaysDouble) {
  LoginThrottle throttle;
  absl::Time now = kStart;
  for (int i = 0; i < 5; ++i) Fail(throttle, "alice", "10.0.0.1", now);

  // n failures -> wait 2^(n-5) s after the last one: 1, 2, 4, ... capped at 15 min.
  for (int n = 5; n <= 16; ++n) {
    const absl::Duration expected = std::min(absl::Seconds(int64_t{1} << (n - 5)), absl::Minutes(15));
    const ThrottleDecision refused = throttle.Check(kLogin, "alice", "10.0.0.1", now);
    EXPECT_FALSE(refused.allowed) << n;
    EXPECT_EQ(refused.retry_after, expected) << n;
    EXPECT_FALSE(throttle.Check(kLogin, "alice", "10.0.0.1", now + expected - absl::Milliseconds(1)).allowed);
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
  ASSERT_TRUE(throttle.Check(kLogin, "alice", "10.0.0.1", now).allowed);
  throttle.RecordSuccess(kLogin, "alice", "10.0.0.1", now);
  for (int i = 0; i < 5; ++i) Fail(throttle, "alice", "10.0.0.1", now);
  EXPECT_FALSE(throttle.Check(kLogin, "alice", "10.0.0.1", now).allowed);
}

TEST(LoginThrottleTest, AccountsAreIndependentAndUnknownOnesBehaveTheSame) {
  LoginThrottle throttle;
  // "bob" exists and "nobody" does not: the throttle cannot tell, and the
  // service records both failures the same way.
  std::vector<ThrottleDecision> bob, nobody;
  absl::Time now = kStart;
  for (int i = 0; i < 8; ++i, now += absl::Milliseconds(700)) {
    for (auto [key, log] : {std::pair{"bob", &bob}, std::pair{"nobody", &nobody}}) {
      const ThrottleDecision d = throttle.Check(kLogin, key, absl::StrCat("addr-", key), now);
      log->push_back(d);
      if (d.allowed) throttle.RecordFailure(kLogin, key, absl::StrCat("addr-", key), now);
    }
  }
  ASSERT_EQ(bob.size(), nobody.size());
  for (size_t i = 0; i < bob.size(); ++i) {
    EXPECT_EQ(bob[i].allowed, nobody[i].allowed) << i;
    EXPECT_EQ(bob[i].retry_after, nobody[i].retry_after) << i;
  }
  EXPECT_TRUE(throttle.Check(kLogin, "carol", "addr-bob", now).allowed);  // Other accounts unaffected.
}

TEST(LoginThrottleTest, AddressBucketStopsSprayingAcrossAccounts) {
  LoginThrottle throttle;
  const absl::Time now = kStart;
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(throttle.Check(kLogin, absl::StrCat("user", i), "203.0.113.9", now).allowed) << i;
  }
  ThrottleDecision d = throttle.Check(kLogin, "user30", "203.0.113.9", now);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, absl::Seconds(2));  // 30 per minute: one token every 2 s.
  // Refused attempts cost nothing: the wait does not grow.
  d = throttle.Check(kLogin, "user31", "203.0.113.9", now + absl::Seconds(1));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, absl::Seconds(1));
  EXPECT_TRUE(throttle.Check(kLogin, "user31", "203.0.113.9", now + absl::Seconds(2)).allowed);
  EXPECT_FALSE(throttle.Check(kLogin, "user32", "203.0.113.9", now + absl::Seconds(2)).allowed);
  // Another address is not affected.
  EXPECT_TRUE(throttle.Check(kLogin, "user30", "198.51.100.7", now).allowed);
  // A minute later the bucket is full again (30, not more).
  const absl::Time later = now + absl::Minutes(5);
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(throttle.Check(kLogin, absl::StrCat("later", i), "203.0.113.9", later).allowed) << i;
  }
  EXPECT_FALSE(throttle.Check(kLogin, "later30", "203.0.113.9", later).allowed);
}

TEST(LoginThrottleTest, LockedAccountDoesNotDrainTheAddress) {
  LoginThrottle throttle;
  for (int i = 0; i < 5; ++i) Fail(throttle, "alice", "10.0.0.1", kStart);
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(throttle.Check(kLogin, "alice", "10.0.0.1", kStart).allowed);
  for (int i = 0; i < 25; ++i) EXPECT_TRUE(throttle.Check(kLogin, absl::StrCat("u", i), "10.0.0.1", kStart).allowed);
}

TEST(LoginThrottleTest, AttemptsInFlightCountAsFailures) {
  LoginThrottle throttle;
  // Five parallel guesses from one address on a fresh account, none
  // finished yet: the sixth waits.
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(throttle.Check(kLogin, "alice", "10.0.0.1", kStart).allowed);
  const ThrottleDecision sixth = throttle.Check(kLogin, "alice", "10.0.0.1", kStart);
  EXPECT_FALSE(sixth.allowed);
  EXPECT_EQ(sixth.retry_after, absl::Seconds(1));
  for (int i = 0; i < 5; ++i) throttle.RecordFailure(kLogin, "alice", "10.0.0.1", kStart);

  // Once delays apply, one attempt at a time.
  const absl::Time later = kStart + absl::Seconds(1);
  EXPECT_TRUE(throttle.Check(kLogin, "alice", "10.0.0.1", later).allowed);
  EXPECT_FALSE(throttle.Check(kLogin, "alice", "10.0.0.1", later).allowed);
  EXPECT_FALSE(throttle.Check(kLogin, "alice", "10.0.0.1", later + absl::Seconds(10)).allowed);
  // An outcome never recorded stops counting after 30 s.
  EXPECT_TRUE(throttle.Check(kLogin, "alice", "10.0.0.1", later + absl::Seconds(30)).allowed);
}

TEST(LoginThrottleTest, ParallelCallersGetExactlyTheFreeAttempts) {
  LoginThrottle throttle;
  std::atomic<int> from_one_address{0}, from_many{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const std::string address = absl::StrCat("10.", t, ".0.", i);
        // One address: the pair's 5. Many addresses: the account's 50.
        if (throttle.Check(kLogin, "victim", "192.0.2.1", kStart).allowed) ++from_one_address;
        if (throttle.Check(kLogin, "spread", address, kStart).allowed) ++from_many;
        throttle.Check(kLogin, absl::StrCat("other", t, "-", i), address, kStart);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(from_one_address.load(), 5);
  EXPECT_EQ(from_many.load(), 50);
}

TEST(LoginThrottleTest, OneClientCannotLockTheOwnerOut) {
  LoginThrottle throttle;
  absl::Time now = kStart;
  // An anonymous client fails 30 times (as fast as its delays allow).
  for (int i = 0; i < 30; ++i) {
    ThrottleDecision d = throttle.Check(kLogin, "alice", "198.51.100.66", now);
    if (!d.allowed) {
      now += d.retry_after;
      d = throttle.Check(kLogin, "alice", "198.51.100.66", now);
    }
    ASSERT_TRUE(d.allowed) << i;
    throttle.RecordFailure(kLogin, "alice", "198.51.100.66", now);
  }
  EXPECT_FALSE(throttle.Check(kLogin, "alice", "198.51.100.66", now).allowed);
  // The owner, from her own address, is not delayed.
  EXPECT_TRUE(throttle.Check(kLogin, "alice", "10.0.0.1", now).allowed);
  throttle.RecordSuccess(kLogin, "alice", "10.0.0.1", now);
}

TEST(LoginThrottleTest, ManyClientsTogetherHitTheHigherAccountCap) {
  LoginThrottle throttle;
  // 50 failures from 50 addresses (one each): free per pair, and the
  // account's 50 free failures are used up.
  for (int i = 0; i < 50; ++i) Fail(throttle, "alice", absl::StrCat("10.1.0.", i), kStart);
  const ThrottleDecision d = throttle.Check(kLogin, "alice", "10.2.0.1", kStart);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, absl::Seconds(1));
  EXPECT_TRUE(throttle.Check(kLogin, "alice", "10.2.0.1", kStart + absl::Seconds(1)).allowed);
}

TEST(LoginThrottleTest, RefusedChecksCreateNoEntries) {
  LoginThrottle throttle({.max_tracked_keys = 40});
  // The victim's failure history, from her address.
  for (int i = 0; i < 5; ++i) Fail(throttle, "victim", "10.0.0.1", kStart);
  // An attacker drains his address's bucket...
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(throttle.Check(kLogin, absl::StrCat("drain", i), "203.0.113.9", kStart).allowed);
  }
  const size_t accounts = throttle.tracked_accounts();
  const size_t pairs = throttle.tracked_pairs();
  const size_t addresses = throttle.tracked_addresses();
  // ...then floods junk handles: every check is refused, none is stored.
  for (int i = 0; i < 10'000; ++i) {
    ASSERT_FALSE(throttle.Check(kLogin, absl::StrCat("junk", i), "203.0.113.9", kStart).allowed);
  }
  EXPECT_EQ(throttle.tracked_accounts(), accounts);
  EXPECT_EQ(throttle.tracked_pairs(), pairs);
  EXPECT_EQ(throttle.tracked_addresses(), addresses);
  // The victim's history is still there.
  EXPECT_FALSE(throttle.Check(kLogin, "victim", "10.0.0.1", kStart).allowed);
}

TEST(LoginThrottleTest, ScopesNeverShareEntries) {
  LoginThrottle throttle;
  const std::string user_id = "0190a3c4-0000-7000-8000-000000000001";
  // Login failures on keys that spell the other scopes' old prefixes.
  for (const std::string& typed : {absl::StrCat("delete@", user_id), std::string("register@10.0.0.1"),
                                   user_id, std::string("10.0.0.1")}) {
    for (int i = 0; i < 5; ++i) Fail(throttle, typed, "10.0.0.1", kStart);
    ASSERT_FALSE(throttle.Check(kLogin, typed, "10.0.0.1", kStart + absl::Milliseconds(1)).allowed);
  }
  EXPECT_TRUE(throttle.Check(ThrottleScope::kAccountDeletion, user_id, "10.0.0.1", kStart).allowed);
  EXPECT_TRUE(throttle.Check(ThrottleScope::kSignUp, "10.0.0.1", "10.0.0.1", kStart).allowed);
  // Nor do an account and an address that concatenate alike.
  for (int i = 0; i < 5; ++i) Fail(throttle, "ab", "c", kStart);
  EXPECT_TRUE(throttle.Check(kLogin, "a", "bc", kStart).allowed);
}

TEST(LoginThrottleTest, FailuresAreForgottenAfterADay) {
  LoginThrottle throttle;
  for (int i = 0; i < 5; ++i) Fail(throttle, "alice", "10.0.0.1", kStart);
  Fail(throttle, "alice", "10.0.0.1", kStart + absl::Seconds(1));
  // Without forgetting, the 7th failure (first below) would make the 8th wait 4 s.
  const absl::Time next_day = kStart + absl::Seconds(1) + absl::Hours(24);
  for (int i = 0; i < 5; ++i) Fail(throttle, "alice", "10.0.0.1", next_day);
  EXPECT_FALSE(throttle.Check(kLogin, "alice", "10.0.0.1", next_day).allowed);
}

TEST(LoginThrottleTest, MemoryIsBoundedByEvictingTheStalest) {
  LoginThrottle throttle({.max_tracked_keys = 3});
  for (int i = 0; i < 5; ++i) Fail(throttle, "alice", "10.0.0.1", kStart);
  ASSERT_FALSE(throttle.Check(kLogin, "alice", "10.0.0.1", kStart).allowed);
  // Two other accounts: alice is still tracked.
  Fail(throttle, "bob", "10.0.0.2", kStart);
  Fail(throttle, "carol", "10.0.0.3", kStart);
  EXPECT_FALSE(throttle.Check(kLogin, "alice", "10.0.0.1", kStart).allowed);  // Also marks alice recent.
  Fail(throttle, "dave", "10.0.0.4", kStart);                           // Evicts bob, not alice.
  EXPECT_FALSE(throttle.Check(kLogin, "alice", "10.0.0.1", kStart).allowed);
  for (int i = 0; i < 100; ++i) Fail(throttle, absl::StrCat("spray", i), absl::StrCat("a", i), kStart);
  EXPECT_LE(throttle.tracked_accounts(), 3u);
  EXPECT_LE(throttle.tracked_addresses(), 3u);
  // alice was the stalest and is forgotten: more lenient, never stricter.
  EXPECT_TRUE(throttle.Check(kLogin, "alice", "10.0.0.1", kStart).allowed);
}

TEST(LoginThrottleTest, RestingEntriesAreDroppedAsTheyAge) {
  LoginThrottle throttle;
  for (int i = 0; i < 50; ++i) {
    const std::string key = absl::StrCat("user", i);
    ASSERT_TRUE(throttle.Check(kLogin, key, absl::StrCat("addr", i), kStart).allowed);
    throttle.RecordSuccess(kLogin, key, absl::StrCat("addr", i), kStart);
  }
  EXPECT_EQ(throttle.tracked_accounts(), 0u);
  EXPECT_EQ(throttle.tracked_pairs(), 0u);
  EXPECT_EQ(throttle.tracked_addresses(), 50u);
  // A minute later every bucket is full again; later calls drop them.
  for (int i = 0; i < 30; ++i) throttle.RecordSuccess(kLogin, "nobody", "", kStart + absl::Minutes(1));
  EXPECT_EQ(throttle.tracked_addresses(), 0u);
}

TEST(LoginThrottleTest, LongKeysAreTruncated) {
  LoginThrottle throttle({.max_key_bytes = 16});
  const std::string base(16, 'k');
  for (int i = 0; i < 5; ++i) Fail(throttle, base + std::to_string(i), "10.0.0.1", kStart);
  EXPECT_FALSE(throttle.Check(kLogin, base + "other", "10.0.0.1", kStart).allowed);
}

TEST(LoginThrottleTest, ClockSteppingBackDoesNotRefillOrCrash) {
  LoginThrottle throttle;
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(throttle.Check(kLogin, absl::StrCat("u", i), "a", kStart).allowed);
  EXPECT_FALSE(throttle.Check(kLogin, "u30", "a", kStart - absl::Hours(1)).allowed);
  EXPECT_FALSE(throttle.Check(kLogin, "u30", "a", kStart).allowed);
  EXPECT_TRUE(throttle.Check(kLogin, "u30", "a", kStart + absl::Seconds(2)).allowed);
}

}  // namespace
}  // namespace clipforge::users
