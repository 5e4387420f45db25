// clipforged as a child process of a test, the one way every end-to-end
// test starts it: one-shot commands (migrate, keys generate, ...) with their
// exit code and output, and `serve` on free gRPC and metrics ports (the
// defaults may belong to a stack already running on the machine), migrated
// and with a fresh signing key, waited for until it accepts calls.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace clipforge::testing {

// The password the end-to-end tests' accounts use, with the newline that
// ends it at the CLI's prompt.
inline constexpr char kTestPassword[] = "a long and unusual passphrase\n";

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together.
};

// Runs `clipforged args...` to completion (`binary` is the test target's
// CF_CLIPFORGED).
CommandResult RunClipforged(const std::string& binary, const std::vector<std::string>& args);

struct ServeOptions {
  std::string services = "users";
  std::string database_url;  // Migrated before serving when set.
  std::string nats_url;
  bool signing_key = true;   // Generate one and pass --token-signing-key-file.
  std::vector<std::string> extra_flags;
};

class ClipforgedServer {
 public:
  // Aborts the calling test (ADD_FAILURE) and returns nullptr when a step
  // fails, with the step's output in the message.
  static std::unique_ptr<ClipforgedServer> Start(const std::string& binary, ServeOptions options);
  ~ClipforgedServer() { daemon_.Stop(); }

  // Starts it again with the same flags and ports (after Kill or Stop).
  bool Restart();
  void Stop() { daemon_.Stop(); }
  void Kill() { daemon_.Kill(); }

  pid_t pid() const { return daemon_.pid(); }
  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(grpc_port_); }
  const std::string& key_file() const { return key_file_; }
  std::string log() const { return ReadFileToString(log_path_); }
  const std::string& dir() const { return dir_.path(); }

 private:
  ClipforgedServer() = default;
  bool Launch();

  TempDir dir_;
  std::vector<std::string> argv_;
  std::string log_path_;
  std::string key_file_;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
  Daemon daemon_;
};

}  // namespace clipforge::testing
