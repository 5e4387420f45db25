#include "cli/config.h"

#include "absl/strings/str_cat.h"
#include "cli/errors.h"

namespace clipforge::cli {
namespace {

std::optional<std::string> NonEmpty(const GetEnvFn& getenv, const char* name) {
  const char* value = getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

}  // namespace

absl::StatusOr<Config> ResolveConfig(const GlobalOptions& global, const GetEnvFn& getenv,
                                     const LocalStackFn& local_stack) {
  Config config;
  config.json = global.json;
  if (global.server) {
    config.server = *global.server;
  } else if (auto env = NonEmpty(getenv, "CLIPFORGE_SERVER")) {
    config.server = *env;
  } else if (auto local = local_stack()) {
    config.server = *local;
  } else {
    config.server = kDefaultServer;
  }
  absl::StatusOr<Transport> transport =
      ChooseTransport(config.server, global.plaintext, global.ca_file.value_or(""),
                      NonEmpty(getenv, "CLIPFORGE_CA_FILE").value_or(""));
  if (!transport.ok()) return transport.status();
  config.transport = *std::move(transport);

  if (global.config_dir) {
    config.config_dir = *global.config_dir;
  } else if (auto env = NonEmpty(getenv, "CLIPFORGE_CONFIG_DIR")) {
    config.config_dir = *env;
  } else if (auto xdg = NonEmpty(getenv, "XDG_CONFIG_HOME"); xdg && (*xdg)[0] == '/') {
    config.config_dir = absl::StrCat(*xdg, "/clipforge");
  } else if (auto home = NonEmpty(getenv, "HOME")) {
    config.config_dir = absl::StrCat(*home, "/.config/clipforge");
  } else {
    return UsageError(
        "cannot find a config directory: HOME is not set; pass --config-dir=DIR or set "
        "CLIPFORGE_CONFIG_DIR");
  }
  return config;
}

}  // namespace clipforge::cli
