// The bus under failure, with the relay as a real clipforged process: while
// 10,000 events are produced (some in transactions that roll back), the relay
// is killed with SIGKILL three times, nats-server is killed and restarted,
// and Postgres is restarted. Every committed event must be applied exactly
// once by a consumer, and no rolled-back event may appear.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <pqxx/pqxx>

#include "services/kit/event_consumer.h"
#include "services/kit/pg_transaction.h"
#include "base/status_macros.h"
#include "tests/support/clipforged_process.h"
#include "tests/support/bus_fixture.h"

namespace clipforge::testing {
namespace {

constexpr int kProducers = 4;
constexpr int kEventsPerProducer = 2500;

// The relay alone, as its own clipforged process.
std::unique_ptr<ClipforgedServer> StartRelay(BusFixture& bus) {
  return ClipforgedServer::Start(CF_CLIPFORGED, {.services = "relay",
                                                 .database_url = bus.pg().dsn(),
                                                 .nats_url = bus.nats().url(),
                                                 .signing_key = false,
                                                 .extra_flags = {"--relay-batch-size=500", "--log-level=warn"}});
}

TEST(BusResilienceTest, EveryCommittedEventIsAppliedExactlyOnceThroughCrashes) {
  BusFixture bus;
  bus.Scalar("CREATE TABLE feed.applied (event_id uuid PRIMARY KEY, times int NOT NULL); SELECT 1");

  const std::unique_ptr<ClipforgedServer> relay = StartRelay(bus);
  ASSERT_NE(relay, nullptr);

  // The consumer applies events into feed.applied; `times` counts how often.
  const kit::ConsumerOptions options{.durable = "resilience",
                                     .filter_subject = "clipforge.test.>",
                                     .inbox_table = "feed.inbox",
                                     .dead_letter_table = "feed.dead_letter",
                                     .max_deliver = 50,
                                     .backoff = {absl::Milliseconds(50), absl::Milliseconds(200)},
                                     .fetch_wait = absl::Milliseconds(200)};
  kit::PgPool consumer_pool({.dsn = bus.pg().dsn(), .size = 2,
                             .statements = kit::EventConsumer::Statements(options)});
  auto consumer = kit::EventConsumer::Create(
      consumer_pool, bus.nats_client(), options,
      [](pqxx::work& txn, const v1::EventEnvelope& e) {
        txn.exec_params("INSERT INTO feed.applied VALUES ($1::uuid, 1) "
                        "ON CONFLICT (event_id) DO UPDATE SET times = feed.applied.times + 1",
                        e.event_id());
        return absl::OkStatus();
      },
      bus.logger());
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  std::atomic<bool> stop_consumer{false};
  std::thread consumer_thread([&] { (*consumer)->Run(stop_consumer); });

  // Producers: transactions of 1-8 events over 50 aggregates; every tenth
  // transaction rolls back after appending its events.
  std::mutex mu;
  std::set<std::string> committed, rolled_back;
  std::atomic<int> committed_count{0};
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      std::minstd_rand rng(p + 1);
      int mine = 0;
      for (int txn_no = 0; mine < kEventsPerProducer; ++txn_no) {
        const int size = std::min(1 + static_cast<int>(rng() % 8), kEventsPerProducer - mine);
        const bool roll_back = txn_no % 10 == 9;
        std::vector<std::string> ids;
        const absl::Status status = kit::RunInTransaction(bus.producer_pool(), [&](pqxx::work& txn) {
          ids.clear();
          for (int i = 0; i < size; ++i) {
            v1::EventEnvelope e = bus.events().New("clipforge.test.ping", "test",
                                                   "agg-" + std::to_string(rng() % 50));
            e.mutable_test_ping()->set_n(p * kEventsPerProducer + mine + i);
            CF_RETURN_IF_ERROR(kit::OutboxWriter::Append(txn, e));
            ids.push_back(e.event_id());
          }
          return roll_back ? absl::CancelledError("rolled back on purpose") : absl::OkStatus();
        });
        std::lock_guard<std::mutex> lock(mu);
        if (status.ok()) {
          committed.insert(ids.begin(), ids.end());
          mine += size;
          committed_count += size;
        } else if (roll_back) {
          rolled_back.insert(ids.begin(), ids.end());
        } else {
          absl::SleepFor(absl::Milliseconds(100));  // Postgres is restarting.
        }
      }
    });
  }

  const auto wait_for = [&](int count) {
    while (committed_count < count) absl::SleepFor(absl::Milliseconds(5));
  };
  // SIGKILL the relay three times mid-stream: with batches of 500 flowing,
  // kills land between publish and mark-sent.
  for (int at : {1000, 2000, 3000}) {
    wait_for(at);
    relay->Kill();
    ASSERT_TRUE(relay->Restart());
  }
  wait_for(5000);
  // nats-server crashes. Debian's 2.9.10 may lose acknowledged messages on a
  // crash, so the runbook re-drives the outbox window afterwards.
  const absl::Time before_crash = absl::Now() - absl::Seconds(30);
  bus.nats().Crash();
  absl::SleepFor(absl::Milliseconds(500));
  bus.nats().Restart();
  kit::PgPool redrive_pool({.dsn = bus.pg().dsn(), .size = 1, .role = "cf_bus",
                            .statements = kit::OutboxRelay::Statements({})});
  auto redriven = kit::RedriveOutbox(redrive_pool, before_crash);
  EXPECT_TRUE(redriven.ok()) << redriven.status();

  wait_for(7500);
  bus.pg().Stop();
  absl::SleepFor(absl::Seconds(1));
  bus.pg().Restart();

  for (auto& t : producers) t.join();
  ASSERT_EQ(committed.size(), static_cast<size_t>(kProducers * kEventsPerProducer));

  // The outbox is the truth: it also holds events whose commit outcome a
  // producer could not learn while Postgres restarted.
  const int64_t in_outbox = bus.Scalar("SELECT count(*) FROM bus.outbox");
  EXPECT_GE(in_outbox, static_cast<int64_t>(committed.size()));

  // Wait (bounded) until the consumer has applied everything committed.
  int64_t applied = 0;
  for (int i = 0; i < 1200 && applied < in_outbox; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    applied = bus.Scalar("SELECT count(*) FROM feed.applied");
  }
  stop_consumer = true;
  consumer_thread.join();
  relay->Stop();

  EXPECT_EQ(applied, in_outbox);
  EXPECT_EQ(bus.Scalar("SELECT max(times) FROM feed.applied"), 1);
  EXPECT_EQ(bus.Scalar("SELECT count(*) FROM feed.dead_letter"), 0);

  // Exactly the outbox's events were applied, every acknowledged commit
  // among them, and no rolled-back one.
  std::set<std::string> applied_ids, outbox_ids;
  ASSERT_TRUE(kit::RunInTransaction(bus.admin_pool(), [&](pqxx::work& txn) {
                for (const auto& row : txn.exec("SELECT event_id::text FROM feed.applied")) {
                  applied_ids.insert(row[0].as<std::string>());
                }
                for (const auto& row : txn.exec("SELECT event_id::text FROM bus.outbox")) {
                  outbox_ids.insert(row[0].as<std::string>());
                }
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(applied_ids, outbox_ids);
  for (const std::string& id : committed) EXPECT_TRUE(applied_ids.contains(id)) << id;
  for (const std::string& id : rolled_back) EXPECT_FALSE(applied_ids.contains(id)) << id;
  // Republishing after the kills and the redrive stored nothing twice.
  EXPECT_EQ(bus.ReadStream("clipforge.test.>").size(), static_cast<size_t>(in_outbox));
  EXPECT_FALSE(rolled_back.empty());
}

}  // namespace
}  // namespace clipforge::testing
