// (b) Outbox relay throughput, from committed outbox rows to JetStream acks,
// on a durable Postgres (fsync on) and nats-server on this machine. The
// baseline, measured in the same run, is JetStream alone: the same messages
// published asynchronously with no database. Goal: >= 10,000 events/s. The
// backlog drain is also compared with a minimal relay in plain libpq +
// cnats (bench/minimal_c_relay.h), goal >= 0.9x; and an idle relay's CPU
// and commit-to-publish latency are measured woken by NOTIFY and polling.
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <thread>

#include <pqxx/pqxx>

#include "absl/strings/str_format.h"
#include "bench/minimal_c_relay.h"
#include "bench/report.h"
#include "services/kit/pg_transaction.h"
#include "base/status_macros.h"
#include "tests/support/bus_fixture.h"

namespace clipforge::bench {
namespace {

constexpr int kBacklog = 50'000;
constexpr int kHotBacklog = 5'000;

// Commits `count` events in transactions of `per_txn`, spread over
// `aggregates` aggregates (round robin across calls).
void Fill(testing::BusFixture& bus, int count, int per_txn, int aggregates = 1000) {
  static std::atomic<int64_t> next{0};
  for (int done = 0; done < count; done += per_txn) {
    const absl::Status s = kit::RunInTransaction(bus.producer_pool(), [&](pqxx::work& txn) {
      for (int i = 0; i < per_txn; ++i) {
        v1::EventEnvelope e = bus.events().New("clipforge.test.ping", "test",
                                               absl::StrCat("agg-", next++ % aggregates));
        e.mutable_test_ping()->set_n(done + i);
        e.mutable_test_ping()->set_note("benchmark payload of a realistic size for a small event");
        CF_RETURN_IF_ERROR(kit::OutboxWriter::Append(txn, e));
      }
      return absl::OkStatus();
    });
    if (!s.ok()) std::abort();
  }
}

double JetStreamAloneRate(testing::BusFixture& bus, int count) {
  v1::EventEnvelope e = bus.events().New("clipforge.test.raw", "test", "agg");
  e.mutable_test_ping()->set_note("benchmark payload of a realistic size for a small event");
  const std::string bytes = e.SerializeAsString();
  jsCtx* js = bus.nats_client().jetstream();
  const absl::Time start = absl::Now();
  for (int i = 0; i < count; ++i) {
    jsPubOptions opts;
    jsPubOptions_Init(&opts);
    const std::string id = absl::StrCat("raw-", i);
    opts.MsgId = id.c_str();
    if (js_PublishAsync(js, "clipforge.test.raw", bytes.data(), static_cast<int>(bytes.size()), &opts) != NATS_OK) {
      std::abort();
    }
  }
  jsPubOptions wait;
  jsPubOptions_Init(&wait);
  wait.MaxWait = 60000;
  if (js_PublishAsyncComplete(js, &wait) != NATS_OK) std::abort();
  return count / absl::ToDoubleSeconds(absl::Now() - start);
}

// Drains kBacklog freshly committed rows with `drain`, on an emptied outbox
// so that every run sees the same table; returns events per second.
template <typename DrainFn>
double DrainRate(testing::BusFixture& bus, DrainFn drain) {
  bus.Scalar("TRUNCATE bus.outbox; SELECT 1");
  Fill(bus, kBacklog, 500);
  bus.Scalar("ANALYZE bus.outbox; SELECT 1");
  return drain();
}

// CPU seconds (user + system) a process or thread has used so far.
double CpuSeconds(const std::string& stat_path) {
  std::FILE* f = std::fopen(stat_path.c_str(), "r");
  if (f == nullptr) return 0;
  char buf[1024];
  const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  // Fields after the command name (in parentheses, which may hold spaces):
  // utime and stime are the 12th and 13th of them.
  const char* p = std::strrchr(buf, ')');
  if (p == nullptr) return 0;
  unsigned long long utime = 0, stime = 0;
  if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2) {
    return 0;
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct IdleCost {
  double relay_core_percent;     // the relay thread
  double postgres_core_percent;  // its database backends (pool and listener)
};

// Runs an idle relay with `options` for `length` and measures its CPU.
IdleCost MeasureIdle(testing::BusFixture& bus, kit::RelayOptions options, absl::Duration length) {
  auto relay = bus.NewRelay(options);
  std::vector<int64_t> backends;  // The relay's pool connection and its listener.
  {
    auto lease = bus.relay_pool().Acquire();  // Opened now, reused by the relay.
    if (!lease.ok()) std::abort();
    pqxx::nontransaction q(**lease);
    backends.push_back(q.exec1("SELECT pg_backend_pid()")[0].as<int64_t>());
  }
  std::atomic<bool> stop{false};
  std::atomic<pid_t> tid{0};
  std::thread thread([&] {
    tid = static_cast<pid_t>(syscall(SYS_gettid));
    relay->Run(stop);
  });
  while (tid == 0) absl::SleepFor(absl::Milliseconds(1));
  absl::SleepFor(absl::Seconds(1));  // Connected and listening.
  backends.push_back(bus.Scalar("SELECT coalesce(max(pid), 0) FROM pg_stat_activity "
                                "WHERE query LIKE 'LISTEN%' AND state = 'idle'"));
  const std::string thread_stat = absl::StrCat("/proc/self/task/", tid.load(), "/stat");
  const auto backend_cpu = [&] {
    double total = 0;
    for (int64_t pid : backends) total += CpuSeconds(absl::StrCat("/proc/", pid, "/stat"));
    return total;
  };
  const double relay_before = CpuSeconds(thread_stat), pg_before = backend_cpu();
  absl::SleepFor(length);
  const double relay_after = CpuSeconds(thread_stat), pg_after = backend_cpu();
  stop = true;
  thread.join();
  const double seconds = absl::ToDoubleSeconds(length);
  return {100 * (relay_after - relay_before) / seconds, 100 * (pg_after - pg_before) / seconds};
}

// Commit-to-publish latency of single-event transactions into an idle
// relay: from the producer's commit returning to the event's arrival at a
// plain NATS subscriber. Percentiles in microseconds.
std::pair<double, double> CommitToPublish(testing::BusFixture& bus, kit::RelayOptions options, int samples) {
  auto relay = bus.NewRelay(options);
  std::atomic<bool> stop{false};
  std::thread thread([&] { relay->Run(stop); });
  natsSubscription* sub = nullptr;
  if (natsConnection_SubscribeSync(&sub, bus.nats_client().connection(), "clipforge.test.latency") != NATS_OK) {
    std::abort();
  }
  natsConnection_Flush(bus.nats_client().connection());
  absl::SleepFor(absl::Milliseconds(500));
  std::vector<absl::Duration> latencies;
  for (int i = 0; i < samples; ++i) {
    const absl::Status s = kit::RunInTransaction(bus.producer_pool(), [&](pqxx::work& txn) {
      v1::EventEnvelope e = bus.events().New("clipforge.test.latency", "test", "latency");
      return kit::OutboxWriter::Append(txn, e);
    });
    if (!s.ok()) std::abort();
    const absl::Time committed = absl::Now();
    natsMsg* msg = nullptr;
    if (natsSubscription_NextMsg(&msg, sub, 10000) != NATS_OK) std::abort();
    latencies.push_back(absl::Now() - committed);
    natsMsg_Destroy(msg);
    absl::SleepFor(absl::Milliseconds(20));  // Let the relay go idle again.
  }
  natsSubscription_Destroy(sub);
  stop = true;
  thread.join();
  const LatencySummary summary = Summarize(latencies, absl::Seconds(1));
  return {summary.p50_us, summary.p99_us};
}

}  // namespace
}  // namespace clipforge::bench

int main(int argc, char** argv) {
  // --drain-only: the drain comparison alone, printed, no report (for
  // profiling).
  const bool drain_only = argc > 1 && std::string(argv[1]) == "--drain-only";
  using namespace clipforge;
  using namespace clipforge::bench;
  testing::BusFixture bus(/*durable=*/true);

  // 1. Backlog drain: rows committed while the relay was down, against a
  // minimal relay in plain libpq + cnats (same claim, same batch size),
  // alternated so neither always runs on the warmer table; best of each.
  constexpr int kBatch = 2000;
  auto relay = bus.NewRelay({.batch_size = kBatch});
  const auto ours = [&] {
    const absl::Time start = absl::Now();
    int published = 0;
    while (published < kBacklog) {
      auto n = relay->RunOnce();
      if (!n.ok()) std::abort();
      published += *n;
    }
    return kBacklog / absl::ToDoubleSeconds(absl::Now() - start);
  };
  const auto minimal = [&] {
    return MinimalCRelayDrain(bus.pg().dsn(), bus.nats_client().connection(), kBacklog, kBatch);
  };
  double drain_rate = 0, c_rate = 0;
  for (int round = 0; round < 3; ++round) {
    c_rate = std::max(c_rate, DrainRate(bus, minimal));
    drain_rate = std::max(drain_rate, DrainRate(bus, ours));
  }
  if (drain_only) {
    std::printf("minimal C relay %.0f events/s, relay %.0f events/s, ratio %.2f\n", c_rate, drain_rate,
                drain_rate / c_rate);
    return 0;
  }

  // 1b. One hot aggregate: its events are never in flight together (that is
  // what keeps them in order), so each waits for the previous one's ack.
  Fill(bus, kHotBacklog, 500, /*aggregates=*/1);
  const absl::Time hot_start = absl::Now();
  for (int hot = 0; hot < kHotBacklog;) {
    auto n = relay->RunOnce();
    if (!n.ok()) std::abort();
    hot += *n;
  }
  const double hot_rate = kHotBacklog / absl::ToDoubleSeconds(absl::Now() - hot_start);

  // 2. Live: the relay runs while producers commit 10-event transactions,
  // first as fast as they can (saturation: producers and relay share the 2
  // cores), then paced at a steady rate (latency).
  std::atomic<bool> stop{false};
  std::thread relay_thread([&] { relay->Run(stop); });
  const auto live = [&](absl::Duration length, double events_per_second) {
    const int64_t first_seq = bus.Scalar("SELECT coalesce(max(seq), 0) FROM bus.outbox");
    std::atomic<bool> stop_producers{false};
    std::atomic<int64_t> produced{0};
    std::vector<std::thread> producers;
    const absl::Time live_start = absl::Now();
    for (int p = 0; p < 2; ++p) {
      producers.emplace_back([&] {
        for (int64_t k = 0; !stop_producers; ++k) {
          if (events_per_second > 0) {  // Each producer sends half the rate.
            const absl::Time due = live_start + absl::Seconds(k * 10 / (events_per_second / 2));
            if (due > absl::Now()) absl::SleepFor(due - absl::Now());
          }
          Fill(bus, 10, 10);
          produced += 10;
        }
      });
    }
    absl::SleepFor(length);
    stop_producers = true;
    for (auto& t : producers) t.join();
    const absl::Duration took = absl::Now() - live_start;
    const int64_t published_in_window = bus.Scalar(absl::StrCat(
        "SELECT count(*) FROM bus.outbox WHERE seq > ", first_seq, " AND published_at IS NOT NULL"));
    while (bus.Scalar("SELECT count(*) FROM bus.outbox WHERE published_at IS NULL") > 0) {
      absl::SleepFor(absl::Milliseconds(20));
    }
    const auto percentile = [&](double q) {
      return bus.Scalar(absl::StrCat(
          "SELECT (percentile_cont(", q, ") WITHIN GROUP (ORDER BY extract(epoch FROM published_at - created_at)) "
          "* 1000000)::bigint FROM bus.outbox WHERE seq > ", first_seq));
    };
    struct Result { double produced_per_s, published_per_s; int64_t p50_us, p99_us; };
    return Result{produced / absl::ToDoubleSeconds(took), published_in_window / absl::ToDoubleSeconds(took),
                  percentile(0.5), percentile(0.99)};
  };
  const auto saturated = live(absl::Seconds(5), 0);
  const auto paced = live(absl::Seconds(5), 2000);
  stop = true;
  relay_thread.join();

  // 3. Idle: what a relay with nothing to do costs, woken by NOTIFY versus
  // polling every 10 ms (the relay before NOTIFY); and how soon a commit
  // into an idle relay is published.
  constexpr absl::Duration kIdleWindow = absl::Seconds(30);
  const IdleCost idle_notify = MeasureIdle(bus, {.batch_size = kBatch}, kIdleWindow);
  const IdleCost idle_polling =
      MeasureIdle(bus, {.batch_size = kBatch, .fallback_poll = absl::Milliseconds(10)}, kIdleWindow);
  const auto latency_notify = CommitToPublish(bus, {.batch_size = kBatch}, 200);
  const auto latency_polling =
      CommitToPublish(bus, {.batch_size = kBatch, .fallback_poll = absl::Milliseconds(10)}, 200);

  // 4. Baseline: JetStream alone, same message size, no database.
  const double raw_rate = JetStreamAloneRate(bus, kBacklog);

  const std::string report = absl::StrFormat(
      "## Outbox relay throughput\n\n"
      "Measured %s, Postgres 15 with fsync on and nats-server 2.9.10 (JetStream, file storage) on the "
      "same machine.\n\n"
      "| measurement | events/s | vs JetStream alone |\n|---|---|---|\n"
      "| JetStream alone: async publish + ack, no database (baseline) | %.0f | 1.00 |\n"
      "| minimal C relay (libpq + cnats, same claim and batch size, no per-aggregate waves) draining a %d-event backlog | %.0f | %.2f |\n"
      "| relay draining a %d-event backlog (claim, publish, ack, mark sent) | %.0f | %.2f |\n"
      "| relay draining %d events of one single aggregate (one in flight at a time) | %.0f | %.2f |\n"
      "| relay while 2 producers commit 10-event transactions flat out (same 2 cores) | %.0f published, %.0f produced | %.2f |\n"
      "| relay while producers are paced at 2,000 events/s | %.0f published | |\n\n"
      "Drain rate of the relay over the minimal C relay: **%.2fx** (goal >= 0.9; best of 3 "
      "alternated runs each, batch %d).\n\n"
      "Commit-to-ack latency under load (published_at - created_at, so it includes the "
      "transaction's own duration): flat out p50 %.1f ms, p99 %.1f ms; paced p50 %.1f ms, "
      "p99 %.1f ms. Goal >= 10,000 events/s from commit to ack — %s.\n\n"
      "Idle relay (nothing to publish, %.0f s), CPU in %% of one core, and the commit-to-publish "
      "latency of single-event transactions into it (commit returned to the event's arrival at a "
      "NATS subscriber, 200 samples):\n\n"
      "| relay | relay thread | its Postgres backends | commit to publish p50 | p99 |\n|---|---|---|---|---|\n"
      "| woken by NOTIFY (fallback poll 5 s) | %.2f%% | %.2f%% | %.2f ms | %.2f ms |\n"
      "| polling every 10 ms (before NOTIFY) | %.2f%% | %.2f%% | %.2f ms | %.2f ms |\n",
      MachineLine(), raw_rate, kBacklog, c_rate, c_rate / raw_rate, kBacklog, drain_rate,
      drain_rate / raw_rate, kHotBacklog, hot_rate,
      hot_rate / raw_rate, saturated.published_per_s,
      saturated.produced_per_s, saturated.published_per_s / raw_rate, paced.published_per_s,
      drain_rate / c_rate, kBatch,
      saturated.p50_us / 1000.0, saturated.p99_us / 1000.0, paced.p50_us / 1000.0, paced.p99_us / 1000.0,
      drain_rate >= 10000 && saturated.published_per_s >= 10000 ? "met" : "NOT met",
      absl::ToDoubleSeconds(kIdleWindow), idle_notify.relay_core_percent,
      idle_notify.postgres_core_percent, latency_notify.first / 1000, latency_notify.second / 1000,
      idle_polling.relay_core_percent, idle_polling.postgres_core_percent,
      latency_polling.first / 1000, latency_polling.second / 1000);
  std::fputs(report.c_str(), stdout);
  WriteReportSection("docs/benchmarks.md", "outbox_relay", report);
  return 0;
}
