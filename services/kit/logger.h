// Structured logs: one JSON object per line. Callers pass key/value fields;
// nothing that is a secret (passwords, tokens, DSN passwords) may be passed.
#pragma once

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include "absl/strings/string_view.h"
#include <variant>

#include "absl/synchronization/mutex.h"
#include "base/clock.h"

namespace clipforge::kit {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

struct LogField {
  using Value = std::variant<absl::string_view, int64_t, double, bool>;
  LogField(absl::string_view k, absl::string_view v) : key(k), value(v) {}
  LogField(absl::string_view k, const std::string& v) : key(k), value(absl::string_view(v)) {}
  LogField(absl::string_view k, const char* v) : key(k), value(absl::string_view(v)) {}
  LogField(absl::string_view k, int64_t v) : key(k), value(v) {}
  LogField(absl::string_view k, int v) : key(k), value(static_cast<int64_t>(v)) {}
  LogField(absl::string_view k, uint64_t v) : key(k), value(static_cast<int64_t>(v)) {}
  LogField(absl::string_view k, double v) : key(k), value(v) {}
  LogField(absl::string_view k, bool v) : key(k), value(v) {}
  absl::string_view key;
  Value value;
};

class Logger {
 public:
  // `sink` is not owned; one write(2)-sized fwrite per line keeps lines whole.
  Logger(FILE* sink, const base::Clock& clock, LogLevel min_level = LogLevel::kInfo)
      : sink_(sink), clock_(clock), min_level_(min_level) {}

  void Log(LogLevel level, absl::string_view event, std::initializer_list<LogField> fields = {});
  void Info(absl::string_view event, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kInfo, event, fields);
  }
  void Warn(absl::string_view event, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kWarn, event, fields);
  }
  void Error(absl::string_view event, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kError, event, fields);
  }
  bool Enabled(LogLevel level) const { return level >= min_level_; }

 private:
  FILE* sink_;
  const base::Clock& clock_;
  LogLevel min_level_;
  absl::Mutex mu_;  // Serializes writes so lines never interleave.
};

std::string RedactDsn(absl::string_view dsn);

}  // namespace clipforge::kit
