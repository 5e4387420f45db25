// Durable JetStream pull consumers that apply each event exactly once.
//
// A handler's effects and the event id (in the consumer's inbox table) are
// written in one transaction, so a redelivered event is recognised and only
// acknowledged. A message that keeps failing is retried with backoff up to
// max_deliver times, then stored in the dead-letter table, published to
// clipforge.dlq.<durable> with its last error, and terminated, so the stream
// keeps flowing.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clipforge/v1/events.pb.h"
#include "services/kit/logger.h"
#include "services/kit/nats_client.h"
#include "services/kit/pg_pool.h"

namespace clipforge::kit {

struct ConsumerOptions {
  std::string durable;         // Consumer name, e.g. "feed-clips".
  std::string filter_subject;  // e.g. "clipforge.clip.>".
  std::string stream = "CLIPFORGE";
  // Tables of the consuming service's schema (configuration, never input).
  std::string inbox_table;        // e.g. "feed.inbox"
  std::string dead_letter_table;  // e.g. "feed.dead_letter"
  int max_deliver = 5;
  // Delay before redelivery k (the last entry repeats).
  std::vector<absl::Duration> backoff = {absl::Milliseconds(100), absl::Milliseconds(500),
                                         absl::Seconds(2), absl::Seconds(5)};
  int fetch_batch = 256;
  absl::Duration fetch_wait = absl::Milliseconds(500);
  absl::Duration ack_wait = absl::Seconds(30);
};

// Applies one event inside the consumer's transaction. An error rolls the
// transaction back and the event is redelivered later.
using EventHandler = std::function<absl::Status(pqxx::work&, const v1::EventEnvelope&)>;

class EventConsumer {
 public:
  static absl::StatusOr<std::unique_ptr<EventConsumer>> Create(PgPool& pool, NatsClient& nats,
                                                               ConsumerOptions options,
                                                               EventHandler handler,
                                                               Logger& logger);
  ~EventConsumer();

  static std::vector<PreparedStatement> Statements(const ConsumerOptions& options);

  // Fetches one batch and processes it; returns how many messages it
  // handled (0 after fetch_wait with none).
  absl::StatusOr<int> PollOnce();

  void Run(const std::atomic<bool>& stop);

 private:
  EventConsumer(PgPool& pool, NatsClient& nats, ConsumerOptions options, EventHandler handler,
                Logger& logger);
  absl::Status Subscribe();
  void Process(natsMsg* msg);
  void DeadLetter(natsMsg* msg, const std::string& event_id, const std::string& error,
                  int64_t deliveries);

  PgPool& pool_;
  NatsClient& nats_;
  const ConsumerOptions options_;
  EventHandler handler_;
  Logger& logger_;
  NatsPtr<natsSubscription> sub_;
};

}  // namespace clipforge::kit
