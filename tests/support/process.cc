#include "tests/support/process.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace clipforge::testing {
namespace {

pid_t Spawn(const std::vector<std::string>& argv, const std::string& log_path,
            const std::string& stdin_path = "/dev/null") {
  // Everything the child needs is prepared before fork: after it, the child
  // makes only system calls.
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // Closed by a successful exec; the child writes to it when exec fails.
  int exec_failed[2];
  if (pipe2(exec_failed, O_CLOEXEC) != 0) return -1;
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid != 0) {  // The parent.
    close(exec_failed[1]);
    char byte;
    ssize_t n;
    while ((n = read(exec_failed[0], &byte, 1)) < 0 && errno == EINTR) {}
    close(exec_failed[0]);
    if (pid > 0 && n > 0) {  // The child could not start the command.
      waitpid(pid, nullptr, 0);
      return -1;
    }
    return pid;
  }
  // The child. It dies with the test process, even a crashed or killed one,
  // instead of outliving it (a stray Postgres or nats-server holding ports
  // and files). The signal comes when the forking thread ends, so daemons
  // are started from threads that live as long as the test.
  close(exec_failed[0]);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(127);
  // Own process group, so a kill reaches the whole daemon (pg_ctl's children).
  setpgid(0, 0);
  const int in = open(stdin_path.c_str(), O_RDONLY);
  if (in < 0 || dup2(in, STDIN_FILENO) < 0) _exit(127);
  if (!log_path.empty()) {
    const int out = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (out < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0) _exit(127);
  }
  execvp(args[0], args.data());
  const char failed = 1;
  (void)!write(exec_failed[1], &failed, 1);
  _exit(127);
}

bool WaitExit(pid_t pid, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int status;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid || r < 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace

int RunCommand(const std::vector<std::string>& argv, const std::string& log_path,
               const std::string& stdin_path) {
  const pid_t pid = Spawn(argv, log_path, stdin_path.empty() ? "/dev/null" : stdin_path);
  if (pid < 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool Daemon::Start(const std::vector<std::string>& argv, const std::string& log_path) {
  Kill();
  pid_ = Spawn(argv, log_path);
  return pid_ > 0;
}

void Daemon::Stop(int grace_ms) {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  if (!WaitExit(pid_, grace_ms)) Kill();
  pid_ = -1;
}

void Daemon::Kill() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGKILL);
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int PickFreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

bool WaitForPort(int port, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TempDir::TempDir() {
  std::string pattern = "/tmp/clipforge-test-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) std::abort();
  path_ = pattern;
  chmod(path_.c_str(), 0755);  // Traversable by the unprivileged Postgres user.
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace clipforge::testing
