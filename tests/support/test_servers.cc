#include "tests/support/test_servers.h"

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace clipforge::testing {
namespace {

std::string EnvOr(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

[[noreturn]] void Fail(const std::string& what, const std::string& log) {
  std::fprintf(stderr, "test servers: %s (log: %s)\n", what.c_str(), log.c_str());
  std::ifstream in(log);
  std::string line;
  while (std::getline(in, line)) std::fprintf(stderr, "  | %s\n", line.c_str());
  std::abort();
}

}  // namespace

std::unique_ptr<TestPostgres> TestPostgres::Start(bool durable) {
  auto pg = std::unique_ptr<TestPostgres>(new TestPostgres());
  pg->durable_ = durable;
  pg->bin_ = EnvOr("CF_TEST_PG_BIN", "/usr/lib/postgresql/15/bin");
  pg->data_ = pg->dir_.path() + "/data";
  // The server log is created by the Postgres user; our own commands log
  // elsewhere so that root-owned files never block it.
  pg->log_ = pg->dir_.path() + "/server.log";
  const std::string setup_log = pg->dir_.path() + "/setup.log";
  if (geteuid() == 0) {
    pg->os_user_ = EnvOr("CF_TEST_PG_OS_USER", "clipforge");
    const passwd* user = getpwnam(pg->os_user_.c_str());
    if (user == nullptr) {
      Fail("running as root needs the OS user '" + pg->os_user_ +
               "' for Postgres (scripts/test creates it)", "-");
    }
    if (chown(pg->dir_.path().c_str(), user->pw_uid, user->pw_gid) != 0) Fail("chown", "-");
  }
  pg->port_ = PickFreePort();
  // Tests trade durability for speed; trust auth is confined to loopback on
  // a private port of a throwaway cluster.
  if (RunCommand(pg->AsPgUser({pg->bin_ + "/initdb", "-D", pg->data_, "-U", "postgres",
                               "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"}),
                 setup_log) != 0) {
    Fail("initdb failed", setup_log);
  }
  pg->Restart();
  if (RunCommand({pg->bin_ + "/psql", "-q", "-h", "127.0.0.1", "-p", std::to_string(pg->port_), "-U",
                  "postgres", "-d", "postgres", "-c", "CREATE DATABASE clipforge"},
                 setup_log) != 0) {
    Fail("CREATE DATABASE failed", setup_log);
  }
  return pg;
}

TestPostgres::~TestPostgres() {
  if (running_) Run({"stop", "-m", "immediate"});
}

std::vector<std::string> TestPostgres::AsPgUser(std::vector<std::string> argv) const {
  if (os_user_.empty()) return argv;
  std::vector<std::string> out = {"runuser", "-u", os_user_, "--"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

bool TestPostgres::Run(const std::vector<std::string>& pg_ctl_args) {
  std::vector<std::string> argv = {bin_ + "/pg_ctl", "-D", data_, "-l", log_};
  argv.insert(argv.end(), pg_ctl_args.begin(), pg_ctl_args.end());
  return RunCommand(AsPgUser(argv)) == 0;
}

std::string TestPostgres::dsn() const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/clipforge";
}

void TestPostgres::Stop() {
  Run({"stop", "-m", "fast", "-w"});
  running_ = false;
}

void TestPostgres::Restart() {
  std::string options = "-p " + std::to_string(port_) + " -c listen_addresses=127.0.0.1 -k " +
                        dir_.path() + " -c max_connections=200";
  if (!durable_) options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
  if (!Run({"start", "-w", "-t", "60", "-o", options})) Fail("pg_ctl start failed", log_);
  running_ = true;
}

void TestPostgres::Crash() {
  std::ifstream pid_file(data_ + "/postmaster.pid");
  pid_t pid = 0;
  pid_file >> pid;
  if (pid > 0) kill(pid, SIGKILL);
  // Wait until the postmaster is gone so Restart can reuse the port.
  for (int i = 0; i < 500 && kill(pid, 0) == 0; ++i) usleep(10000);
  running_ = false;
}

std::unique_ptr<TestNats> TestNats::Start() {
  auto nats = std::unique_ptr<TestNats>(new TestNats());
  nats->binary_ = EnvOr("CF_TEST_NATS_SERVER", "/usr/sbin/nats-server");
  nats->port_ = PickFreePort();
  nats->Launch();
  return nats;
}

void TestNats::Launch() {
  const std::string log = dir_.path() + "/nats.log";
  if (!daemon_.Start({binary_, "-a", "127.0.0.1", "-p", std::to_string(port_), "-js", "-sd",
                      dir_.path() + "/js"},
                     log) ||
      !WaitForPort(port_, 10000)) {
    Fail("nats-server did not start", log);
  }
}

std::string TestNats::url() const { return "nats://127.0.0.1:" + std::to_string(port_); }

void TestNats::Stop() { daemon_.Stop(); }
void TestNats::Restart() { Launch(); }
void TestNats::Crash() { daemon_.Kill(); }

}  // namespace clipforge::testing
