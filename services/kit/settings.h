// Layered settings for the binaries: built-in defaults < a `key = value`
// file < CLIPFORGE_* environment variables < --key=value flags. Only known
// keys are accepted, so a typo fails at start instead of being ignored.
#pragma once

#include <map>
#include <set>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace clipforge::kit {

struct SettingSpec {
  std::string key;            // e.g. "grpc-addr"; env CLIPFORGE_GRPC_ADDR.
  std::string default_value;  // Empty means unset.
  std::string help;
  bool secret = false;        // Never printed (DSNs with passwords, keys).
};

class Settings {
 public:
  // `args` are the flags after the command word; `env` is usually environ.
  // The file comes from --config=FILE or CLIPFORGE_CONFIG.
  static absl::StatusOr<Settings> Load(const std::vector<SettingSpec>& specs,
                                       const std::vector<std::string>& args, char** env);

  std::string Get(absl::string_view key) const;
  absl::StatusOr<int64_t> GetInt(absl::string_view key, int64_t min, int64_t max) const;
  absl::StatusOr<bool> GetBool(absl::string_view key) const;
  // Durations in absl syntax: "250ms", "30s", "10m", "1h".
  absl::StatusOr<absl::Duration> GetDuration(absl::string_view key) const;

  // Help text listing every key, its env variable and default.
  static std::string Usage(const std::vector<SettingSpec>& specs);

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

std::string EnvNameOf(absl::string_view key);

}  // namespace clipforge::kit
