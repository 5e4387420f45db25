#include "services/kit/outbox_relay.h"

#include <algorithm>

#include <pqxx/binarystring>
#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "prometheus/counter.h"
#include "services/kit/pg_errors.h"
#include "services/kit/pg_transaction.h"

namespace clipforge::kit {
namespace {

// pg_try_advisory_xact_lock key: "cf-relay" in ASCII.
constexpr int64_t kRelayLockKey = 0x63662d72656c6179;
constexpr char kLock[] = "cf_relay_lock";
constexpr char kClaim[] = "cf_relay_claim";
constexpr char kMark[] = "cf_relay_mark";
constexpr char kPurge[] = "cf_relay_purge";
constexpr char kRedrive[] = "cf_relay_redrive";

std::string SeqArray(const std::vector<int64_t>& seqs) {
  std::string out = "{";
  for (size_t i = 0; i < seqs.size(); ++i) absl::StrAppend(&out, i ? "," : "", seqs[i]);
  out += "}";
  return out;
}

}  // namespace

struct OutboxRelay::Row {
  int64_t seq;
  std::string event_id;
  std::string subject;
  std::string aggregate_id;
  std::string envelope;
};

std::vector<PreparedStatement> OutboxRelay::Statements(const RelayOptions& options) {
  return {
      {kLock, absl::StrCat("SELECT pg_try_advisory_xact_lock(", kRelayLockKey, ")")},
      // The batch size is configuration, not input; inlining it keeps the
      // planner on the partial index instead of a generic plan. No row
      // locks: the advisory lock above already admits one relay at a time,
      // and locking each row would write every tuple one more time.
      {kClaim, absl::StrCat("SELECT seq, event_id::text, subject, aggregate_id, envelope "
                            "FROM bus.outbox WHERE published_at IS NULL ORDER BY seq LIMIT ",
                            std::max(1, options.batch_size))},
      {kMark, "UPDATE bus.outbox SET published_at = now() WHERE seq = ANY($1::bigint[])"},
      {kPurge, "DELETE FROM bus.outbox WHERE seq IN (SELECT seq FROM bus.outbox "
               "WHERE published_at < now() - $1::bigint * interval '1 millisecond' LIMIT 10000)"},
      {kRedrive, "UPDATE bus.outbox SET published_at = NULL "
                 "WHERE published_at >= to_timestamp($1::double precision)"},
  };
}

OutboxRelay::OutboxRelay(PgPool& pool, RelayOptions options, Logger& logger,
                         prometheus::Registry& registry)
    : pool_(pool),
      options_(std::move(options)),
      logger_(logger),
      published_(prometheus::BuildCounter()
                     .Name("clipforge_outbox_published_total")
                     .Help("Outbox events published to JetStream and marked sent.")
                     .Register(registry)
                     .Add({})),
      publish_failures_(prometheus::BuildCounter()
                            .Name("clipforge_outbox_publish_failures_total")
                            .Help("Outbox events whose publish was not acknowledged.")
                            .Register(registry)
                            .Add({})),
      purged_(prometheus::BuildCounter()
                  .Name("clipforge_outbox_purged_total")
                  .Help("Published outbox rows deleted after the retention window.")
                  .Register(registry)
                  .Add({})) {}

OutboxRelay::~OutboxRelay() = default;

absl::StatusOr<std::unique_ptr<OutboxRelay>> OutboxRelay::Create(
    PgPool& pool, natsConnection* nats, RelayOptions options, Logger& logger,
    prometheus::Registry& registry) {
  auto relay = std::unique_ptr<OutboxRelay>(new OutboxRelay(pool, std::move(options), logger, registry));
  jsOptions js_opts;
  jsOptions_Init(&js_opts);
  js_opts.Wait = absl::ToInt64Milliseconds(relay->options_.publish_timeout);
  js_opts.PublishAsync.MaxPending = relay->options_.batch_size;
  js_opts.PublishAsync.AckHandler = &OutboxRelay::OnAck;
  js_opts.PublishAsync.AckHandlerClosure = relay.get();
  jsCtx* js = nullptr;
  if (natsStatus s = natsConnection_JetStream(&js, nats, &js_opts); s != NATS_OK) {
    return StatusFromNats(s, "relay jetstream context");
  }
  relay->js_.reset(js);
  relay->nats_ = nats;
  return relay;
}

void OutboxRelay::OnAck(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr*, void* closure) {
  auto* relay = static_cast<OutboxRelay*>(closure);
  const char* id = nullptr;
  if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) == NATS_OK && id != nullptr) {
    absl::MutexLock lock(&relay->mu_);
    if (auto it = relay->wave_.find(id); it != relay->wave_.end()) {
      it->second = ack != nullptr;
      ++relay->answered_;
    }
  }
  natsMsg_Destroy(msg);
}

std::vector<bool> OutboxRelay::PublishWave(const std::vector<const Row*>& rows) {
  {
    absl::MutexLock lock(&mu_);
    wave_.clear();
    answered_ = 0;
    for (const Row* row : rows) wave_.emplace(row->event_id, false);
  }
  size_t sent = 0;
  for (const Row* row : rows) {
    natsMsg* msg = nullptr;
    natsStatus s = natsMsg_Create(&msg, row->subject.c_str(), nullptr, row->envelope.data(),
                                  static_cast<int>(row->envelope.size()));
    if (s == NATS_OK) s = natsMsgHeader_Set(msg, "Nats-Msg-Id", row->event_id.c_str());
    if (s == NATS_OK) s = js_PublishMsgAsync(js_.get(), &msg, nullptr);
    if (msg != nullptr) natsMsg_Destroy(msg);  // Ours again only if the publish failed.
    if (s != NATS_OK) break;  // Disconnected: the rest of the wave waits for the next pass.
    ++sent;
  }
  // cnats hands buffered publishes to its flusher thread, which can sit on
  // them for about a millisecond; flushing now makes a small wave (a hot
  // aggregate's next event) cost one round trip instead.
  if (sent > 0) natsConnection_FlushTimeout(nats_, absl::ToInt64Milliseconds(options_.publish_timeout));
  bool all_answered;
  {
    absl::MutexLock lock(&mu_);
    const auto done = [this, sent]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return answered_ >= sent; };
    all_answered = mu_.AwaitWithTimeout(absl::Condition(&done), options_.publish_timeout);
  }
  if (!all_answered) {
    // Unanswered after the timeout: drop them from the library's queue;
    // they stay unsent in the outbox and go out again next pass.
    natsMsgList pending;
    if (js_PublishAsyncGetPendingList(&pending, js_.get()) == NATS_OK) natsMsgList_Destroy(&pending);
  }
  std::vector<bool> acked(rows.size());
  absl::MutexLock lock(&mu_);
  for (size_t i = 0; i < rows.size(); ++i) acked[i] = wave_[rows[i]->event_id];
  wave_.clear();
  return acked;
}

absl::StatusOr<int> OutboxRelay::RunOnce() {
  if (!stream_ready_) {
    absl::Status ensured = EnsureStream(js_.get(), options_.stream);
    if (!ensured.ok()) return ensured;
    stream_ready_ = true;
  }
  absl::StatusOr<PgPool::Lease> lease = pool_.Acquire();
  if (!lease.ok()) return lease.status();
  int published = 0;
  int failed = 0;
  absl::Status status = CatchPqxx([&]() -> absl::Status {
    pqxx::work txn(**lease);
    if (!txn.exec_prepared1(kLock)[0].as<bool>()) return absl::OkStatus();
    const pqxx::result result = txn.exec_prepared(kClaim);
    if (result.empty()) return absl::OkStatus();

    std::vector<Row> rows;
    rows.reserve(result.size());
    for (const auto& r : result) {
      const pqxx::binarystring envelope(r[4]);
      rows.push_back(Row{r[0].as<int64_t>(), r[1].as<std::string>(), r[2].as<std::string>(),
                         r[3].as<std::string>(), envelope.str()});
    }
    // Wave k holds the k-th event of each aggregate in this batch.
    absl::flat_hash_map<absl::string_view, int> seen;
    std::vector<std::vector<const Row*>> waves;
    for (const Row& row : rows) {
      const int k = seen[row.aggregate_id]++;
      if (static_cast<int>(waves.size()) <= k) waves.emplace_back();
      waves[k].push_back(&row);
    }
    absl::flat_hash_map<absl::string_view, bool> blocked;
    std::vector<int64_t> sent;
    for (auto& wave : waves) {
      std::erase_if(wave, [&](const Row* row) { return blocked.contains(row->aggregate_id); });
      if (wave.empty()) continue;
      const std::vector<bool> acked = PublishWave(wave);
      for (size_t i = 0; i < wave.size(); ++i) {
        if (acked[i]) {
          sent.push_back(wave[i]->seq);
        } else {
          blocked[wave[i]->aggregate_id] = true;
        }
      }
    }
    if (!sent.empty()) txn.exec_prepared(kMark, SeqArray(sent));
    txn.commit();
    published = static_cast<int>(sent.size());
    published_.Increment(published);
    failed = static_cast<int>(rows.size()) - published;
    return absl::OkStatus();
  });
  if (!status.ok()) {
    if (absl::IsUnavailable(status) || absl::IsUnknown(status)) lease->Discard();
    return status;
  }
  if (failed > 0) {
    publish_failures_.Increment(failed);
    return absl::UnavailableError(
        absl::StrCat("relay: ", failed, " events not acknowledged by JetStream; will retry"));
  }
  return published;
}

absl::StatusOr<int64_t> OutboxRelay::PurgeExpired() {
  int64_t total = 0;
  absl::Status status = RunInTransaction(pool_, [&](pqxx::work& txn) {
    total = txn.exec_prepared(kPurge, absl::ToInt64Milliseconds(options_.retention)).affected_rows();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  purged_.Increment(static_cast<double>(total));
  return total;
}

void OutboxRelay::Run(const std::atomic<bool>& stop) {
  // Checked this often while waiting, so that a stop is seen promptly.
  constexpr absl::Duration kStopCheck = absl::Milliseconds(250);
  // How often an awake relay looks while producers are mid-transaction.
  constexpr absl::Duration kBusyPoll = absl::Milliseconds(5);
  OutboxListener listener(pool_.options().dsn);
  absl::Duration backoff = absl::Milliseconds(10);
  absl::Time next_purge = absl::Now() + options_.purge_interval;
  while (!stop.load(std::memory_order_acquire)) {
    if (absl::Now() >= next_purge) {
      next_purge = absl::Now() + options_.purge_interval;
      if (auto purged = PurgeExpired(); !purged.ok()) {
        logger_.Warn("outbox_purge_error", {{"error", purged.status().message()}});
      }
    }
    // LISTEN before claiming, so no commit falls between the two.
    listener.EnsureListening();
    absl::StatusOr<int> published = RunOnce();
    if (!published.ok()) {
      logger_.Warn("outbox_relay_error", {{"error", published.status().message()}});
      backoff = std::min(backoff * 2, absl::Seconds(1));
      absl::SleepFor(backoff);
      continue;
    }
    backoff = absl::Milliseconds(10);
    if (*published < options_.batch_size) {
      if (listener.listening() && !listener.TrySleep()) {
        // Producers are mid-transaction and will not notify: stay awake,
        // polling briefly, until they are done.
        absl::SleepFor(kBusyPoll);
        continue;
      }
      // From here every insert notifies; claim once more for the commits of
      // those that did not.
      if (listener.listening()) {
        absl::StatusOr<int> more = RunOnce();
        if (!more.ok() || *more > 0) {
          listener.Wake();
          continue;
        }
      }
      // Caught up: sleep until a commit notifies us or the fallback poll is
      // due (or, not listening, until the fallback poll while reconnecting).
      const absl::Time poll_at = absl::Now() + options_.fallback_poll;
      while (!stop.load(std::memory_order_acquire)) {
        const absl::Duration left = poll_at - absl::Now();
        if (left <= absl::ZeroDuration() || listener.Wait(std::min(left, kStopCheck))) break;
      }
      listener.Wake();
    }
  }
}

absl::StatusOr<int64_t> RedriveOutbox(PgPool& pool, absl::Time since) {
  int64_t total = 0;
  absl::Status status = RunInTransaction(pool, [&](pqxx::work& txn) {
    total = txn.exec_prepared(kRedrive, absl::ToDoubleSeconds(since - absl::UnixEpoch()))
                .affected_rows();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return total;
}

}  // namespace clipforge::kit
