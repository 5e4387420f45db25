// clipforged as operators run it: migrate, serve every service on one port
// with health, reflection, metrics and JSON logs, refuse bad flags, re-drive
// the bus, and shut down cleanly on SIGTERM.
#include <arpa/inet.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "tests/support/bus_fixture.h"
#include "tests/support/clipforged_process.h"
#include "tests/support/raw_grpc.h"

namespace clipforge::testing {
namespace {


std::string HttpGet(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    (void)write(fd, request.data(), request.size());
    char buffer[4096];
    for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;) response.append(buffer, n);
  }
  close(fd);
  return response;
}

// `clipforged args...`, the binary under test.
CommandResult Clipforged(const std::vector<std::string>& args) { return RunClipforged(CF_CLIPFORGED, args); }

// `serve` plus free --grpc-addr and --metrics-addr: the defaults (50051,
// 9464) may be taken by a stack already running on this machine, and even a
// serve meant to fail may bind before it fails.
std::vector<std::string> ServeOnFreePorts(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"serve", "--grpc-addr=127.0.0.1:" + std::to_string(PickFreePort()),
                                   "--metrics-addr=127.0.0.1:" + std::to_string(PickFreePort())};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

TEST(ClipforgedTest, MigrateAppliesOnceThenIsANoOp) {
  auto pg = TestPostgres::Start();
  const auto first = Clipforged({"migrate", "--database-url=" + pg->dsn()});
  EXPECT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("applied 0001_foundation.sql"), std::string::npos) << first.output;
  const auto second = Clipforged({"migrate", "--database-url=" + pg->dsn()});
  EXPECT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("migrations: 0 applied"), std::string::npos) << second.output;
}

TEST(ClipforgedTest, BadFlagsFailFastWithTheirName) {
  const auto unknown = Clipforged(ServeOnFreePorts({"--grpc-adr=127.0.0.1:1"}));
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("unknown flag --grpc-adr"), std::string::npos) << unknown.output;
  const auto service = Clipforged(ServeOnFreePorts({"--services=users,nope"}));
  EXPECT_EQ(service.exit_code, 1);
  EXPECT_NE(service.output.find("--services: unknown service 'nope'"), std::string::npos);
  const auto relay = Clipforged(ServeOnFreePorts({"--services=relay"}));
  EXPECT_EQ(relay.exit_code, 1);
  EXPECT_NE(relay.output.find("--database-url is required"), std::string::npos);
  const auto duration = Clipforged(ServeOnFreePorts({"--shutdown-grace=soon"}));
  EXPECT_EQ(duration.exit_code, 1);
  EXPECT_NE(duration.output.find("--shutdown-grace"), std::string::npos);
  EXPECT_EQ(Clipforged({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(Clipforged({"serve", "--help"}).exit_code, 0);
}

TEST(ClipforgedTest, ServesEveryServiceWithHealthOfTheBuiltOnesReflectionMetricsAndLogs) {
  BusFixture bus;
  const auto server = ClipforgedServer::Start(
      CF_CLIPFORGED, {.services = "all", .database_url = bus.pg().dsn(), .nats_url = bus.nats().url(),
                      .extra_flags = {"--reflection=true"}});
  ASSERT_NE(server, nullptr);
  auto channel = grpc::CreateChannel(server->address(),
                                     grpc::InsecureChannelCredentials());

  // Health lists what is built: the server, the users, moderation,
  // generation, clips, feed and tipping services. The placeholders (every method
  // UNIMPLEMENTED) are not claimed SERVING.
  for (const char* service : {"", "clipforge.v1.UsersService", "clipforge.v1.ModerationService",
                              "clipforge.v1.GenerationService", "clipforge.v1.WorkerService",
                              "clipforge.v1.ClipsService", "clipforge.v1.FeedService",
                              "clipforge.v1.TippingService"}) {
    EXPECT_EQ(CheckHealth(channel, service).value_or(-1), 1) << service;
  }
  for (const char* service : {"clipforge.v1.PartyService"}) {
    EXPECT_EQ(CheckHealth(channel, service).status().code(), absl::StatusCode::kNotFound) << service;
  }
  const auto reflection = RawBidiOnce(
      channel, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", std::string("\x3A\x00", 2));
  ASSERT_TRUE(reflection.ok()) << reflection.status();
  EXPECT_NE(reflection->find("clipforge.v1.PartyService"), std::string::npos);

  // The users, moderation and generation services are live and guard their
  // methods (workers with a worker credential); services whose issue has
  // not landed answer UNIMPLEMENTED.
  EXPECT_EQ(RawUnaryCall(channel, "/clipforge.v1.UsersService/GetMyProfile", "").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(RawUnaryCall(channel, "/clipforge.v1.ModerationService/CheckPrompt", "").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(RawUnaryCall(channel, "/clipforge.v1.GenerationService/GetJob", "").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(RawUnaryCall(channel, "/clipforge.v1.WorkerService/Heartbeat", "").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(RawUnaryCall(channel, "/clipforge.v1.ClipsService/GetClip", "").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(RawUnaryCall(channel, "/clipforge.v1.FeedService/GetFeed", "").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(RawUnaryCall(channel, "/clipforge.v1.TippingService/GetBalance", "").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(RawUnaryCall(channel, "/clipforge.v1.PartyService/GetParty", "").status().code(),
            absl::StatusCode::kUnimplemented);

  // The relay runs in this process too.
  bus.Produce("agg", 3);
  int64_t unsent = 1;
  for (int i = 0; i < 200 && unsent > 0; ++i) {
    absl::SleepFor(absl::Milliseconds(25));
    unsent = bus.Scalar("SELECT count(*) FROM bus.outbox WHERE published_at IS NULL");
  }
  EXPECT_EQ(unsent, 0);

  const std::string metrics = HttpGet(server->metrics_port(), "/metrics");
  EXPECT_NE(metrics.find("grpc_server_handled_total{grpc_code=\"UNIMPLEMENTED\","
                         "grpc_method=\"/clipforge.v1.PartyService/GetParty\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("process_resident_memory_bytes"), std::string::npos);
  EXPECT_NE(metrics.find("clipforge_outbox_published_total 3"), std::string::npos);

  // SIGTERM: drain and exit 0.
  kill(server->pid(), SIGTERM);
  int status = 0;
  const absl::Time start = absl::Now();
  ASSERT_EQ(waitpid(server->pid(), &status, 0), server->pid());
  EXPECT_LT(absl::Now() - start, absl::Seconds(15));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;

  const std::string logs = server->log();
  EXPECT_NE(logs.find("\"event\":\"rpc\""), std::string::npos) << logs;
  EXPECT_NE(logs.find("\"method\":\"/clipforge.v1.PartyService/GetParty\",\"code\":12"), std::string::npos);
  EXPECT_NE(logs.find("\"event\":\"stopped\""), std::string::npos);
  // The DSN's password (if any) never reaches the logs.
  EXPECT_EQ(logs.find("password"), std::string::npos);
}

TEST(ClipforgedTest, ReadinessFollowsPostgresAndNatsWhileLivenessStays) {
  BusFixture bus;
  const auto server = ClipforgedServer::Start(
      CF_CLIPFORGED, {.services = "users", .database_url = bus.pg().dsn(), .nats_url = bus.nats().url(),
                      .extra_flags = {"--readiness-threshold=1s"}});
  ASSERT_NE(server, nullptr);
  auto channel = grpc::CreateChannel(server->address(), grpc::InsecureChannelCredentials());
  const std::string users = "clipforge.v1.UsersService";
  ASSERT_EQ(CheckHealth(channel, users).value_or(-1), 1);

  bus.pg().Stop();
  EXPECT_TRUE(HealthBecomes(channel, users, 2)) << "users stayed SERVING without Postgres";
  EXPECT_EQ(CheckHealth(channel, "").value_or(-1), 1) << "liveness must not follow a dependency";
  bus.pg().Restart();
  EXPECT_TRUE(HealthBecomes(channel, users, 1)) << "users did not come back with Postgres";

  bus.nats().Stop();
  EXPECT_TRUE(HealthBecomes(channel, users, 2)) << "users stayed SERVING without NATS";
  bus.nats().Restart();
  EXPECT_TRUE(HealthBecomes(channel, users, 1)) << "users did not come back with NATS";
}

TEST(ClipforgedTest, KeysGenerateWritesAPrivateKeyOnceAndPrintsThePublicHalf) {
  TempDir dir;
  const std::string key_file = dir.path() + "/k.key";
  const auto made = Clipforged({"keys", "generate", "--key-file=" + key_file, "--key-id=prod2"});
  EXPECT_EQ(made.exit_code, 0) << made.output;
  EXPECT_EQ(made.output.rfind("cf-ed25519-pub:prod2:", 0), 0u) << made.output;
  struct stat st;
  ASSERT_EQ(stat(key_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(ReadFileToString(key_file).find("cf-ed25519-seed:prod2:"), std::string::npos);
  // Never overwritten.
  EXPECT_EQ(Clipforged({"keys", "generate", "--key-file=" + key_file}).exit_code, 1);
  // A key readable by others is refused at start.
  chmod(key_file.c_str(), 0644);
  const auto refused = Clipforged(ServeOnFreePorts(
      {"--services=users", "--database-url=postgresql://x@127.0.0.1:1/x", "--token-signing-key-file=" + key_file}));
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.output.find("chmod 600"), std::string::npos) << refused.output;
}

TEST(ClipforgedTest, BusRedriveMarksPublishedEventsForRepublishing) {
  BusFixture bus;
  auto relay = bus.NewRelay();
  bus.Produce("agg", 7);
  ASSERT_EQ(bus.Drain(*relay), 7);
  const auto redrive = Clipforged({"bus", "redrive", "--since=2000-01-01T00:00:00Z",
                                      "--database-url=" + bus.pg().dsn()});
  EXPECT_EQ(redrive.exit_code, 0) << redrive.output;
  EXPECT_NE(redrive.output.find("7 events marked for republishing"), std::string::npos) << redrive.output;
  EXPECT_EQ(bus.Drain(*relay), 7);
  EXPECT_EQ(bus.ReadStream().size(), 7u);  // JetStream deduplicated them.

  const auto bad = Clipforged({"bus", "redrive", "--since=yesterday", "--database-url=" + bus.pg().dsn()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("--since must be an RFC 3339 time"), std::string::npos);
}

}  // namespace
}  // namespace clipforge::testing
