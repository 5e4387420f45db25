// Where the CLI connects and keeps its files: flags first, then the
// environment, then defaults.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "cli/args.h"
#include "cli/transport.h"

namespace clipforge::cli {

inline constexpr char kDefaultServer[] = "127.0.0.1:50051";

struct Config {
  std::string server;      // gRPC target, HOST:PORT
  std::string config_dir;  // holds credentials.json
  Transport transport;     // TLS or plaintext, and the CA file
  bool json = false;
};

// Returns the value of an environment variable, or null when unset.
using GetEnvFn = std::function<const char*(const char* name)>;

// The gRPC address of the running local stack (see local_stack.h), or
// nullopt when there is none. Asked only when nothing more explicit names a
// server.
using LocalStackFn = std::function<std::optional<std::string>()>;

// server: --server, CLIPFORGE_SERVER, the running local stack,
// 127.0.0.1:50051.
// transport: --plaintext, else TLS with --ca-file or CLIPFORGE_CA_FILE, else
// TLS for any server that is not loopback (see transport.h).
// config_dir: --config-dir, CLIPFORGE_CONFIG_DIR, $XDG_CONFIG_HOME/clipforge
// (when absolute), $HOME/.config/clipforge. Empty variables count as unset.
absl::StatusOr<Config> ResolveConfig(const GlobalOptions& global, const GetEnvFn& getenv,
                                     const LocalStackFn& local_stack);

}  // namespace clipforge::cli
