#include "services/kit/executor.h"

namespace clipforge::kit {

BlockingExecutor::BlockingExecutor(size_t threads, size_t max_queued)
    : pool_(threads), capacity_(threads + max_queued) {}

BlockingExecutor::~BlockingExecutor() { Drain(); }

absl::Status BlockingExecutor::Submit(std::function<void()> task) {
  if (draining_.load(std::memory_order_acquire)) {
    return absl::UnavailableError("server is shutting down");
  }
  if (in_flight_.fetch_add(1, std::memory_order_acq_rel) >= capacity_) {
    in_flight_.fetch_sub(1, std::memory_order_acq_rel);
    return absl::ResourceExhaustedError("server is overloaded: too many requests in flight");
  }
  boost::asio::post(pool_, [this, task = std::move(task)] {
    task();
    in_flight_.fetch_sub(1, std::memory_order_acq_rel);
  });
  return absl::OkStatus();
}

void BlockingExecutor::Drain() {
  draining_.store(true, std::memory_order_release);
  pool_.join();
}

}  // namespace clipforge::kit
