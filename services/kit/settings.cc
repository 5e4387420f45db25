#include "services/kit/settings.h"

#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace clipforge::kit {
namespace {

absl::Status LoadFile(const std::string& path, const std::set<std::string, std::less<>>& known,
                      std::map<std::string, std::string, std::less<>>& values) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("config: cannot read ", path));
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    absl::string_view text = absl::StripAsciiWhitespace(line);
    if (text.empty() || text.front() == '#') continue;
    const size_t eq = text.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("config: ", path, ":", number, ": expected key = value"));
    }
    const std::string key(absl::StripAsciiWhitespace(text.substr(0, eq)));
    if (!known.contains(key)) {
      return absl::InvalidArgumentError(absl::StrCat("config: ", path, ":", number, ": unknown key '", key, "'"));
    }
    values[key] = std::string(absl::StripAsciiWhitespace(text.substr(eq + 1)));
  }
  return absl::OkStatus();
}

}  // namespace

std::string EnvNameOf(absl::string_view key) {
  std::string name = "CLIPFORGE_";
  for (const char c : key) name.push_back(c == '-' ? '_' : absl::ascii_toupper(c));
  return name;
}

absl::StatusOr<Settings> Settings::Load(const std::vector<SettingSpec>& specs,
                                        const std::vector<std::string>& args, char** env) {
  Settings settings;
  std::set<std::string, std::less<>> known;
  for (const SettingSpec& spec : specs) {
    known.insert(spec.key);
    if (!spec.default_value.empty()) settings.values_[spec.key] = spec.default_value;
  }
  std::map<std::string, std::string, std::less<>> env_values;
  std::map<std::string, std::string, std::less<>> flag_values;
  std::string config_file;
  for (char** e = env; e != nullptr && *e != nullptr; ++e) {
    const absl::string_view entry(*e);
    const size_t eq = entry.find('=');
    if (eq == absl::string_view::npos) continue;
    const absl::string_view name = entry.substr(0, eq);
    if (name == "CLIPFORGE_CONFIG") config_file = std::string(entry.substr(eq + 1));
    for (const SettingSpec& spec : specs) {
      if (name == EnvNameOf(spec.key)) env_values[spec.key] = std::string(entry.substr(eq + 1));
    }
  }
  for (const std::string& arg : args) {
    absl::string_view flag = arg;
    if (!absl::ConsumePrefix(&flag, "--")) {
      return absl::InvalidArgumentError(absl::StrCat("unexpected argument '", arg, "'"));
    }
    const size_t eq = flag.find('=');
    const std::string key(flag.substr(0, eq));
    const std::string value = eq == absl::string_view::npos ? "true" : std::string(flag.substr(eq + 1));
    if (key == "config") {
      config_file = value;
    } else if (known.contains(key)) {
      flag_values[key] = value;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", key));
    }
  }
  if (!config_file.empty()) {
    if (absl::Status s = LoadFile(config_file, known, settings.values_); !s.ok()) return s;
  }
  for (auto& [k, v] : env_values) settings.values_[k] = v;
  for (auto& [k, v] : flag_values) settings.values_[k] = v;
  return settings;
}

std::string Settings::Get(absl::string_view key) const {
  const auto it = values_.find(key);
  return it == values_.end() ? std::string() : it->second;
}

absl::StatusOr<int64_t> Settings::GetInt(absl::string_view key, int64_t min, int64_t max) const {
  int64_t value = 0;
  if (!absl::SimpleAtoi(Get(key), &value) || value < min || value > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", key, ": expected an integer between ", min, " and ", max));
  }
  return value;
}

absl::StatusOr<bool> Settings::GetBool(absl::string_view key) const {
  bool value = false;
  if (!absl::SimpleAtob(Get(key), &value)) {
    return absl::InvalidArgumentError(absl::StrCat("--", key, ": expected true or false"));
  }
  return value;
}

absl::StatusOr<absl::Duration> Settings::GetDuration(absl::string_view key) const {
  absl::Duration value;
  if (!absl::ParseDuration(Get(key), &value) || value < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", key, ": expected a duration such as 500ms, 30s or 10m"));
  }
  return value;
}

std::string Settings::Usage(const std::vector<SettingSpec>& specs) {
  std::string out;
  for (const SettingSpec& spec : specs) {
    absl::StrAppend(&out, "  --", spec.key, "=VALUE  (", EnvNameOf(spec.key), ")\n      ", spec.help);
    if (!spec.default_value.empty()) absl::StrAppend(&out, " [default: ", spec.default_value, "]");
    out += "\n";
  }
  return out;
}

}  // namespace clipforge::kit
