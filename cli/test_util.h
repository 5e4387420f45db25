// Helpers for the CLI unit tests: a private temporary directory, a fake
// terminal, a settable clock, capturing stdio streams and no local stack.
#pragma once

#include <ftw.h>
#include <stdlib.h>

#include <cstdio>
#include <deque>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "absl/time/time.h"
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

}  // namespace clipforge::cli::testing
