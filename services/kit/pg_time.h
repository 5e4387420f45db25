// Times cross the Postgres boundary as integer microseconds since the Unix
// epoch (no time zone or text-format surprises): every store builds its SQL
// and reads its rows with these.
#pragma once

#include <cstdint>
#include <string>

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace clipforge::kit {

// The SQL for parameter $n (bigint microseconds) as a timestamptz.
inline std::string SqlTimestampParam(int n) {
  return absl::StrCat("(timestamptz 'epoch' + $", n, "::bigint * interval '1 microsecond')");
}

// The SQL for a bigint-microseconds expression (a column of unnest(), say)
// as a timestamptz: what SqlTimestampParam does for a parameter. Exact for
// any time within 285 years of 1970 (the product is a double).
inline std::string SqlTimestampOf(absl::string_view micros) {
  return absl::StrCat("(timestamptz 'epoch' + ", micros, " * interval '1 microsecond')");
}

// The SQL for a timestamptz column (or expression) as bigint microseconds.
inline std::string SqlMicros(const char* column) {
  return absl::StrCat("(extract(epoch FROM ", column, ") * 1000000)::bigint");
}

inline int64_t ToMicros(absl::Time t) { return absl::ToUnixMicros(t); }
inline absl::Time TimeFromMicros(const pqxx::field& f) { return absl::FromUnixMicros(f.as<int64_t>()); }

}  // namespace clipforge::kit
