// Per-key token buckets in memory: each key (a user id) may act `per_second`
// times a second on average, in bursts of up to `burst`. For limits that
// are cheap to enforce per instance and need no database (a CPU-only RPC
// like CheckPrompt): across N instances a key gets up to N times the rate.
//
// Memory is bounded: at most `max_keys` buckets are kept. When a shard is
// full, buckets that have refilled (their key is idle) are dropped first;
// if none has, the shard starts over, which errs on the side of letting
// keys through rather than refusing one key because of others.
#pragma once

#include <array>
#include <cstddef>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace clipforge::base {

class KeyedRateLimiter {
 public:
  struct Options {
    double per_second = 50;
    double burst = 100;
    size_t max_keys = 100'000;
  };

  explicit KeyedRateLimiter(Options options);

  // True when `key` may act at `now`, counting the act; false when its
  // bucket is empty.
  bool Allow(absl::string_view key, absl::Time now);

  // Buckets held now (tests).
  size_t size() const;

 private:
  static constexpr size_t kShards = 16;
  struct Bucket {
    double tokens = 0;
    absl::Time updated;
  };
  struct Shard {
    mutable absl::Mutex mu;
    absl::flat_hash_map<std::string, Bucket> buckets ABSL_GUARDED_BY(mu);
  };

  double Refilled(const Bucket& bucket, absl::Time now) const;
  void MakeRoom(Shard& shard, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);

  const Options options_;
  const size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace clipforge::base
