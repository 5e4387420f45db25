// A small thread-safe map whose entries are trusted for `ttl` after they
// were fetched: how the credential verifiers avoid a database read per call
// while a revocation still takes effect within `ttl`. Misses are cached
// too (a flood of made-up ids costs one read each per ttl), so the map is
// bounded: when full it starts over.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace clipforge::generation_service {

template <typename Value>
class ExpiringCache {
 public:
  ExpiringCache(absl::Duration ttl, size_t max_entries) : ttl_(ttl), max_entries_(max_entries) {}

  // The value stored for `key` less than ttl before `now`.
  std::optional<Value> Get(absl::string_view key, absl::Time now) const {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(key);
    if (it == entries_.end() || now - it->second.fetched >= ttl_) return std::nullopt;
    return it->second.value;
  }
  void Put(absl::string_view key, Value value, absl::Time now) {
    absl::MutexLock lock(&mu_);
    if (entries_.size() >= max_entries_) entries_.clear();
    entries_.insert_or_assign(std::string(key), Entry{std::move(value), now});
  }
  void Forget(absl::string_view key) {
    absl::MutexLock lock(&mu_);
    entries_.erase(key);
  }

 private:
  struct Entry {
    Value value;
    absl::Time fetched;
  };
  const absl::Duration ttl_;
  const size_t max_entries_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace clipforge::generation_service
