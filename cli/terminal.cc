#include "cli/terminal.h"

#include <termios.h>
#include <unistd.h>

#include <signal.h>
#include <cstdio>
#include <cerrno>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "cli/errors.h"

namespace clipforge::cli {
namespace {

constexpr size_t kMaxLine = 4096;

// The terminal settings to restore if a signal arrives while echo is off.
struct termios g_saved_termios;
volatile sig_atomic_t g_echo_off = 0;

void RestoreAndReraise(int signal) {
  if (g_echo_off) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved_termios);
  ::signal(signal, SIG_DFL);
  ::raise(signal);
}

// Reads bytes up to "\n" or end of input from stdin, unbuffered so that a
// later read sees exactly what follows the line.
absl::StatusOr<std::string> ReadRawLine(bool* saw_eof) {
  std::string line;
  *saw_eof = false;
  for (;;) {
    char c;
    const ssize_t n = ::read(STDIN_FILENO, &c, 1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError("cannot read stdin");
    }
    if (n == 0) {
      *saw_eof = true;
      break;
    }
    if (c == '\n') break;
    line.push_back(c);
    if (line.size() > kMaxLine) return UsageError("input line too long");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

void Prompt(absl::string_view prompt) {
  std::fwrite(prompt.data(), 1, prompt.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

bool StdioTerminal::Interactive() const { return ::isatty(STDIN_FILENO) == 1; }

absl::StatusOr<std::string> StdioTerminal::ReadSecret(absl::string_view prompt) {
  struct termios saved;
  if (::tcgetattr(STDIN_FILENO, &saved) != 0) {
    return UsageError("stdin is not a terminal; pass --password-stdin");
  }
  g_saved_termios = saved;
  struct sigaction action = {};
  action.sa_handler = RestoreAndReraise;
  sigemptyset(&action.sa_mask);
  struct sigaction old_int, old_term, old_hup;
  ::sigaction(SIGINT, &action, &old_int);
  ::sigaction(SIGTERM, &action, &old_term);
  ::sigaction(SIGHUP, &action, &old_hup);
  struct termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  quiet.c_lflag |= ECHONL;
  g_echo_off = 1;
  ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  Prompt(prompt);
  bool eof = false;
  absl::StatusOr<std::string> line = ReadRawLine(&eof);
  ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  g_echo_off = 0;
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  ::sigaction(SIGHUP, &old_hup, nullptr);
  if (eof) Prompt("\n");
  return line;
}

absl::StatusOr<std::string> StdioTerminal::ReadLine(absl::string_view prompt) {
  Prompt(prompt);
  bool eof = false;
  return ReadRawLine(&eof);
}

absl::StatusOr<std::string> StdioTerminal::ReadStdinLine() {
  bool eof = false;
  return ReadRawLine(&eof);
}

}  // namespace clipforge::cli
