// How the moderation stores' values cross the Postgres boundary, shared by
// store.cc, case_queries.cc and bank_queries.cc: enum lists as smallint[]
// (written as array literals, read through array_to_string(col, ',')),
// bytes as hex (encode()/decode() in SQL), and the nil UUID that stands for
// "no cursor" in keyset paging.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace clipforge::moderation_service {

inline constexpr char kNilUuid[] = "00000000-0000-0000-0000-000000000000";

// `values` as a smallint[] literal of their numbers.
template <typename Enum>
std::string EnumArray(const std::vector<Enum>& values) {
  return absl::StrCat("{", absl::StrJoin(values, ",", [](std::string* out, Enum v) {
                        absl::StrAppend(out, static_cast<int>(v));
                      }), "}");
}

// A smallint[] read as array_to_string(column, ',').
template <typename Enum>
std::vector<Enum> EnumsFrom(const pqxx::field& f) {
  std::vector<Enum> values;
  for (absl::string_view item : absl::StrSplit(f.as<std::string>(), ',', absl::SkipEmpty())) {
    int value = 0;
    if (!absl::SimpleAtoi(item, &value)) throw std::runtime_error("moderation: malformed enum array");
    values.push_back(static_cast<Enum>(value));
  }
  return values;
}

// A bytea read as encode(column, 'hex').
inline std::string Unhex(const pqxx::field& f) { return absl::HexStringToBytes(f.as<std::string>()); }

}  // namespace clipforge::moderation_service
