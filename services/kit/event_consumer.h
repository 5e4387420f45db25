// Durable JetStream pull consumers that apply each event exactly once.
//
// A handler's effects and the event id (in the consumer's inbox table) are
// written in one transaction, so a redelivered event is recognised and only
// acknowledged. A message whose handler keeps failing is retried with backoff
// up to max_deliver times, then stored in the dead-letter table, published to
// clipforge.dlq.<durable> with its last error, and terminated, so the stream
// keeps flowing.
//
// A transient failure (the database unavailable, a commit of unknown outcome,
// a conflict that outlived the transaction runner's retries) says nothing
// about the event: the consumer keeps the message, extends its ack wait and
// retries in process with capped backoff until it succeeds or the consumer
// stops, so an outage of any length uses up no deliveries and dead-letters
// nothing. For the same reason the JetStream consumer itself has no
// MaxDeliver: the consumer decides when to give up, and a message is never
// dropped by the server while its dead-letter row cannot be written.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
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
  // Deliveries after which a handler error dead-letters the event. The
  // count is JetStream's: handler failures plus any interrupted delivery (a
  // crash or stop while the message was held).
  int max_deliver = 5;
  // Delay before redelivery k (the last entry repeats).
  std::vector<absl::Duration> backoff = {absl::Milliseconds(100), absl::Milliseconds(500),
                                         absl::Seconds(2), absl::Seconds(5)};
  int fetch_batch = 256;
  absl::Duration fetch_wait = absl::Milliseconds(500);
  absl::Duration ack_wait = absl::Seconds(30);
  // In-process retries of a transient failure: first delay, doubling up to
  // the cap (kept under ack_wait / 2, as each retry extends the ack wait).
  absl::Duration transient_backoff = absl::Milliseconds(100);
  absl::Duration transient_backoff_max = absl::Seconds(5);
};

// Whether a failure is the infrastructure's rather than the event's: retried
// in process, never counted against max_deliver.
bool IsTransientConsumerFailure(const absl::Status& status);

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
  // handled (0 after fetch_wait with none). A transient failure holds the
  // batch until it clears or `stop` is set.
  absl::StatusOr<int> PollOnce(const std::atomic<bool>& stop);
  absl::StatusOr<int> PollOnce() { return PollOnce(never_stop_); }

  void Run(const std::atomic<bool>& stop);

 private:
  EventConsumer(PgPool& pool, NatsClient& nats, ConsumerOptions options, EventHandler handler,
                Logger& logger);
  absl::Status Subscribe();
  // `held` is the unprocessed rest of the batch, `msg` first: every held
  // message's ack wait is extended while a transient failure is retried.
  void Process(absl::Span<natsMsg* const> held, const std::atomic<bool>& stop);
  absl::Status Apply(const v1::EventEnvelope& envelope);
  absl::Status StoreDeadLetter(natsMsg* msg, const std::string& key, const std::string& error,
                               int64_t deliveries);
  void DeadLetter(absl::Span<natsMsg* const> held, const std::string& event_id,
                  const std::string& error, int64_t deliveries, const std::atomic<bool>& stop);
  // Runs `attempt` until it returns anything but a transient failure or
  // `stop` is set, extending the held messages' ack wait between tries.
  absl::Status RetryTransient(absl::Span<natsMsg* const> held, const std::atomic<bool>& stop,
                              const std::string& event_id,
                              const std::function<absl::Status()>& attempt);

  PgPool& pool_;
  NatsClient& nats_;
  const ConsumerOptions options_;
  EventHandler handler_;
  Logger& logger_;
  NatsPtr<natsSubscription> sub_;
  const std::atomic<bool> never_stop_{false};
};

}  // namespace clipforge::kit
