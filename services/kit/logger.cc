#include "services/kit/logger.h"

#include <regex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "base/json_writer.h"

namespace clipforge::kit {
namespace {

absl::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

}  // namespace

void Logger::Log(LogLevel level, absl::string_view event, std::initializer_list<LogField> fields) {
  if (!Enabled(level)) return;
  std::string line = "{\"ts\":\"";
  line += absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", clock_.Now(), absl::UTCTimeZone());
  absl::StrAppend(&line, "\",\"level\":\"", LevelName(level), "\",\"event\":");
  base::AppendJsonString(line, event);
  for (const LogField& field : fields) {
    line += ",";
    base::AppendJsonString(line, field.key);
    line += ":";
    std::visit(
        [&line](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, absl::string_view>) {
            base::AppendJsonString(line, v);
          } else if constexpr (std::is_same_v<T, bool>) {
            line += v ? "true" : "false";
          } else {
            absl::StrAppend(&line, v);
          }
        },
        field.value);
  }
  line += "}\n";
  absl::MutexLock lock(&mu_);
  std::fwrite(line.data(), 1, line.size(), sink_);
  std::fflush(sink_);
}

std::string RedactDsn(absl::string_view dsn) {
  // postgresql://user:secret@host -> postgresql://user:***@host, and
  // password=secret -> password=*** in key/value DSNs.
  static const std::regex kUrlPassword(R"((://[^:/@]*:)[^@]*@)");
  static const std::regex kKvPassword(R"((password\s*=\s*)\S+)");
  std::string out = std::regex_replace(std::string(dsn), kUrlPassword, "$1***@");
  return std::regex_replace(out, kKvPassword, "$1***");
}

}  // namespace clipforge::kit
