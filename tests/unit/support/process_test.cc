// The test-support child processes: a daemon dies with the process that
// started it, even one killed without a chance to clean up.
#include "tests/support/process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

namespace clipforge::testing {
namespace {

// Alive and not a zombie (a zombie is dead; its reaper may be slow).
bool Alive(pid_t pid) {
  if (kill(pid, 0) != 0) return false;
  const std::string stat = ReadFileToString("/proc/" + std::to_string(pid) + "/stat");
  const size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

TEST(ProcessTest, ADaemonDiesWithTheProcessThatStartedIt) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t parent = fork();
  ASSERT_GE(parent, 0);
  if (parent == 0) {
    // The "test process": starts a long sleep, reports its pid, and is
    // killed without stopping it (no destructor runs).
    close(pipe_fds[0]);
    Daemon daemon;
    pid_t child = -1;
    if (daemon.Start({"sleep", "300"}, "")) child = daemon.pid();
    (void)!write(pipe_fds[1], &child, sizeof child);
    pause();
    _exit(0);
  }
  close(pipe_fds[1]);
  pid_t child = -1;
  ASSERT_EQ(read(pipe_fds[0], &child, sizeof child), static_cast<ssize_t>(sizeof child));
  close(pipe_fds[0]);
  ASSERT_GT(child, 0);
  ASSERT_TRUE(Alive(child));

  kill(parent, SIGKILL);
  ASSERT_EQ(waitpid(parent, nullptr, 0), parent);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (Alive(child) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const bool orphan_alive = Alive(child);
  if (orphan_alive) kill(child, SIGKILL);  // Never leave it behind.
  EXPECT_FALSE(orphan_alive) << "the daemon outlived the process that started it";
}

TEST(ProcessTest, AMissingCommandFailsToStart) {
  Daemon daemon;
  EXPECT_FALSE(daemon.Start({"/nonexistent/clipforge-no-such-binary"}, ""));
  EXPECT_EQ(RunCommand({"/nonexistent/clipforge-no-such-binary"}), -1);
  EXPECT_EQ(RunCommand({"true"}), 0);
  EXPECT_EQ(RunCommand({"false"}), 1);
}

}  // namespace
}  // namespace clipforge::testing
