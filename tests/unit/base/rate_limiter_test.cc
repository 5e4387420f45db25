#include "base/rate_limiter.h"

#include <gtest/gtest.h>

namespace clipforge::base {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

TEST(KeyedRateLimiterTest, ABurstThenTheRate) {
  KeyedRateLimiter limiter({.per_second = 10, .burst = 5, .max_keys = 100});
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.Allow("alice", kT0)) << i;
  EXPECT_FALSE(limiter.Allow("alice", kT0));
  EXPECT_FALSE(limiter.Allow("alice", kT0 + absl::Milliseconds(50)));  // Half a token.
  EXPECT_TRUE(limiter.Allow("alice", kT0 + absl::Milliseconds(150)));
  EXPECT_FALSE(limiter.Allow("alice", kT0 + absl::Milliseconds(150)));
  // Idle long enough, the bucket is full again, never fuller.
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.Allow("alice", kT0 + absl::Hours(1))) << i;
  EXPECT_FALSE(limiter.Allow("alice", kT0 + absl::Hours(1)));
}

TEST(KeyedRateLimiterTest, OneKeyNeverSpendsAnothersBudget) {
  KeyedRateLimiter limiter({.per_second = 1, .burst = 2, .max_keys = 100});
  EXPECT_TRUE(limiter.Allow("mallory", kT0));
  EXPECT_TRUE(limiter.Allow("mallory", kT0));
  EXPECT_FALSE(limiter.Allow("mallory", kT0));
  EXPECT_TRUE(limiter.Allow("alice", kT0));
}

TEST(KeyedRateLimiterTest, MemoryStaysBoundedAndIdleKeysGoFirst) {
  KeyedRateLimiter limiter({.per_second = 1, .burst = 2, .max_keys = 160});
  for (int i = 0; i < 10'000; ++i) limiter.Allow("user-" + std::to_string(i), kT0 + absl::Seconds(i));
  EXPECT_LE(limiter.size(), 160u);
  // A key that is out of tokens now is kept while idle keys can be
  // dropped instead (~100 buckets a shard here; ~60 busy ones land in each).
  KeyedRateLimiter busy({.per_second = 1, .burst = 2, .max_keys = 1600});
  for (int i = 0; i < 1500; ++i) busy.Allow("idle-" + std::to_string(i), kT0 - absl::Hours(1));
  ASSERT_TRUE(busy.Allow("mallory", kT0));
  ASSERT_TRUE(busy.Allow("mallory", kT0));
  for (int i = 0; i < 1000; ++i) busy.Allow("busy-" + std::to_string(i), kT0);
  EXPECT_FALSE(busy.Allow("mallory", kT0));
  EXPECT_LE(busy.size(), 1600u);
}

}  // namespace
}  // namespace clipforge::base
