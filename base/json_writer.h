// A tiny JSON writer for --json output and the credentials file. It builds
// one document in memory and always produces valid JSON: strings are escaped
// and invalid UTF-8 becomes U+FFFD. Callers nest Begin/End calls correctly.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace clipforge::base {

// Appends `text` as a quoted JSON string.
void AppendJsonString(std::string& out, absl::string_view text);

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // Inside an object: names the next value.
  JsonWriter& Key(absl::string_view key);
  JsonWriter& String(absl::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();

  const std::string& str() const { return out_; }

 private:
  void BeforeValue();

  std::string out_;
  std::vector<bool> empty_;  // per open container: nothing written yet
  bool after_key_ = false;
};

}  // namespace clipforge::base
