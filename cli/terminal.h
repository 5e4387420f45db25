// Reading secrets and confirmations from the user. Prompts go to stderr so
// that stdout stays clean for --json.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clipforge::cli {

class Terminal {
 public:
  virtual ~Terminal() = default;
  // True when stdin is a terminal (prompts are possible).
  virtual bool Interactive() const = 0;
  // Prompts and reads one line without echo (termios); the echo is restored
  // even when the user presses Ctrl-C.
  virtual absl::StatusOr<std::string> ReadSecret(absl::string_view prompt) = 0;
  // Prompts and reads one line with echo.
  virtual absl::StatusOr<std::string> ReadLine(absl::string_view prompt) = 0;
  // Reads one line from stdin without prompting (--password-stdin); the
  // trailing "\n" or "\r\n" is dropped.
  virtual absl::StatusOr<std::string> ReadStdinLine() = 0;
};

// The process's stdin and stderr.
class StdioTerminal final : public Terminal {
 public:
  bool Interactive() const override;
  absl::StatusOr<std::string> ReadSecret(absl::string_view prompt) override;
  absl::StatusOr<std::string> ReadLine(absl::string_view prompt) override;
  absl::StatusOr<std::string> ReadStdinLine() override;
};

}  // namespace clipforge::cli
