// What a command prints. A command fills one Record; Output renders it as
// aligned `key: value` lines (and tables) for people, or as one JSON object
// per command for scripts (--json). Errors go to stderr as one line
// "clipforge: <message>"; with --json they are also printed on stdout as
// {"error":{"code":"...","message":"..."}}.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace clipforge::cli {

struct Record;

// Where a field shows: everywhere, or only in --json output (ids and tokens
// for the next page that would clutter a table).
enum class Show { kAlways, kJsonOnly };

struct Field {
  using Value = std::variant<std::string, int64_t, bool, std::vector<std::string>,
                             std::vector<Record>>;
  std::string key;  // snake_case; the human label replaces "_" with " "
  Value value;
  Show show = Show::kAlways;
};

struct Record {
  Record& Str(absl::string_view key, absl::string_view value, Show show = Show::kAlways);
  Record& Int(absl::string_view key, int64_t value, Show show = Show::kAlways);
  Record& Bool(absl::string_view key, bool value, Show show = Show::kAlways);
  Record& List(absl::string_view key, std::vector<std::string> values, Show show = Show::kAlways);
  // Rendered for people as a table whose columns are the rows' fields.
  Record& Table(absl::string_view key, std::vector<Record> rows, Show show = Show::kAlways);

  std::vector<Field> fields;
};

// One JSON object on one line, with a trailing newline.
std::string RenderJson(const Record& record);
// Aligned "label: value" lines; booleans as yes/no; lists joined with ", ";
// tables as columns under an upper-case header. Control characters are
// escaped so that server text cannot drive the terminal.
std::string RenderHuman(const Record& record);
// {"error":{"code":"NOT_FOUND","message":"...","reason":"..."}} + newline.
std::string RenderJsonError(const absl::Status& status);
// Text safe for a terminal line: control characters as \n, \t, \xNN.
std::string TerminalSafe(absl::string_view text);

class Output {
 public:
  // Progress redraws in place when `err` is a terminal.
  Output(bool json, FILE* out, FILE* err);
  // For tests: `err_is_terminal` instead of asking the system.
  Output(bool json, FILE* out, FILE* err, bool err_is_terminal)
      : json_(json), out_(out), err_(err), err_is_terminal_(err_is_terminal) {}

  bool json() const { return json_; }
  void Result(const Record& record);
  // A hint for people (stderr); dropped with --json.
  void Note(absl::string_view text);
  // Reports a failure (see the file comment).
  void Error(const absl::Status& status);
  // Free text for people on stdout (help).
  void Text(absl::string_view text);

  // The progress of a long command for people (stderr); dropped with
  // --json. On a terminal each call redraws one line in place ("\r"), and
  // the next other output starts below it; elsewhere (a log, a pipe) each
  // call is a line of its own, so the caller prints only the changes worth
  // a line (see progress_redraws).
  void Progress(absl::string_view line);
  bool progress_redraws() const { return err_is_terminal_; }

 private:
  // Moves below the line Progress draws in place, if there is one.
  void EndProgress();

  bool json_;
  FILE* out_;
  FILE* err_;
  bool err_is_terminal_;
  size_t progress_width_ = 0;  // columns of the line drawn in place; 0: none
};

}  // namespace clipforge::cli
