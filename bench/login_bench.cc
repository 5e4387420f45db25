// Login throughput and latency at 1, 8 and 64 concurrent clients, with the
// production Argon2id parameters (19 MiB, 2 iterations), against the bare
// crypto_pwhash_str_verify rate measured in the same run with as many
// threads as the server can use at that concurrency. Goal: >= 0.9 of bare.
#include <sodium.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "absl/strings/str_format.h"
#include "bench/report.h"
#include "services/kit/uuid.h"
#include "tests/support/users_test_server.h"

namespace clipforge::bench {
namespace {

constexpr char kPassword[] = "correct horse battery";

// Verifications per second with `threads` threads for `duration`.
double BareVerifyRate(const std::string& hash, int threads, absl::Duration duration) {
  std::atomic<int64_t> done{0};
  std::vector<std::thread> workers;
  const absl::Time stop = absl::Now() + duration;
  const absl::Time start = absl::Now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      while (absl::Now() < stop) {
        if (crypto_pwhash_str_verify(hash.c_str(), kPassword, sizeof kPassword - 1) != 0) std::abort();
        ++done;
      }
    });
  }
  for (auto& w : workers) w.join();
  return done / absl::ToDoubleSeconds(absl::Now() - start);
}

}  // namespace
}  // namespace clipforge::bench

int main() {
  using namespace clipforge;
  using namespace clipforge::bench;
  if (sodium_init() < 0) return 1;
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  testing::UsersTestServerOptions options;
  options.hash_params = {.ops_limit = 2, .mem_limit = 19 * 1024 * 1024};
  options.executor_threads = static_cast<size_t>(cores);
  // Every client logs in from 127.0.0.1: lift the per-address budget.
  options.throttle.address_burst = 1e9;
  options.throttle.address_refill_per_minute = 1e9;
  testing::UsersTestServer server(options);
  kit::SystemClock clock;
  kit::SecureRandom random;
  kit::UuidV7Generator ids(clock, random);

  // 64 accounts, one per client, so no account is throttled.
  for (int i = 0; i < 64; ++i) {
    auto stub = server.NewStub();
    v1::RegisterRequest request;
    request.set_request_id(ids.Next());
    request.set_handle(absl::StrCat("bench", i));
    request.set_email(absl::StrCat("bench", i, "@example.com"));
    request.set_password(kPassword);
    request.set_display_name("Bench");
    v1::RegisterResponse response;
    grpc::ClientContext ctx;
    if (!stub->Register(&ctx, request, &response).ok()) return 1;
  }
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(hash, kPassword, sizeof kPassword - 1, 2, 19 * 1024 * 1024,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return 1;
  }

  std::string table = "| clients | logins/s | p50 ms | p99 ms | bare verify/s (threads) | ratio |\n|---|---|---|---|---|---|\n";
  bool goal_met = true;
  for (int clients : {1, 8, 64}) {
    const int threads = std::min(clients, cores);
    const double bare = BareVerifyRate(hash, threads, absl::Seconds(3));
    std::vector<std::vector<absl::Duration>> latencies(clients);
    std::vector<std::thread> workers;
    const absl::Time start = absl::Now();
    const absl::Time stop = start + absl::Seconds(6);
    for (int c = 0; c < clients; ++c) {
      workers.emplace_back([&, c] {
        auto stub = server.NewStub();
        kit::UuidV7Generator local_ids(clock, random);
        while (absl::Now() < stop) {
          v1::LoginRequest request;
          request.set_request_id(local_ids.Next());
          request.set_handle_or_email(absl::StrCat("bench", c));
          request.set_password(kPassword);
          v1::LoginResponse response;
          grpc::ClientContext ctx;
          const absl::Time begin = absl::Now();
          if (!stub->Login(&ctx, request, &response).ok()) std::abort();
          latencies[c].push_back(absl::Now() - begin);
        }
      });
    }
    for (auto& w : workers) w.join();
    std::vector<absl::Duration> all;
    for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    const LatencySummary s = Summarize(all, absl::Now() - start);
    const double ratio = s.per_second / bare;
    goal_met = goal_met && ratio >= 0.9;
    table += absl::StrFormat("| %d | %.1f | %.1f | %.1f | %.1f (%d) | %.2f |\n", clients, s.per_second,
                             s.p50_us / 1000, s.p99_us / 1000, bare, threads, ratio);
  }
  const std::string report = absl::StrFormat(
      "## Login: throughput and latency vs bare Argon2id\n\n"
      "Measured %s. Login over gRPC on loopback (validation, throttle, one account read, Argon2id "
      "verify at 19 MiB / 2 iterations, a session and a refresh token written to a durable Postgres, "
      "an Ed25519 access token signed), 6 s per concurrency, one account per client. The baseline is "
      "libsodium's crypto_pwhash_str_verify alone with as many threads as the server's executor can "
      "run at that concurrency (at most one per core). Goal: ratio >= 0.9 — %s.\n\n%s\n",
      MachineLine(), goal_met ? "met" : "NOT met", table);
  std::fputs(report.c_str(), stdout);
  WriteReportSection("docs/benchmarks.md", "login", report);
  return 0;
}
