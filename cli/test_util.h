// Helpers for the CLI unit tests: a private temporary directory, a fake
// terminal, a settable clock, capturing stdio streams, no local stack, and
// clipforge run against in-process fake services.
#pragma once

#include <ftw.h>
#include <stdlib.h>

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <cstdio>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/app.h"
#include "cli/credentials.h"
#include "cli/errors.h"
#include "cli/terminal.h"
#include "base/testing/fake_clock.h"

namespace clipforge::cli::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = ::testing::TempDir() + "/cli_test_XXXXXX";
    path_ = ::mkdtemp(pattern.data()) ? pattern : "";
    EXPECT_FALSE(path_.empty());
  }
  ~TempDir() {
    ::nftw(
        path_.c_str(),
        [](const char* p, const struct stat*, int, struct FTW*) { return ::remove(p); }, 16,
        FTW_DEPTH | FTW_PHYS);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class FakeTerminal final : public Terminal {
 public:
  bool interactive = false;
  std::deque<std::string> lines;  // answers, in order
  int reads = 0;

  bool Interactive() const override { return interactive; }
  absl::StatusOr<std::string> ReadSecret(absl::string_view) override { return Next(); }
  absl::StatusOr<std::string> ReadLine(absl::string_view) override { return Next(); }
  absl::StatusOr<std::string> ReadStdinLine() override { return Next(); }

 private:
  absl::StatusOr<std::string> Next() {
    ++reads;
    if (lines.empty()) return std::string();
    std::string line = lines.front();
    lines.pop_front();
    return line;
  }
};

using base::testing::FakeClock;

// A FILE* whose contents can be read back.
class Capture {
 public:
  Capture() : file_(std::tmpfile()) {}
  ~Capture() { std::fclose(file_); }
  FILE* file() { return file_; }
  std::string str() {
    std::fflush(file_);
    std::rewind(file_);
    std::string text;
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, file_)) > 0) text.append(buffer, n);
    return text;
  }

 private:
  FILE* file_;
};

// What a RunCli call in a test ended with: its exit code and what it wrote.
struct CliResult {
  int code;
  std::string out;
  std::string err;
};

// For RunCli: unit tests never look for a stack started by scripts/run.
inline std::optional<std::string> NoLocalStack() { return std::nullopt; }

// clipforge run against fake gRPC services in this process: they serve on a
// free port of 127.0.0.1, and the CLI finds them and a private config
// directory through CLIPFORGE_SERVER and CLIPFORGE_CONFIG_DIR. One place for
// the fixture the command tests would otherwise each copy. The services
// must outlive it (declare it after them); it stops the server when
// destroyed. A server that does not start is a fatal test failure, so the
// test body does not run.
class FakeServerCli {
 public:
  explicit FakeServerCli(std::vector<grpc::Service*> services) { Start(services); }
  FakeServerCli(const FakeServerCli&) = delete;
  FakeServerCli& operator=(const FakeServerCli&) = delete;
  ~FakeServerCli() {
    if (server_ != nullptr) server_->Shutdown();
  }

  bool started() const { return server_ != nullptr; }
  const std::string& server_address() const { return server_address_; }
  const std::string& config_dir() const { return config_.path(); }

  // Runs clipforge `args` (no program name) with `stdin_lines` as what it
  // reads from stdin, on a terminal that is not interactive.
  CliResult Run(std::vector<std::string> args, std::deque<std::string> stdin_lines = {}) const {
    FakeTerminal terminal;
    terminal.lines = std::move(stdin_lines);
    Capture out, err;
    const auto getenv = [&](const char* name) -> const char* {
      const std::string key = name;
      if (key == "CLIPFORGE_SERVER") return server_address_.c_str();
      if (key == "CLIPFORGE_CONFIG_DIR") return config_.path().c_str();
      return nullptr;
    };
    const int code = RunCli(args, getenv, NoLocalStack, terminal, out.file(), err.file());
    return {code, out.str(), err.str()};
  }

 private:
  void Start(const std::vector<grpc::Service*>& services) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    for (grpc::Service* service : services) builder.RegisterService(service);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    server_address_ = absl::StrCat("127.0.0.1:", port_);
  }

  TempDir config_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::string server_address_;
};

// A FakeServerCli with alice (id-alice, session-alice) already logged in to
// it: `access_token` stays fresh for the test (an hour), the refresh token
// RT-alice for a day. The services check for `access_token`.
class LoggedInCli : public FakeServerCli {
 public:
  LoggedInCli(std::vector<grpc::Service*> services, const std::string& access_token)
      : FakeServerCli(std::move(services)) {
    if (started()) SaveAlice(access_token);
  }

 private:
  void SaveAlice(const std::string& access_token) const {
    Credentials credentials;
    credentials.server = server_address();
    credentials.user_id = "id-alice";
    credentials.handle = "alice";
    credentials.session_id = "session-alice";
    credentials.access_token = access_token;
    credentials.access_token_expire_time = absl::Now() + absl::Hours(1);
    credentials.refresh_token = "RT-alice";
    credentials.refresh_token_expire_time = absl::Now() + absl::Hours(24);
    ASSERT_TRUE(CredentialStore(config_dir()).Save(credentials).ok());
  }
};

}  // namespace clipforge::cli::testing
