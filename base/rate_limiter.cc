#include "base/rate_limiter.h"

#include <algorithm>

#include "absl/hash/hash.h"

namespace clipforge::base {

KeyedRateLimiter::KeyedRateLimiter(Options options)
    : options_(options), max_per_shard_(std::max<size_t>(1, options.max_keys / kShards)) {}

double KeyedRateLimiter::Refilled(const Bucket& bucket, absl::Time now) const {
  const double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - bucket.updated));
  return std::min(options_.burst, bucket.tokens + elapsed * options_.per_second);
}

void KeyedRateLimiter::MakeRoom(Shard& shard, absl::Time now) {
  absl::erase_if(shard.buckets, [&](const auto& entry) { return Refilled(entry.second, now) >= options_.burst; });
  if (shard.buckets.size() >= max_per_shard_) shard.buckets.clear();
}

bool KeyedRateLimiter::Allow(absl::string_view key, absl::Time now) {
  Shard& shard = shards_[absl::HashOf(key) % kShards];
  absl::MutexLock lock(&shard.mu);
  auto it = shard.buckets.find(key);
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= max_per_shard_) MakeRoom(shard, now);
    it = shard.buckets.emplace(std::string(key), Bucket{options_.burst, now}).first;
  }
  Bucket& bucket = it->second;
  bucket.tokens = Refilled(bucket, now);
  bucket.updated = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

size_t KeyedRateLimiter::size() const {
  size_t total = 0;
  for (const Shard& shard : shards_) {
    absl::MutexLock lock(&shard.mu);
    total += shard.buckets.size();
  }
  return total;
}

}  // namespace clipforge::base
