// README.md's CLI walkthrough, run verbatim against a real stack, so that
// the README cannot drift from what the CLI does.
//
// The test reads README.md at run time and takes the ```sh blocks that
// follow the marker line below (the walkthrough, then making the first
// admin). It lays out a throwaway "clone" the way
// scripts/run leaves one: build/release/bin holding clipforge and clipforged,
// and .data/stack.env naming this test's clipforged (a real one, over a real
// Postgres). Then it runs every line of the block, unchanged, in one bash
// started in that clone with a clean environment and a temporary HOME, on a
// pseudo-terminal: the lines call `clipforge` by name (the walkthrough puts
// build/release/bin on PATH itself), find the server the way a user's
// clipforge does (no --server, no CLIPFORGE_SERVER), and are asked for
// passwords without echo, which the test types in when it sees the prompt.
// Every line must exit 0 and a few key outputs must appear.
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tests/support/clipforged_process.h"
#include "tests/support/test_servers.h"

namespace clipforge::testing {
namespace {

constexpr char kMarker[] = "<!-- walkthrough: tested by tests/e2e/readme_walkthrough_e2etest.cc -->";
constexpr char kPassword[] = "a long and unusual passphrase";
constexpr auto kWalkthroughTimeout = std::chrono::seconds(120);

// The commands of the ```sh blocks that follow each kMarker line, in order:
// blank and comment lines dropped, backslash continuations joined. Empty when
// there is no marker, or a marker is not followed by a whole ```sh block.
std::vector<std::string> WalkthroughLines(const std::string& readme) {
  std::vector<std::string> lines;
  std::istringstream in(readme);
  std::string line;
  bool marked = false;
  while (std::getline(in, line)) {
    if (line != kMarker) continue;
    marked = true;
    while (std::getline(in, line) && line.empty()) {
    }
    if (line != "```sh") return {};
    std::string command;
    while (std::getline(in, line) && line != "```") {
      command += line;
      if (absl::EndsWith(command, "\\")) {
        command += "\n";
        continue;
      }
      const absl::string_view trimmed = absl::StripAsciiWhitespace(command);
      if (!trimmed.empty() && trimmed[0] != '#') lines.push_back(command);
      command.clear();
    }
    if (line != "```") return {};  // An unterminated block is no walkthrough.
  }
  return marked ? lines : std::vector<std::string>{};
}

// The script bash runs: each walkthrough line as written, on a line of its
// own, followed by a marker that reports its exit status; the first failing
// line ends the script.
std::string WalkthroughScript(const std::vector<std::string>& lines) {
  std::string script = "set -u\n";
  for (size_t i = 0; i < lines.size(); ++i) {
    absl::StrAppend(&script, lines[i], "\n", "cf_rc=$?; printf '\\n@@walkthrough line ", i,
                    " exit %d\\n' \"$cf_rc\"; [ \"$cf_rc\" -eq 0 ] || exit \"$cf_rc\"\n");
  }
  return script;
}

void WriteFile(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream(path) << text;
  ASSERT_EQ(chmod(path.c_str(), mode), 0) << path;
}

// `from` at `to`: a hard link when both are on one file system, else a copy.
// Never a symbolic link: clipforge finds its clone from its own path.
void PlaceExecutable(const std::string& from, const std::string& to) {
  if (link(from.c_str(), to.c_str()) == 0) return;
  std::error_code error;
  std::filesystem::copy_file(from, to, error);
  ASSERT_FALSE(error) << "cannot copy " << from << " to " << to << ": " << error.message();
  ASSERT_EQ(chmod(to.c_str(), 0755), 0);
}

// What a walkthrough run showed: everything on the terminal, and how it ended.
struct Transcript {
  std::string text;
  int exit_code = -1;
  bool timed_out = false;
};

// Runs `script` with bash in `cwd` on a pseudo-terminal with exactly `env`,
// typing kPassword whenever a password prompt is the last thing shown.
Transcript RunOnTerminal(const std::string& script, const std::string& cwd,
                         const std::vector<std::string>& env) {
  Transcript result;
  std::vector<char*> envp;
  for (const std::string& entry : env) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);
  const char* argv[] = {"bash", "--noprofile", "--norc", script.c_str(), nullptr};
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) {
    result.text = absl::StrCat("forkpty failed: ", strerror(errno));
    return result;
  }
  if (pid == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(126);
    execve("/bin/bash", const_cast<char* const*>(argv), envp.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + kWalkthroughTimeout;
  size_t answered_up_to = 0;  // transcript offset after the last prompt answered
  for (;;) {
    if (std::chrono::steady_clock::now() > deadline) {
      result.timed_out = true;
      kill(-pid, SIGKILL);
      break;
    }
    pollfd fd = {master, POLLIN, 0};
    if (poll(&fd, 1, 100) <= 0) continue;
    char buffer[4096];
    const ssize_t n = read(master, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EIO: every process on the terminal is gone.
    result.text.append(buffer, static_cast<size_t>(n));
    // A prompt is printed after echo is switched off, so typing now is safe.
    const absl::string_view pending = absl::string_view(result.text).substr(answered_up_to);
    const absl::string_view last_line = pending.substr(pending.rfind('\n') + 1);
    if (absl::EndsWith(last_line, ": ") && absl::StrContains(last_line, "assword")) {
      const std::string answer = absl::StrCat(kPassword, "\n");
      EXPECT_EQ(write(master, answer.data(), answer.size()), static_cast<ssize_t>(answer.size()));
      answered_up_to = result.text.size();
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  close(master);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.text.erase(std::remove(result.text.begin(), result.text.end(), '\r'), result.text.end());
  return result;
}

// What each walkthrough line printed, in order, up to the first that failed;
// `exit_codes` holds their statuses.
struct LineOutputs {
  std::vector<std::string> outputs;
  std::vector<int> exit_codes;
};

LineOutputs SplitByLine(const std::string& transcript) {
  LineOutputs lines;
  std::string current;
  for (const absl::string_view line : absl::StrSplit(transcript, '\n')) {
    absl::string_view rest = line;
    int index = 0;
    int code = 0;
    if (absl::ConsumePrefix(&rest, "@@walkthrough line ") &&
        std::sscanf(std::string(rest).c_str(), "%d exit %d", &index, &code) == 2 &&
        index == static_cast<int>(lines.outputs.size())) {
      lines.outputs.push_back(current);
      lines.exit_codes.push_back(code);
      current.clear();
    } else {
      absl::StrAppend(&current, line, "\n");
    }
  }
  return lines;
}

class ReadmeWalkthroughTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_ = TestPostgres::Start();
    server_ = ClipforgedServer::Start(CF_CLIPFORGED, {.services = "users,moderation", .database_url = pg_->dsn()});
    ASSERT_NE(server_, nullptr);
    grpc_port_ = server_->grpc_port();
  }

  // A clone as scripts/run leaves it while the stack runs.
  void MakeClone() {
    std::filesystem::create_directories(clone() + "/build/release/bin");
    std::filesystem::create_directories(clone() + "/.data");
    std::filesystem::create_directories(home());
    PlaceExecutable(CF_CLIPFORGE, clone() + "/build/release/bin/clipforge");
    ASSERT_EQ(symlink(CF_CLIPFORGED, (clone() + "/build/release/bin/clipforged").c_str()), 0);
    // The format of scripts/run's write_stack_env (printf %q values).
    WriteFile(clone() + "/.data/stack.env",
              absl::StrCat("# Written by scripts/run (pid 1); removed when it stops.\n",
                           "export CLIPFORGE_RUN_PID=1\n", "export CLIPFORGE_RUN_STATE=running\n",
                           "export CLIPFORGE_RUN_MODE=all\n", "export CLIPFORGE_GRPC_ADDR=127.0.0.1:",
                           grpc_port_, "\n", "export CLIPFORGE_DATABASE_URL=", pg_->dsn(), "\n"),
              0600);
  }

  std::string clone() const { return dir_.path() + "/clone"; }
  std::string home() const { return dir_.path() + "/home"; }

  TempDir dir_;
  std::unique_ptr<TestPostgres> pg_;
  std::unique_ptr<ClipforgedServer> server_;
  int grpc_port_ = 0;
};

TEST_F(ReadmeWalkthroughTest, EveryLineWorksAsWrittenAgainstARealStack) {
  const std::string readme = ReadFileToString(CF_README);
  ASSERT_FALSE(readme.empty()) << "cannot read " << CF_README;
  const std::vector<std::string> lines = WalkthroughLines(readme);
  ASSERT_GE(lines.size(), 5u) << "no walkthrough in " << CF_README << ": expected the line\n"
                              << kMarker << "\nthen a ```sh block of commands";

  // Key outputs; each must belong to a line of the walkthrough, so that
  // rewording the README cannot quietly drop a check.
  struct Expectation {
    std::string line;    // the walkthrough line, without any trailing comment
    std::string output;  // text its output must contain
  };
  const std::vector<Expectation> expectations = {
      {"clipforge whoami", "alice"},
      {"clipforge follow bob", "bob"},
      {"clipforge following", "bob"},
      {"clipforge profile", "I write prompts."},
      {"clipforge --json whoami", "\"handle\":\"alice\""},
      {"clipforge check \"a knight will K.I.L.L the dragon\"", "block"},
      {"clipforge rules", "kill"},
  };
  std::vector<int> expectation_line(expectations.size(), -1);
  for (size_t e = 0; e < expectations.size(); ++e) {
    for (size_t i = 0; i < lines.size(); ++i) {
      const std::string without_comment(absl::StripAsciiWhitespace(lines[i].substr(0, lines[i].find(" #"))));
      if (without_comment == expectations[e].line) expectation_line[e] = static_cast<int>(i);
    }
    EXPECT_GE(expectation_line[e], 0) << "the README walkthrough has no line `" << expectations[e].line
                                      << "` any more; update this test with it";
  }

  MakeClone();
  const std::string script_path = dir_.path() + "/walkthrough.sh";
  WriteFile(script_path, WalkthroughScript(lines), 0644);
  const Transcript run = RunOnTerminal(
      script_path, clone(),
      {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + home(), "TERM=dumb", "LANG=C.UTF-8"});

  ASSERT_FALSE(run.timed_out) << "the walkthrough did not finish in time; transcript:\n" << run.text;
  const LineOutputs outputs = SplitByLine(run.text);
  for (size_t i = 0; i < lines.size(); ++i) {
    ASSERT_LT(i, outputs.exit_codes.size())
        << "README line `" << lines[i] << "` did not complete; transcript:\n" << run.text;
    ASSERT_EQ(outputs.exit_codes[i], 0) << "README line `" << lines[i] << "` failed:\n" << outputs.outputs[i];
  }
  EXPECT_EQ(run.exit_code, 0) << run.text;
  for (size_t e = 0; e < expectations.size(); ++e) {
    if (expectation_line[e] < 0) continue;
    EXPECT_NE(outputs.outputs[expectation_line[e]].find(expectations[e].output), std::string::npos)
        << "README line `" << lines[expectation_line[e]] << "` printed:\n" << outputs.outputs[expectation_line[e]];
  }
  // Passwords were asked for on the terminal and never echoed.
  EXPECT_NE(run.text.find("password: "), std::string::npos) << run.text;
  EXPECT_EQ(run.text.find(kPassword), std::string::npos) << run.text;
  // The walkthrough's export landed in HOME, private, with alice's data.
  bool exported = false;
  for (const auto& entry : std::filesystem::directory_iterator(home())) {
    if (ReadFileToString(entry.path()).find("\"email\":\"alice@example.com\"") != std::string::npos) {
      exported = true;
    }
  }
  EXPECT_TRUE(exported) << "no export of alice's data in HOME";
}

// The test's own parser, on the shapes a README could take.
TEST(ReadmeWalkthroughParserTest, TakesExactlyTheMarkedBlocks) {
  const std::string marker = kMarker;
  EXPECT_EQ(WalkthroughLines("```sh\nclipforge whoami\n```\n"), std::vector<std::string>{});
  EXPECT_EQ(WalkthroughLines(marker + "\n\n```sh\n# a comment\nclipforge whoami   # note\n\n"
                                      "clipforge follow \\\n  bob\n```\n```sh\nnot this\n```\n" +
                             marker + "\n```sh\nclipforge logout\n```\n"),
            (std::vector<std::string>{"clipforge whoami   # note", "clipforge follow \\\n  bob",
                                      "clipforge logout"}));
  EXPECT_EQ(WalkthroughLines(marker + "\nsome prose\n```sh\nclipforge whoami\n```\n"),
            std::vector<std::string>{});
  EXPECT_EQ(WalkthroughLines(marker + "\n```sh\nclipforge whoami\n"), std::vector<std::string>{});
  EXPECT_EQ(WalkthroughLines(marker + "\n```sh\nclipforge whoami\n```\n" + marker + "\n```\nx\n```\n"),
            std::vector<std::string>{});
}

TEST(ReadmeWalkthroughParserTest, SplitsTheTranscriptAtEachLinesMarker) {
  const LineOutputs lines = SplitByLine(
      "Choose a password: \nRegistered @bob\n\n@@walkthrough line 0 exit 0\n\n@@walkthrough line 1 exit 3\n");
  ASSERT_EQ(lines.exit_codes, (std::vector<int>{0, 3}));
  EXPECT_NE(lines.outputs[0].find("Registered @bob"), std::string::npos);
  // A marker out of order is output, not a line's end.
  EXPECT_EQ(SplitByLine("@@walkthrough line 4 exit 0\n").exit_codes.size(), 0u);
}

}  // namespace
}  // namespace clipforge::testing
