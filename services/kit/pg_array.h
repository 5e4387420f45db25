// Postgres array literals for bulk statements: a column of rows is passed
// as one parameter and cast in SQL ($n::text[], then unnest), never spliced
// into SQL, so one statement writes any number of rows. Text is
// double-quoted with '"' and '\' backslash-escaped, so no value can split
// an element or end the array (and a quoted "NULL" stays a string); numbers
// and booleans need no quoting; NULL is the bare word.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace clipforge::kit {

class PgArray {
 public:
  void Text(absl::string_view value) {
    Separate();
    body_.push_back('"');
    for (const char ch : value) {
      if (ch == '"' || ch == '\\') body_.push_back('\\');
      body_.push_back(ch);
    }
    body_.push_back('"');
  }
  void Int(int64_t value) {
    Separate();
    absl::StrAppend(&body_, value);
  }
  void Bool(bool value) {
    Separate();
    body_.push_back(value ? 't' : 'f');
  }
  void Null() {
    Separate();
    body_.append("NULL");
  }
  std::string Literal() const { return absl::StrCat("{", body_, "}"); }

 private:
  // Every element writes at least one character, so an empty body means no
  // element yet.
  void Separate() {
    if (!body_.empty()) body_.push_back(',');
  }
  std::string body_;
};

// A text[] literal of `values`.
inline std::string PgTextArray(const std::vector<std::string>& values) {
  PgArray array;
  for (const std::string& value : values) array.Text(value);
  return array.Literal();
}

// One column of `rows` as an array literal: field(row) for each row.
template <typename Row, typename Field>
std::string TextsOf(const std::vector<Row>& rows, Field field) {
  PgArray array;
  for (const Row& row : rows) array.Text(field(row));
  return array.Literal();
}
template <typename Row, typename Field>
std::string IntsOf(const std::vector<Row>& rows, Field field) {
  PgArray array;
  for (const Row& row : rows) array.Int(static_cast<int64_t>(field(row)));
  return array.Literal();
}
template <typename Row, typename Field>
std::string BoolsOf(const std::vector<Row>& rows, Field field) {
  PgArray array;
  for (const Row& row : rows) array.Bool(field(row));
  return array.Literal();
}

}  // namespace clipforge::kit
