#include "services/kit/event_consumer.h"

#include <algorithm>

#include <pqxx/binarystring>
#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "services/kit/pg_transaction.h"
#include "base/validation.h"

namespace clipforge::kit {
namespace {

std::string InboxStatement(const ConsumerOptions& o) { return "cf_inbox_" + o.durable; }
std::string DeadLetterStatement(const ConsumerOptions& o) { return "cf_dead_letter_" + o.durable; }

std::string MessageIdOf(natsMsg* msg) {
  const char* id = nullptr;
  if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) == NATS_OK && id != nullptr) return id;
  return {};
}

}  // namespace

bool IsTransientConsumerFailure(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:  // Database down or connection broken.
    case absl::StatusCode::kUnknown:      // Commit outcome unknown: the inbox makes a retry safe.
    case absl::StatusCode::kAborted:      // Conflicts that outlived the runner's retries.
      return true;
    default:
      return false;
  }
}

std::vector<PreparedStatement> EventConsumer::Statements(const ConsumerOptions& o) {
  return {
      {InboxStatement(o), absl::StrCat("INSERT INTO ", o.inbox_table,
                                       " (consumer, event_id) VALUES ($1, $2::uuid) "
                                       "ON CONFLICT DO NOTHING")},
      {DeadLetterStatement(o),
       absl::StrCat("INSERT INTO ", o.dead_letter_table,
                    " (consumer, event_id, subject, envelope, error, deliveries) "
                    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (consumer, event_id) DO UPDATE "
                    "SET error = EXCLUDED.error, deliveries = EXCLUDED.deliveries, failed_at = now()")},
  };
}

EventConsumer::EventConsumer(PgPool& pool, NatsClient& nats, ConsumerOptions options,
                             EventHandler handler, Logger& logger)
    : pool_(pool), nats_(nats), options_(std::move(options)), handler_(std::move(handler)),
      logger_(logger) {}

EventConsumer::~EventConsumer() {
  // Keep the durable consumer on the server: only drop our interest.
  if (sub_ != nullptr) natsSubscription_Unsubscribe(sub_.get());
}

absl::StatusOr<std::unique_ptr<EventConsumer>> EventConsumer::Create(
    PgPool& pool, NatsClient& nats, ConsumerOptions options, EventHandler handler,
    Logger& logger) {
  if (options.durable.empty() || options.filter_subject.empty() || options.max_deliver < 1 ||
      options.backoff.empty() || options.transient_backoff <= absl::ZeroDuration() ||
      options.transient_backoff_max < options.transient_backoff) {
    return absl::InvalidArgumentError("consumer: durable, filter_subject, max_deliver, backoff and transient_backoff are required");
  }
  return std::unique_ptr<EventConsumer>(
      new EventConsumer(pool, nats, std::move(options), std::move(handler), logger));
}

absl::Status EventConsumer::Subscribe() {
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = options_.stream.c_str();
  so.Config.Durable = options_.durable.c_str();
  so.Config.AckPolicy = js_AckExplicit;
  so.Config.DeliverPolicy = js_DeliverAll;
  // No server-side limit: the consumer dead-letters after max_deliver
  // handler failures itself, and a message whose dead-letter row cannot be
  // written yet must come back rather than be dropped.
  so.Config.MaxDeliver = -1;
  so.Config.AckWait = absl::ToInt64Nanoseconds(options_.ack_wait);
  so.Config.FilterSubject = options_.filter_subject.c_str();
  so.Config.MaxAckPending = std::max(1000, options_.fetch_batch * 4);
  natsSubscription* sub = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  natsStatus s = js_PullSubscribe(&sub, nats_.jetstream(), options_.filter_subject.c_str(),
                                  options_.durable.c_str(), nullptr, &so, &err);
  if (s != NATS_OK) return StatusFromNats(s, absl::StrCat("subscribe ", options_.durable));
  sub_.reset(sub);
  return absl::OkStatus();
}

absl::StatusOr<int> EventConsumer::PollOnce(const std::atomic<bool>& stop) {
  if (sub_ == nullptr) {
    if (absl::Status s = Subscribe(); !s.ok()) return s;
  }
  natsMsgList list{};
  jsErrCode err = static_cast<jsErrCode>(0);
  natsStatus s = natsSubscription_Fetch(&list, sub_.get(), options_.fetch_batch,
                                        absl::ToInt64Milliseconds(options_.fetch_wait), &err);
  if (s == NATS_TIMEOUT) return 0;
  if (s != NATS_OK) return StatusFromNats(s, absl::StrCat("fetch ", options_.durable));
  const absl::Span<natsMsg* const> batch(list.Msgs, static_cast<size_t>(list.Count));
  for (size_t i = 0; i < batch.size(); ++i) Process(batch.subspan(i), stop);
  const int count = list.Count;
  natsMsgList_Destroy(&list);
  return count;
}

absl::Status EventConsumer::Apply(const v1::EventEnvelope& envelope) {
  return RunInTransaction(pool_, [&](pqxx::work& txn) -> absl::Status {
    const pqxx::result fresh =
        txn.exec_prepared(InboxStatement(options_), options_.durable, envelope.event_id());
    if (fresh.affected_rows() == 0) return absl::OkStatus();  // Applied before: only ack.
    return handler_(txn, envelope);
  });
}

absl::Status EventConsumer::RetryTransient(absl::Span<natsMsg* const> held,
                                           const std::atomic<bool>& stop,
                                           const std::string& event_id,
                                           const std::function<absl::Status()>& attempt) {
  absl::Status status = attempt();
  if (!IsTransientConsumerFailure(status)) return status;
  logger_.Warn("event_retry_transient", {{"consumer", options_.durable},
                                         {"event_id", event_id},
                                         {"error", status.message()}});
  const absl::Duration cap = std::min(options_.transient_backoff_max, options_.ack_wait / 2);
  absl::Duration delay = std::min(options_.transient_backoff, cap);
  while (IsTransientConsumerFailure(status)) {
    // Extend the ack wait of everything held, so nothing is redelivered (and
    // counted) while we wait for the outage to end.
    for (natsMsg* m : held) natsMsg_InProgress(m, nullptr);
    const absl::Time wake = absl::Now() + delay;
    while (absl::Now() < wake) {
      if (stop.load(std::memory_order_acquire)) return status;
      absl::SleepFor(std::min(absl::Milliseconds(100), wake - absl::Now()));
    }
    delay = std::min(delay * 2, cap);
    status = attempt();
  }
  if (status.ok()) {
    logger_.Info("event_retry_recovered", {{"consumer", options_.durable}, {"event_id", event_id}});
  }
  return status;
}

void EventConsumer::Process(absl::Span<natsMsg* const> held, const std::atomic<bool>& stop) {
  natsMsg* msg = held.front();
  const std::string message_id = MessageIdOf(msg);
  jsMsgMetaData* meta = nullptr;
  int64_t deliveries = 1;
  if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
    deliveries = static_cast<int64_t>(meta->NumDelivered);
    jsMsgMetaData_Destroy(meta);
  }

  v1::EventEnvelope envelope;
  const bool parsed = envelope.ParseFromArray(natsMsg_GetData(msg), natsMsg_GetDataLength(msg)) &&
                      base::IsCanonicalUuid(envelope.event_id());
  if (!parsed) {
    // No retry can fix a malformed message: dead-letter it at once.
    DeadLetter(held, message_id, "malformed event envelope", deliveries, stop);
    return;
  }

  const absl::Status status =
      RetryTransient(held, stop, envelope.event_id(), [&] { return Apply(envelope); });
  if (status.ok()) {
    natsMsg_Ack(msg, nullptr);
    return;
  }
  if (IsTransientConsumerFailure(status)) {
    // Stopping mid-outage: hand the message back for whoever runs next.
    natsMsg_Nak(msg, nullptr);
    return;
  }
  if (deliveries >= options_.max_deliver) {
    DeadLetter(held, envelope.event_id(), std::string(status.message()), deliveries, stop);
    return;
  }
  const size_t step = std::min<size_t>(static_cast<size_t>(deliveries) - 1, options_.backoff.size() - 1);
  logger_.Warn("event_retry", {{"consumer", options_.durable},
                               {"event_id", envelope.event_id()},
                               {"deliveries", deliveries},
                               {"error", status.message()}});
  natsMsg_NakWithDelay(msg, absl::ToInt64Milliseconds(options_.backoff[step]), nullptr);
}

absl::Status EventConsumer::StoreDeadLetter(natsMsg* msg, const std::string& key,
                                            const std::string& error, int64_t deliveries) {
  const std::string subject = natsMsg_GetSubject(msg);
  const std::string data(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
  return RunInTransaction(pool_, [&](pqxx::work& txn) {
    txn.exec_prepared(DeadLetterStatement(options_), options_.durable, key, subject,
                      pqxx::binarystring(data.data(), data.size()), error, deliveries);
    return absl::OkStatus();
  });
}

void EventConsumer::DeadLetter(absl::Span<natsMsg* const> held, const std::string& event_id,
                               const std::string& error, int64_t deliveries,
                               const std::atomic<bool>& stop) {
  natsMsg* msg = held.front();
  const std::string subject = natsMsg_GetSubject(msg);
  const std::string data(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
  // The dead-letter row keys on the event id; a malformed message without
  // one is keyed by its stream position instead.
  std::string key = event_id;
  if (!base::IsCanonicalUuid(key)) key = absl::StrCat("unparsed:", subject, ":", MessageIdOf(msg));
  const absl::Status stored = RetryTransient(
      held, stop, key, [&] { return StoreDeadLetter(msg, key, error, deliveries); });
  if (!stored.ok()) {
    // Not stored: hand it back to be redelivered rather than lose it (the
    // server has no MaxDeliver, so it will come back).
    logger_.Error("dead_letter_store_failed", {{"consumer", options_.durable},
                                               {"event_id", key},
                                               {"error", stored.message()}});
    natsMsg_NakWithDelay(msg, absl::ToInt64Milliseconds(options_.backoff.back()), nullptr);
    return;
  }
  NatsPtr<natsMsg> dlq;
  natsMsg* raw = nullptr;
  const std::string dlq_subject = absl::StrCat("clipforge.dlq.", options_.durable);
  if (natsMsg_Create(&raw, dlq_subject.c_str(), nullptr, data.data(), static_cast<int>(data.size())) == NATS_OK) {
    dlq.reset(raw);
    natsMsgHeader_Set(raw, "Nats-Msg-Id", absl::StrCat("dlq:", options_.durable, ":", key).c_str());
    natsMsgHeader_Set(raw, "Clipforge-Error", error.substr(0, 1024).c_str());
    natsMsgHeader_Set(raw, "Clipforge-Original-Subject", subject.c_str());
    jsPubAck* ack = nullptr;
    if (js_PublishMsg(&ack, nats_.jetstream(), raw, nullptr, nullptr) == NATS_OK) jsPubAck_Destroy(ack);
  }
  logger_.Error("event_dead_lettered", {{"consumer", options_.durable},
                                        {"event_id", key},
                                        {"deliveries", deliveries},
                                        {"error", error}});
  natsMsg_Term(msg, nullptr);
}

void EventConsumer::Run(const std::atomic<bool>& stop) {
  while (!stop.load(std::memory_order_acquire)) {
    absl::StatusOr<int> handled = PollOnce(stop);
    if (!handled.ok()) {
      logger_.Warn("consumer_error", {{"consumer", options_.durable}, {"error", handled.status().message()}});
      sub_.reset();  // Resubscribe after the outage.
      absl::SleepFor(absl::Milliseconds(500));
    }
  }
}

}  // namespace clipforge::kit
