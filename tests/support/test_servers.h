// Real, throwaway Postgres and nats-server instances for integration tests,
// on free loopback ports, torn down (data removed) by their destructors.
//
// Environment (set by scripts/test; defaults suit Debian 12):
//   CF_TEST_PG_BIN       /usr/lib/postgresql/15/bin
//   CF_TEST_PG_OS_USER   the unprivileged user Postgres runs as when the
//                        tests run as root (Postgres refuses root); default
//                        "clipforge"
//   CF_TEST_NATS_SERVER  /usr/sbin/nats-server
#pragma once

#include <memory>
#include <string>

#include "tests/support/process.h"

namespace clipforge::testing {

class TestPostgres {
 public:
  // initdb + start; aborts the test binary with a clear message on failure.
  // Tests run without fsync; benchmarks ask for the durable defaults.
  static std::unique_ptr<TestPostgres> Start(bool durable = false);
  ~TestPostgres();

  // Superuser DSN of the `clipforge` database.
  std::string dsn() const;
  int port() const { return port_; }

  void Stop();     // Fast shutdown: connections are cut.
  void Restart();  // Start again on the same port and data.
  void Crash();    // SIGKILL the postmaster.

 private:
  TestPostgres() = default;
  bool Run(const std::vector<std::string>& pg_ctl_args);
  std::vector<std::string> AsPgUser(std::vector<std::string> argv) const;

  TempDir dir_;
  std::string bin_;
  std::string os_user_;
  std::string data_;
  std::string log_;
  int port_ = 0;
  bool durable_ = false;
  bool running_ = false;
};

class TestNats {
 public:
  static std::unique_ptr<TestNats> Start();
  ~TestNats() = default;

  std::string url() const;
  int port() const { return port_; }

  void Stop();     // Graceful (SIGTERM).
  void Restart();  // Same port and JetStream store.
  void Crash();    // SIGKILL.

 private:
  TestNats() = default;
  void Launch();

  TempDir dir_;
  std::string binary_;
  int port_ = 0;
  Daemon daemon_;
};

}  // namespace clipforge::testing
