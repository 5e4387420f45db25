#include "services/clipforged/flags.h"

#include <cstdio>

#include "absl/status/status.h"

extern char** environ;

namespace clipforge::clipforged {

kit::SettingSpec DatabaseUrlSpec() {
  return {"database-url", "", "PostgreSQL DSN, e.g. postgresql://user:pass@127.0.0.1:5432/clipforge",
          /*secret=*/true};
}

absl::StatusOr<kit::Settings> LoadOrExplain(absl::string_view command,
                                            const std::vector<kit::SettingSpec>& specs,
                                            const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h") {
      std::printf("usage: clipforged %s [--flag=value ...]\n\nflags:\n%s  --config=FILE  (CLIPFORGE_CONFIG)\n",
                  std::string(command).c_str(), kit::Settings::Usage(specs).c_str());
      return absl::CancelledError("help");
    }
  }
  auto settings = kit::Settings::Load(specs, args, environ);
  if (!settings.ok()) {
    std::fprintf(stderr, "clipforged %s: %s\n(see clipforged %s --help)\n", std::string(command).c_str(),
                 std::string(settings.status().message()).c_str(), std::string(command).c_str());
  }
  return settings;
}

int ExitCodeFor(const absl::Status& status) { return absl::IsCancelled(status) ? 0 : 2; }

int Fail(absl::string_view message) {
  std::fprintf(stderr, "clipforged: %s\n", std::string(message).c_str());
  return 1;
}

}  // namespace clipforge::clipforged
