#include "services/kit/consumer_group.h"

namespace clipforge::kit {

absl::Status ConsumerGroup::Start(PgPool& pool, NatsClient& nats, ConsumerOptions options, EventHandler handler,
                                  Logger& logger) {
  absl::StatusOr<std::unique_ptr<EventConsumer>> consumer =
      EventConsumer::Create(pool, nats, std::move(options), std::move(handler), logger);
  if (!consumer.ok()) return consumer.status();
  EventConsumer* running = consumer->get();
  consumers_.push_back(*std::move(consumer));
  threads_.emplace_back([this, running] { running->Run(stop_); });
  return absl::OkStatus();
}

void ConsumerGroup::Stop() {
  stop_ = true;
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

}  // namespace clipforge::kit
