// Event consumers that each run on a thread of their own until the group
// is stopped or destroyed: what every service with bus consumers holds.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "services/kit/event_consumer.h"

namespace clipforge::kit {

class ConsumerGroup {
 public:
  ConsumerGroup() = default;
  ConsumerGroup(const ConsumerGroup&) = delete;
  ConsumerGroup& operator=(const ConsumerGroup&) = delete;
  ~ConsumerGroup() { Stop(); }

  // Creates the consumer (its durable JetStream consumer too) and starts
  // its thread. `pool`, `nats` and `logger` must outlive the group.
  absl::Status Start(PgPool& pool, NatsClient& nats, ConsumerOptions options, EventHandler handler, Logger& logger);

  // Stops every consumer after its current batch and joins the threads.
  void Stop();

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::unique_ptr<EventConsumer>> consumers_;
  std::vector<std::thread> threads_;
};

}  // namespace clipforge::kit
