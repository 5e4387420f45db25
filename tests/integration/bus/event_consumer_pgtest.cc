// Durable consumers: exactly-once application through the inbox, retries
// with backoff, dead-lettering of poison messages, and riding out a database
// outage without using up deliveries.
#include "services/kit/event_consumer.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "services/kit/pg_transaction.h"
#include "tests/support/bus_fixture.h"

namespace clipforge::testing {
namespace {

constexpr char kCreateApplied[] =
    "CREATE TABLE feed.applied (event_id uuid PRIMARY KEY, n bigint NOT NULL, times int NOT NULL)";

kit::ConsumerOptions Options(const std::string& durable) {
  return {.durable = durable,
          .filter_subject = "clipforge.test.>",
          .inbox_table = "feed.inbox",
          .dead_letter_table = "feed.dead_letter",
          .max_deliver = 3,
          .backoff = {absl::Milliseconds(20)},
          .fetch_wait = absl::Milliseconds(200)};
}

// Records each applied event; `times` would exceed 1 if an event were
// applied twice.
absl::Status Apply(pqxx::work& txn, const v1::EventEnvelope& e) {
  txn.exec_params(
      "INSERT INTO feed.applied VALUES ($1::uuid, $2, 1) "
      "ON CONFLICT (event_id) DO UPDATE SET times = feed.applied.times + 1",
      e.event_id(), e.test_ping().n());
  return absl::OkStatus();
}

struct ConsumerRig {
  explicit ConsumerRig(BusFixture& bus, kit::EventHandler handler, const std::string& durable = "test-consumer")
      : pool({.dsn = bus.pg().dsn(), .size = 2, .statements = kit::EventConsumer::Statements(Options(durable))}) {
    auto created = kit::EventConsumer::Create(pool, bus.nats_client(), Options(durable), std::move(handler),
                                              bus.logger());
    EXPECT_TRUE(created.ok()) << created.status();
    consumer = *std::move(created);
  }
  // Polls until `done` holds or ~10 s pass.
  void PollUntil(const std::function<bool()>& done) {
    for (int i = 0; i < 100 && !done(); ++i) {
      auto r = consumer->PollOnce();
      EXPECT_TRUE(r.ok()) << r.status();
    }
  }
  kit::PgPool pool;
  std::unique_ptr<kit::EventConsumer> consumer;
};

TEST(EventConsumerTest, AppliesEachEventOnceEvenWhenDeliveredTwice) {
  BusFixture bus;
  bus.Scalar(std::string(kCreateApplied) + "; SELECT 1");
  auto relay = bus.NewRelay();
  bus.Produce("agg", 20);
  ASSERT_EQ(bus.Drain(*relay), 20);
  // Publish every event a second time under a different message id, which
  // JetStream does not deduplicate: only the inbox stands in the way.
  for (const auto& m : bus.ReadStream()) {
    const std::string bytes = m.envelope.SerializeAsString();
    jsPubOptions opts;
    jsPubOptions_Init(&opts);
    const std::string other_id = "copy-" + m.message_id;
    opts.MsgId = other_id.c_str();
    jsPubAck* ack = nullptr;
    ASSERT_EQ(js_Publish(&ack, bus.nats_client().jetstream(), m.subject.c_str(), bytes.data(),
                         static_cast<int>(bytes.size()), &opts, nullptr),
              NATS_OK);
    jsPubAck_Destroy(ack);
  }
  ConsumerRig rig(bus, Apply);
  rig.PollUntil([&] { return bus.Scalar("SELECT count(*) FROM feed.inbox") == 20 &&
                             rig.consumer->PollOnce().value_or(-1) == 0; });
  EXPECT_EQ(bus.Scalar("SELECT count(*) FROM feed.applied"), 20);
  EXPECT_EQ(bus.Scalar("SELECT max(times) FROM feed.applied"), 1);
}

TEST(EventConsumerTest, PoisonMessageIsDeadLetteredAfterMaxDeliverAndTheRestFlows) {
  BusFixture bus;
  bus.Scalar(std::string(kCreateApplied) + "; SELECT 1");
  auto relay = bus.NewRelay();
  bus.Produce("agg", 30);
  ASSERT_EQ(bus.Drain(*relay), 30);
  int poison_attempts = 0;
  ConsumerRig rig(bus, [&](pqxx::work& txn, const v1::EventEnvelope& e) -> absl::Status {
    if (e.test_ping().n() == 13) {
      ++poison_attempts;
      return absl::InternalError("cannot apply event 13");
    }
    return Apply(txn, e);
  });
  rig.PollUntil([&] { return bus.Scalar("SELECT count(*) FROM feed.dead_letter") == 1 &&
                             bus.Scalar("SELECT count(*) FROM feed.applied") == 29; });
  EXPECT_EQ(bus.Scalar("SELECT count(*) FROM feed.applied"), 29);
  EXPECT_EQ(poison_attempts, 3);
  EXPECT_EQ(bus.Scalar("SELECT deliveries FROM feed.dead_letter"), 3);
  EXPECT_EQ(bus.Scalar("SELECT count(*) FROM feed.dead_letter WHERE error = 'cannot apply event 13'"), 1);
  // Nothing of the failed attempts was half-applied.
  EXPECT_EQ(bus.Scalar("SELECT count(*) FROM feed.inbox"), 29);
  const auto dlq = bus.ReadStream("clipforge.dlq.>");
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_EQ(dlq[0].subject, "clipforge.dlq.test-consumer");
  EXPECT_EQ(dlq[0].envelope.test_ping().n(), 13);
}

TEST(EventConsumerTest, MalformedMessageIsDeadLetteredAtOnce) {
  BusFixture bus;
  bus.Scalar(std::string(kCreateApplied) + "; SELECT 1");
  jsPubAck* ack = nullptr;
  const std::string garbage = "\xFF\xFF not a protobuf";
  ASSERT_EQ(js_Publish(&ack, bus.nats_client().jetstream(), "clipforge.test.ping", garbage.data(),
                       static_cast<int>(garbage.size()), nullptr, nullptr),
            NATS_OK);
  jsPubAck_Destroy(ack);
  auto relay = bus.NewRelay();
  bus.Produce("agg", 1);
  ASSERT_EQ(bus.Drain(*relay), 1);
  ConsumerRig rig(bus, Apply);
  rig.PollUntil([&] { return bus.Scalar("SELECT count(*) FROM feed.dead_letter") == 1 &&
                             bus.Scalar("SELECT count(*) FROM feed.applied") == 1; });
  EXPECT_EQ(bus.Scalar("SELECT count(*) FROM feed.dead_letter WHERE error = 'malformed event envelope' AND deliveries = 1"), 1);
  EXPECT_EQ(bus.Scalar("SELECT count(*) FROM feed.applied"), 1);
}

// The default options (max_deliver 5, about 7.6 s of backoff) once
// dead-lettered every event during a 20 s Postgres stop, and lost each one
// whose dead-letter write failed too. An outage is not the event's fault: it
// is retried in process without using up deliveries.
TEST(EventConsumerTest, DefaultOptionsApplyEveryEventOnceAcrossA20SecondPostgresStop) {
  constexpr int kEvents = 40;
  BusFixture bus;
  bus.Scalar(std::string(kCreateApplied) + "; SELECT 1");
  auto relay = bus.NewRelay();
  bus.Produce("agg-a", kEvents / 2);
  bus.Produce("agg-b", kEvents / 2, kEvents / 2);
  ASSERT_EQ(bus.Drain(*relay), kEvents);

  const kit::ConsumerOptions options{.durable = "outage",
                                     .filter_subject = "clipforge.test.>",
                                     .inbox_table = "feed.inbox",
                                     .dead_letter_table = "feed.dead_letter"};
  kit::PgPool pool({.dsn = bus.pg().dsn(), .size = 2, .statements = kit::EventConsumer::Statements(options)});
  auto consumer = kit::EventConsumer::Create(pool, bus.nats_client(), options, Apply, bus.logger());
  ASSERT_TRUE(consumer.ok()) << consumer.status();

  bus.pg().Stop();
  std::atomic<bool> stop{false};
  std::thread runner([&] { (*consumer)->Run(stop); });
  // The consumer meets the outage for 20 s (no event can be applied).
  const absl::Time outage_end = absl::Now() + absl::Seconds(20);
  while (absl::Now() < outage_end) absl::SleepFor(absl::Milliseconds(200));
  bus.pg().Restart();

  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  int64_t applied = 0;
  while (absl::Now() < deadline) {
    applied = bus.Scalar("SELECT count(*) FROM feed.applied");
    if (applied == kEvents) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  stop = true;
  runner.join();
  EXPECT_EQ(applied, kEvents);
  EXPECT_EQ(bus.Scalar("SELECT count(*) FROM feed.dead_letter"), 0);
  EXPECT_EQ(bus.Scalar("SELECT coalesce(max(times), 0) FROM feed.applied"), 1);
  EXPECT_EQ(bus.Scalar("SELECT count(*) FROM feed.inbox"), kEvents);
}

}  // namespace
}  // namespace clipforge::testing
