// The command line: global flags, the command table, and parsing. Parsing
// knows nothing of the network; every mistake becomes a UsageError (exit 2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clipforge::cli {

struct FlagSpec {
  absl::string_view name;        // without "--"
  absl::string_view value_name;  // empty: a boolean flag that takes no value
  absl::string_view help;
  bool required = false;
  // May be given more than once (`--effect=A --effect=B`); Invocation::GetAll
  // has every value in order. Other flags given twice are a usage error.
  bool repeatable = false;
};

struct CommandSpec {
  absl::string_view name;      // "login", "profile set"
  absl::string_view operands;  // "HANDLE_OR_EMAIL", "[HANDLE]"
  size_t min_operands = 0;
  size_t max_operands = 0;
  absl::string_view summary;
  std::vector<FlagSpec> flags;
};

// Every command, in the order `clipforge --help` lists them.
const std::vector<CommandSpec>& Commands();
const CommandSpec* FindCommand(absl::string_view name);

struct GlobalOptions {
  std::optional<std::string> server;
  std::optional<std::string> config_dir;
  std::optional<std::string> ca_file;
  bool plaintext = false;
  bool json = false;
};

// A parsed command line.
struct Invocation {
  GlobalOptions global;
  bool help = false;                     // --help / -h / `help [COMMAND]`
  const CommandSpec* command = nullptr;  // null only with help
  std::vector<std::string> operands;
  absl::flat_hash_map<std::string, std::string> flags;  // "" for boolean flags
  // Every value of each repeatable flag given, in order (`flags` holds the
  // last one).
  absl::flat_hash_map<std::string, std::vector<std::string>> repeated_flags;

  bool Has(absl::string_view flag) const { return flags.contains(flag); }
  std::optional<std::string> Get(absl::string_view flag) const;
  // Every value of a repeatable flag, in order; empty when not given.
  std::vector<std::string> GetAll(absl::string_view flag) const;
  // The operand at `index`, or "" when absent.
  std::string Operand(size_t index) const;
  // An integer flag in [min, max]; nullopt when not given; UsageError when
  // it is not an integer in range.
  absl::StatusOr<std::optional<int32_t>> IntFlag(absl::string_view flag, int32_t min,
                                                int32_t max) const;
  absl::StatusOr<std::optional<int64_t>> Int64Flag(absl::string_view flag, int64_t min, int64_t max) const;
};

// Parses argv (without the program name) into `out`, filling in whatever it
// can even on error (so that --json is honoured when reporting the error).
// Global flags may come before or after the command; `--name=value` and
// `--name value` are both accepted; `--` ends the flags.
absl::Status ParseArgs(const std::vector<std::string>& args, Invocation& out);

// "a,b, c" -> {"a", "b", "c"}; empty items dropped.
std::vector<std::string> SplitList(absl::string_view text);
// "@Alice" -> "Alice".
std::string StripAt(absl::string_view handle);

std::string GeneralUsage();
std::string CommandUsage(const CommandSpec& command);
// "usage: clipforge login HANDLE_OR_EMAIL [--device-name=NAME] [--password-stdin]"
std::string UsageLine(const CommandSpec& command);

}  // namespace clipforge::cli
