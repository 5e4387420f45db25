// The outbox relay against real Postgres and nats-server.
#include "services/kit/outbox_relay.h"

#include <gtest/gtest.h>

#include <pqxx/binarystring>

#include <atomic>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "services/kit/pg_transaction.h"
#include "base/status_macros.h"
#include "tests/support/bus_fixture.h"

namespace clipforge::testing {
namespace {

std::set<std::string> EventIds(const std::vector<StreamMessage>& messages) {
  std::set<std::string> ids;
  for (const auto& m : messages) ids.insert(m.envelope.event_id());
  return ids;
}

TEST(OutboxRelayTest, PublishesCommittedEventsUnderTheirEventIdAndMarksThemSent) {
  BusFixture bus;
  auto relay = bus.NewRelay();
  const auto ids = bus.Produce("agg-1", 100);
  EXPECT_EQ(bus.Drain(*relay), 100);

  const auto messages = bus.ReadStream();
  ASSERT_EQ(messages.size(), 100u);
  for (size_t i = 0; i < messages.size(); ++i) {
    EXPECT_EQ(messages[i].subject, "clipforge.test.ping");
    EXPECT_EQ(messages[i].message_id, messages[i].envelope.event_id());
    EXPECT_EQ(messages[i].envelope.event_id(), ids[i]);
    EXPECT_EQ(messages[i].envelope.test_ping().n(), static_cast<int64_t>(i));
  }
  EXPECT_EQ(bus.Scalar("SELECT count(*) FROM bus.outbox WHERE published_at IS NULL"), 0);
}

TEST(OutboxRelayTest, AppendAllInsertsEveryEnvelopeInOrderWithOneStatement) {
  BusFixture bus;
  auto relay = bus.NewRelay();
  // Aggregate ids that an array literal must carry through unchanged.
  const std::vector<std::string> aggregates = {"plain", "with \"quotes\"", "back\\slash", "a,b {c}", ""};
  std::vector<v1::EventEnvelope> envelopes;
  for (int i = 0; i < 50; ++i) {
    envelopes.push_back(bus.events().New("clipforge.test.ping", "test", aggregates[i % aggregates.size()]));
    envelopes.back().mutable_test_ping()->set_n(i);
  }
  ASSERT_TRUE(kit::RunInTransaction(bus.producer_pool(), [&](pqxx::work& txn) {
                return kit::OutboxWriter::AppendAll(txn, envelopes);
              }).ok());
  EXPECT_EQ(bus.Drain(*relay), 50);
  const auto messages = bus.ReadStream();
  ASSERT_EQ(messages.size(), 50u);
  for (size_t i = 0; i < messages.size(); ++i) {
    EXPECT_EQ(messages[i].envelope.SerializeAsString(), envelopes[i].SerializeAsString()) << i;
  }

  // One bad envelope: nothing of the batch is inserted.
  envelopes[3].clear_event_id();
  const absl::Status refused = kit::RunInTransaction(bus.producer_pool(), [&](pqxx::work& txn) {
    return kit::OutboxWriter::AppendAll(txn, envelopes);
  });
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bus.Scalar("SELECT count(*) FROM bus.outbox"), 50);
}

TEST(OutboxRelayTest, ARolledBackTransactionProducesNoEvent) {
  BusFixture bus;
  auto relay = bus.NewRelay();
  const absl::Status status = kit::RunInTransaction(bus.producer_pool(), [&](pqxx::work& txn) {
    v1::EventEnvelope e = bus.events().New("clipforge.test.ping", "test", "agg");
    EXPECT_TRUE(kit::OutboxWriter::Append(txn, e).ok());
    return absl::FailedPreconditionError("the state change failed");
  });
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(bus.Drain(*relay), 0);
  EXPECT_EQ(bus.Scalar("SELECT count(*) FROM bus.outbox"), 0);
  EXPECT_TRUE(bus.ReadStream().empty());
}

TEST(OutboxRelayTest, ATransactionThatCommitsLateIsNotSkipped) {
  BusFixture bus;
  auto relay = bus.NewRelay();
  std::atomic<bool> stop{false};
  std::thread relay_thread([&] { relay->Run(stop); });

  // Takes its outbox sequence number first, then stays open for 5 s while
  // later transactions commit and are published.
  std::string late_id;
  std::atomic<bool> late_inserted{false};
  std::thread late([&] {
    EXPECT_TRUE(kit::RunInTransaction(bus.producer_pool(), [&](pqxx::work& txn) {
                  v1::EventEnvelope e = bus.events().New("clipforge.test.ping", "test", "late");
                  late_id = e.event_id();
                  CF_RETURN_IF_ERROR(kit::OutboxWriter::Append(txn, e));
                  late_inserted = true;
                  absl::SleepFor(absl::Seconds(5));
                  return absl::OkStatus();
                }).ok());
  });
  while (!late_inserted) absl::SleepFor(absl::Milliseconds(5));
  std::set<std::string> expected;
  for (int i = 0; i < 50; ++i) {
    for (const auto& id : bus.Produce("agg-" + std::to_string(i % 5), 4, i * 4)) expected.insert(id);
  }
  late.join();
  expected.insert(late_id);

  // Wait until the relay has caught up with everything committed.
  for (int i = 0; i < 500 && bus.Scalar("SELECT count(*) FROM bus.outbox WHERE published_at IS NULL") > 0; ++i) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  stop = true;
  relay_thread.join();
  EXPECT_EQ(EventIds(bus.ReadStream()), expected);
}

TEST(OutboxRelayTest, KeepsPerAggregateOrder) {
  BusFixture bus;
  auto relay = bus.NewRelay({.batch_size = 64});
  // Interleave 20 aggregates, 30 events each, in many small transactions.
  for (int round = 0; round < 10; ++round) {
    for (int a = 0; a < 20; ++a) bus.Produce("agg-" + std::to_string(a), 3, round * 3);
  }
  EXPECT_EQ(bus.Drain(*relay), 600);
  std::map<std::string, int64_t> last;
  for (const auto& m : bus.ReadStream()) {
    const std::string& agg = m.envelope.aggregate_id();
    const int64_t n = m.envelope.test_ping().n();
    if (last.contains(agg)) {
      EXPECT_EQ(n, last[agg] + 1) << agg;
    }
    last[agg] = n;
  }
  EXPECT_EQ(last.size(), 20u);
}

TEST(OutboxRelayTest, RedriveRepublishesAndJetStreamDeduplicates) {
  BusFixture bus;
  auto relay = bus.NewRelay();
  const absl::Time before = absl::Now() - absl::Seconds(1);
  bus.Produce("agg", 25);
  ASSERT_EQ(bus.Drain(*relay), 25);

  auto redriven = kit::RedriveOutbox(bus.relay_pool(), before);
  ASSERT_TRUE(redriven.ok()) << redriven.status();
  EXPECT_EQ(*redriven, 25);
  EXPECT_EQ(bus.Drain(*relay), 25);  // Published again...
  EXPECT_EQ(bus.ReadStream().size(), 25u);  // ...but stored once.
}

TEST(OutboxRelayTest, PurgeKeepsUnpublishedRowsAndRowsInsideTheRetentionWindow) {
  BusFixture bus;
  auto relay = bus.NewRelay({.retention = absl::ZeroDuration()});
  bus.Produce("agg", 10);
  ASSERT_EQ(bus.Drain(*relay), 10);
  bus.Produce("agg", 3, 10);  // Not yet published.
  absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(relay->PurgeExpired().value(), 10);
  EXPECT_EQ(bus.Scalar("SELECT count(*) FROM bus.outbox"), 3);

  auto keeping = bus.NewRelay({.retention = absl::Minutes(10)});
  ASSERT_EQ(bus.Drain(*keeping), 3);
  EXPECT_EQ(keeping->PurgeExpired().value(), 0);
}

TEST(OutboxRelayTest, NatsOutageLeavesEventsUnsentUntilItReturns) {
  BusFixture bus;
  auto relay = bus.NewRelay({.publish_timeout = absl::Milliseconds(500)});
  bus.Produce("agg", 5);
  ASSERT_EQ(bus.Drain(*relay), 5);

  bus.nats().Stop();
  const auto ids = bus.Produce("agg", 5, 5);
  EXPECT_FALSE(relay->RunOnce().ok());
  EXPECT_EQ(bus.Scalar("SELECT count(*) FROM bus.outbox WHERE published_at IS NULL"), 5);

  bus.nats().Restart();
  int published = 0;
  for (int i = 0; i < 200 && published < 5; ++i) {
    auto r = relay->RunOnce();
    if (r.ok()) published += *r;
    else absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(published, 5);
  EXPECT_EQ(bus.ReadStream().size(), 10u);
}

// Runs `relay` in a thread until destroyed.
class RunningRelay {
 public:
  explicit RunningRelay(kit::OutboxRelay& relay) : thread_([this, &relay] { relay.Run(stop_); }) {}
  ~RunningRelay() {
    stop_ = true;
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Polls `done` until it holds or `limit` passes; returns whether it held.
bool Within(absl::Duration limit, const std::function<bool()>& done) {
  const absl::Time deadline = absl::Now() + limit;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

int64_t Published(BusFixture& bus) {
  return bus.Scalar("SELECT count(*) FROM bus.outbox WHERE published_at IS NOT NULL");
}

// Waits until the relay is asleep waiting for notifications: it holds the
// sleep lock (kit::kRelaySleepLockKey, which pg_locks shows as two halves).
bool Listening(BusFixture& bus) {
  const uint64_t key = static_cast<uint64_t>(kit::kRelaySleepLockKey);
  const std::string sql = absl::StrCat(
      "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND mode = 'ExclusiveLock' "
      "AND classid = ", key >> 32, " AND objid = ", key & 0xffffffffu);
  return Within(absl::Seconds(10), [&] { return bus.Scalar(sql) > 0; });
}

// A commit wakes the idle relay through its notification: with the
// fallback poll 30 s away, only the notification can publish the event
// within the (generous) 5 s.
TEST(OutboxRelayTest, ACommitWakesTheIdleRelay) {
  BusFixture bus;
  auto relay = bus.NewRelay({.fallback_poll = absl::Seconds(30)});
  RunningRelay running(*relay);
  ASSERT_TRUE(Listening(bus));
  bus.Produce("agg", 1);
  ASSERT_TRUE(Within(absl::Seconds(5), [&] { return Published(bus) == 1; }));
  // Now certainly idle, waiting: the next commits must wake it too.
  for (int i = 1; i <= 3; ++i) {
    bus.Produce("agg", 2, 2 * i);
    EXPECT_TRUE(Within(absl::Seconds(5), [&] { return Published(bus) == 1 + 2 * i; })) << "commit " << i;
  }
  EXPECT_EQ(bus.ReadStream().size(), 7u);
}

// An event whose notification never came (inserted with triggers off, as
// if the listening connection had been down) is published by the
// fallback poll.
TEST(OutboxRelayTest, AMissedNotificationIsCaughtByTheFallbackPoll) {
  BusFixture bus;
  auto relay = bus.NewRelay({.fallback_poll = absl::Seconds(1)});
  RunningRelay running(*relay);
  ASSERT_TRUE(Listening(bus));
  const v1::EventEnvelope e = bus.events().New("clipforge.test.ping", "test", "silent");
  const std::string bytes = e.SerializeAsString();
  ASSERT_TRUE(kit::RunInTransaction(bus.admin_pool(), [&](pqxx::work& txn) {
                txn.exec("SET LOCAL session_replication_role = replica");  // No triggers.
                txn.exec_params("INSERT INTO bus.outbox (event_id, subject, aggregate_id, envelope) "
                                "VALUES ($1::uuid, $2, $3, $4)",
                                e.event_id(), e.type(), e.aggregate_id(),
                                pqxx::binarystring(bytes.data(), bytes.size()));
                return absl::OkStatus();
              }).ok());
  EXPECT_TRUE(Within(absl::Seconds(10), [&] { return Published(bus) == 1; }));
  const auto messages = bus.ReadStream();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].message_id, e.event_id());
}

// The listening connection dies with Postgres; after the restart the relay
// listens again and commits wake it as before.
TEST(OutboxRelayTest, ListensAgainAfterAPostgresRestart) {
  BusFixture bus;
  auto relay = bus.NewRelay({.fallback_poll = absl::Seconds(30)});
  RunningRelay running(*relay);
  ASSERT_TRUE(Listening(bus));
  bus.pg().Stop();
  bus.pg().Restart();
  ASSERT_TRUE(Listening(bus));
  // The first commit after the restart may meet the relay still backing off
  // from the outage; allow for that, then require prompt wake-ups.
  bus.Produce("agg", 1);
  ASSERT_TRUE(Within(absl::Seconds(10), [&] { return Published(bus) == 1; }));
  bus.Produce("agg", 1, 1);
  EXPECT_TRUE(Within(absl::Seconds(5), [&] { return Published(bus) == 2; }));
}

}  // namespace
}  // namespace clipforge::testing
