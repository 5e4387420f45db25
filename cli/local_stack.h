// The local stack: the clipforged that `scripts/run` started from the clone
// this clipforge binary was built in. scripts/run serves on 127.0.0.1:50051
// only when that port is free, so the CLI reads the address it really chose
// from the clone's `.data/stack.env`.
//
// How the file is found: from the executable's own directory upward (the
// binary lives in `build/<preset>/bin/` of its clone). That ties the CLI to
// the stack built from the same source, needs no extra state that could go
// stale (scripts/run removes stack.env when it stops), works for several
// clones side by side and as root (where $XDG_RUNTIME_DIR is often unset),
// and an installed copy elsewhere simply finds nothing.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace clipforge::cli {

// The file's contents, or nullopt when it is missing or must not be trusted.
using ReadFileFn = std::function<std::optional<std::string>(const std::string& path)>;

// Where stack.env lives below a clone's root.
inline constexpr char kStackEnvPath[] = ".data/stack.env";

// The gRPC address in the text of a stack.env when it says the stack runs
// (`export CLIPFORGE_RUN_STATE=running`) and the address is a plain
// HOST:PORT (`export CLIPFORGE_GRPC_ADDR=127.0.0.1:50051`). The file is
// data, never run: only those two `export NAME=VALUE` lines are read, the
// last of each wins (as when sourced), and a value that needed shell quoting
// is not plain, so it is ignored.
std::optional<std::string> RunningStackServer(absl::string_view stack_env);

// True for HOST:PORT where HOST is a name or IPv4 address ([A-Za-z0-9.-])
// or a bracketed IPv6 address, and PORT is 1-65535.
bool IsPlainHostPort(absl::string_view address);

// Looks for .data/stack.env in the directory of `executable_path` and each
// directory above it; the nearest file that `read_file` returns decides.
// nullopt when none is found, the stack is not running, or the path is not
// absolute.
std::optional<std::string> FindLocalStackServer(absl::string_view executable_path,
                                                const ReadFileFn& read_file);

// The real reader: the contents of a regular file (not a symbolic link)
// owned by this user, closed to group and others (scripts/run writes
// stack.env with mode 0600) and at most 64 KiB; nullopt otherwise. Anything
// else, e.g. a stack.env another user planted in /tmp/.data, is ignored.
std::optional<std::string> ReadOwnPrivateFile(const std::string& path);

// This process's executable (/proc/self/exe), or "" when it is unknown.
std::string ExecutablePath();

}  // namespace clipforge::cli
