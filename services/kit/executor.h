// The bounded executor for blocking work (libpqxx, FFmpeg, synchronous NATS
// calls). gRPC callback threads never block: they hand work here and the
// reaction finishes when the work completes.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "absl/status/status.h"

namespace clipforge::kit {

class BlockingExecutor {
 public:
  // `threads` should match the connection pool size; at most `max_queued`
  // tasks wait beyond the running ones before Submit refuses more.
  BlockingExecutor(size_t threads, size_t max_queued);
  ~BlockingExecutor();

  BlockingExecutor(const BlockingExecutor&) = delete;
  BlockingExecutor& operator=(const BlockingExecutor&) = delete;

  // Runs `task` on a pool thread, or returns RESOURCE_EXHAUSTED without
  // running it when the queue is full (load shedding instead of unbounded
  // latency).
  absl::Status Submit(std::function<void()> task);

  // Waits for queued tasks to finish; later Submit calls are refused.
  void Drain();

  size_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

 private:
  boost::asio::thread_pool pool_;
  const size_t capacity_;
  std::atomic<size_t> in_flight_{0};
  std::atomic<bool> draining_{false};
};

}  // namespace clipforge::kit
