// Child processes for tests: run a command to completion, or keep a daemon
// (Postgres, nats-server, clipforged) that a test can stop, kill -9 and
// restart.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace clipforge::testing {

// Runs argv to completion with output appended to `log_path` (or inherited
// when empty) and stdin read from `stdin_path` (or /dev/null); returns the
// exit code, or -1 when it could not start.
int RunCommand(const std::vector<std::string>& argv, const std::string& log_path = "",
               const std::string& stdin_path = "");

class Daemon {
 public:
  Daemon() = default;
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;
  ~Daemon() { Kill(); }

  // Starts argv with stdout/stderr appended to log_path; false on failure.
  bool Start(const std::vector<std::string>& argv, const std::string& log_path);
  // SIGTERM, then SIGKILL if it has not exited within `grace_ms`.
  void Stop(int grace_ms = 10000);
  // SIGKILL, no grace: a crash.
  void Kill();
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

// The whole file, or "" when it cannot be read.
std::string ReadFileToString(const std::string& path);

// A port nobody listens on now (bind to 127.0.0.1:0 and read it back).
int PickFreePort();

// Polls until a TCP connect to 127.0.0.1:port succeeds or timeout_ms passes.
bool WaitForPort(int port, int timeout_ms);

// A fresh directory under /tmp, removed by ~TempDir.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace clipforge::testing
