// Cheap calls during a login flood: while 64 clients log in back to back
// (production Argon2id, 19 MiB, 2 iterations), one client reads a public
// profile back to back, and we take that client's latencies. Baseline,
// measured in the same run: the same server with password checks on the
// main blocking executor instead of their own lane, where the flood's queued
// logins stand in front of every cheap call. Goal: cheap p99 < 50 ms.
#include <sodium.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "base/random.h"
#include "base/uuid.h"
#include "bench/report.h"
#include "tests/support/users_test_server.h"

namespace clipforge::bench {
namespace {

constexpr char kPassword[] = "correct horse battery";
constexpr int kFlooders = 64;
constexpr absl::Duration kWarmup = absl::Seconds(1);
constexpr absl::Duration kWindow = absl::Seconds(6);

// One client calling `call` back to back with the callback API until `to`;
// keeps the latencies of calls ending in [from, to] and counts failures.
class Loop {
 public:
  using Call = std::function<void(grpc::ClientContext*, std::function<void(grpc::Status)>)>;
  Loop(Call call, absl::Time from, absl::Time to) : call_(std::move(call)), from_(from), to_(to) {}
  void Start() { Next(); }
  void Wait() { done_.WaitForNotification(); }
  std::vector<absl::Duration> latencies;
  int64_t failures = 0;

 private:
  void Next() {
    ctx_ = std::make_unique<grpc::ClientContext>();
    const absl::Time begin = absl::Now();
    call_(ctx_.get(), [this, begin](grpc::Status status) {
      const absl::Time end = absl::Now();
      if (end >= from_ && end <= to_) {
        if (status.ok()) {
          latencies.push_back(end - begin);
        } else {
          ++failures;
        }
      }
      if (end < to_) {
        Next();
      } else {
        done_.Notify();
      }
    });
  }

  Call call_;
  const absl::Time from_, to_;
  std::unique_ptr<grpc::ClientContext> ctx_;
  absl::Notification done_;
};

struct FloodResult {
  LatencySummary cheap;
  double logins_per_second = 0;
  int64_t failures = 0;
};

FloodResult Flood(bool compute_lane) {
  testing::UsersTestServerOptions options;
  options.hash_params = {.ops_limit = 2, .mem_limit = 19 * 1024 * 1024};
  options.executor_threads = 8;  // clipforged's default --db-pool-size
  options.compute_lane = compute_lane;
  options.throttle.address_burst = 1e9;  // Every client is 127.0.0.1.
  options.throttle.address_refill_per_minute = 1e9;
  testing::UsersTestServer server(options);
  base::SystemClock clock;
  base::SecureRandom random;
  base::UuidV7Generator ids(clock, random);
  const auto setup = server.NewStub();
  for (int i = 0; i < kFlooders; ++i) {
    v1::RegisterRequest request;
    request.set_request_id(ids.Next());
    request.set_handle(absl::StrCat("flood", i));
    request.set_email(absl::StrCat("flood", i, "@example.com"));
    request.set_password(kPassword);
    request.set_display_name("Flood");
    v1::RegisterResponse response;
    grpc::ClientContext ctx;
    if (!setup->Register(&ctx, request, &response).ok()) std::abort();
  }

  const absl::Time from = absl::Now() + kWarmup;
  const absl::Time to = from + kWindow;
  std::vector<std::unique_ptr<v1::UsersService::Stub>> stubs;
  std::vector<std::unique_ptr<Loop>> flooders;
  std::vector<std::unique_ptr<v1::LoginRequest>> requests;
  std::vector<std::unique_ptr<v1::LoginResponse>> responses;
  for (int i = 0; i < kFlooders; ++i) {
    stubs.push_back(server.NewStub());
    auto* stub = stubs.back().get();
    requests.push_back(std::make_unique<v1::LoginRequest>());
    responses.push_back(std::make_unique<v1::LoginResponse>());
    v1::LoginRequest* request = requests.back().get();
    v1::LoginResponse* response = responses.back().get();
    request->set_handle_or_email(absl::StrCat("flood", i));
    request->set_password(kPassword);
    flooders.push_back(std::make_unique<Loop>(
        [stub, request, response, &ids](grpc::ClientContext* ctx, std::function<void(grpc::Status)> done) {
          request->set_request_id(ids.Next());
          stub->async()->Login(ctx, request, response, std::move(done));
        },
        from, to));
  }
  const auto cheap_stub = server.NewStub();
  v1::GetPublicProfileRequest profile_request;
  profile_request.set_handle("flood0");
  v1::Profile profile;
  Loop cheap(
      [&](grpc::ClientContext* ctx, std::function<void(grpc::Status)> done) {
        cheap_stub->async()->GetPublicProfile(ctx, &profile_request, &profile, std::move(done));
      },
      from, to);
  for (auto& f : flooders) f->Start();
  cheap.Start();
  FloodResult result;
  int64_t logins = 0;
  for (auto& f : flooders) {
    f->Wait();
    logins += static_cast<int64_t>(f->latencies.size());
    result.failures += f->failures;
  }
  cheap.Wait();
  result.failures += cheap.failures;
  result.cheap = Summarize(cheap.latencies, kWindow);
  result.logins_per_second = static_cast<double>(logins) / absl::ToDoubleSeconds(kWindow);
  return result;
}

}  // namespace
}  // namespace clipforge::bench

int main() {
  using namespace clipforge::bench;
  if (sodium_init() < 0) return 1;
  const FloodResult shared = Flood(/*compute_lane=*/false);
  const FloodResult lane = Flood(/*compute_lane=*/true);
  const bool met = lane.cheap.p99_us < 50'000;
  const std::string report = absl::StrFormat(
      "## Cheap calls during a login flood\n\n"
      "Measured %s. %d clients log in back to back (Argon2id 19 MiB / 2 iterations, 8 blocking-executor "
      "threads, one compute slot per CPU, durable-off test Postgres) while one client reads a public "
      "profile back to back; %.0f s measured after %.0f s of ramp-up. Baseline: the same with password "
      "checks on the main executor. Goal: cheap-call p99 < 50 ms with their own lane — %s.\n\n"
      "| password checks | cheap p50 ms | cheap p99 ms | cheap calls/s | logins/s | failed calls |\n"
      "|---|---|---|---|---|---|\n"
      "| on the main executor (baseline) | %.1f | %.1f | %.0f | %.1f | %lld |\n"
      "| in their own lane | %.1f | %.1f | %.0f | %.1f | %lld |\n",
      MachineLine(), kFlooders, absl::ToDoubleSeconds(kWindow), absl::ToDoubleSeconds(kWarmup),
      met ? "met" : "NOT met", shared.cheap.p50_us / 1000, shared.cheap.p99_us / 1000, shared.cheap.per_second,
      shared.logins_per_second, static_cast<long long>(shared.failures), lane.cheap.p50_us / 1000,
      lane.cheap.p99_us / 1000, lane.cheap.per_second, lane.logins_per_second,
      static_cast<long long>(lane.failures));
  std::fputs(report.c_str(), stdout);
  WriteReportSection("docs/benchmarks.md", "login-flood", report);
  return 0;
}
