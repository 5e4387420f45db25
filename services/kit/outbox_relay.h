// Publishes bus.outbox rows to JetStream and marks them sent.
//
// Correctness rules (see docs/platform-notes.md and the bus tests):
// - Rows are claimed by "published_at IS NULL", never by "seq > last seen":
//   sequence numbers are taken before commit, so a transaction that commits
//   late would otherwise be skipped forever.
// - The event id is the JetStream message id, so republishing after a crash
//   between publish and mark-sent is deduplicated by the server.
// - Per-aggregate order: one relay works at a time (transaction-scoped
//   advisory lock), a batch is published in seq order, and two events of one
//   aggregate are never in flight together: a batch goes out in waves, the
//   k-th event of each aggregate in wave k, and an aggregate whose event
//   failed sends nothing more in that batch.
// - Waking: while Run sleeps it holds an advisory lock that makes every
//   commit inserting into bus.outbox notify channel cf_outbox
//   (migrations/0005_outbox_notify.sql) and waits on that (OutboxListener),
//   so an idle relay costs neither CPU nor database work; it still looks
//   every fallback_poll in case a notification was missed. An awake relay
//   is not notified (notifying commits serialize in Postgres), so it goes to
//   sleep only when no producer transaction is open, and claims once more.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include <nats/nats.h>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "prometheus/registry.h"
#include "services/kit/logger.h"
#include "services/kit/nats_client.h"
#include "services/kit/outbox_listener.h"
#include "services/kit/pg_pool.h"

namespace clipforge::kit {

struct RelayOptions {
  int batch_size = 2000;
  // Run looks at the outbox when a commit notifies it, and at least this
  // often without one (a notification missed while the listening
  // connection was down).
  absl::Duration fallback_poll = absl::Seconds(5);
  absl::Duration publish_timeout = absl::Seconds(5);
  // Published rows are kept this long so that they can be re-driven.
  absl::Duration retention = absl::Minutes(10);
  absl::Duration purge_interval = absl::Seconds(30);
  StreamSpec stream;
};

class OutboxRelay {
 public:
  // The pool's connections need no role beyond SELECT/UPDATE/DELETE on
  // bus.outbox; Statements() must be registered on it.
  static absl::StatusOr<std::unique_ptr<OutboxRelay>> Create(
      PgPool& pool, natsConnection* nats, RelayOptions options, Logger& logger,
      prometheus::Registry& registry);
  ~OutboxRelay();

  static std::vector<PreparedStatement> Statements(const RelayOptions& options);

  // One batch: returns how many events were published and marked sent (0
  // when there was nothing to do or another relay holds the lock).
  absl::StatusOr<int> RunOnce();

  // Deletes published rows older than the retention window.
  absl::StatusOr<int64_t> PurgeExpired();

  // Loops until `stop` is set: publishes, waits for a commit's
  // notification (or fallback_poll), purges, and backs off on errors.
  void Run(const std::atomic<bool>& stop);

 private:
  struct Row;
  OutboxRelay(PgPool& pool, RelayOptions options, Logger& logger, prometheus::Registry& registry);
  static void OnAck(jsCtx* js, natsMsg* msg, jsPubAck* ack, jsPubAckErr* err, void* closure);
  // Publishes `rows` (one per aggregate) and returns which were acknowledged.
  std::vector<bool> PublishWave(const std::vector<const Row*>& rows);

  PgPool& pool_;
  const RelayOptions options_;
  Logger& logger_;
  natsConnection* nats_ = nullptr;  // Not owned.
  NatsPtr<jsCtx> js_;
  bool stream_ready_ = false;

  absl::Mutex mu_;
  // Message id -> acknowledged? for the wave in flight, and how many of its
  // messages have an answer (ack or error). Waiting on this count instead of
  // js_PublishAsyncComplete, which polls in 1 ms steps, lets a one-message
  // wave (a hot aggregate) finish in one round trip.
  absl::flat_hash_map<std::string, bool> wave_ ABSL_GUARDED_BY(mu_);
  size_t answered_ ABSL_GUARDED_BY(mu_) = 0;

  prometheus::Counter& published_;
  prometheus::Counter& publish_failures_;
  prometheus::Counter& purged_;
};

// Marks rows published at or after `since` as unsent so that the relay
// publishes them again; returns how many. JetStream's message-id dedup and
// the consumers' inboxes make this harmless.
absl::StatusOr<int64_t> RedriveOutbox(PgPool& pool, absl::Time since);

}  // namespace clipforge::kit
