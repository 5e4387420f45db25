// An immutable snapshot that readers take without locking and a reloader
// replaces whole: the live prompt policy, the live hash banks.
#pragma once

#include <atomic>
#include <memory>

namespace clipforge::moderation_service {

template <typename T>
class LiveSnapshot {
 public:
  // Null until the first Set.
  std::shared_ptr<const T> Get() const { return current_.load(std::memory_order_acquire); }
  void Set(std::shared_ptr<const T> value) { current_.store(std::move(value), std::memory_order_release); }

 private:
  std::atomic<std::shared_ptr<const T>> current_;
};

}  // namespace clipforge::moderation_service
