// Request validation: every handler checks its input with a FieldValidator
// before doing any work, so bad input becomes INVALID_ARGUMENT naming the
// field, never a crash or a half-written state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/status.h"

namespace clipforge::base {

// Decodes the UTF-8 sequence starting at text[i] into `out`; returns its
// length, or 0 when it is invalid (overlong forms, surrogates and values
// above U+10FFFF are invalid).
size_t DecodeUtf8(absl::string_view text, size_t i, char32_t& out);

// Number of Unicode code points in `text`, or nullopt when it is not valid
// UTF-8 (overlong forms, surrogates and values above U+10FFFF are invalid).
std::optional<size_t> Utf8Length(absl::string_view text);

// True for the canonical textual UUID form: 8-4-4-4-12 lowercase hex digits.
bool IsCanonicalUuid(absl::string_view text);

struct TextRule {
  size_t min_chars = 0;   // 0 means the field may be empty.
  size_t max_chars = 0;   // Required: every string has a limit.
  bool allow_control = false;  // Control characters other than \n and \t.
};

// Collects field violations; status() reports all of them at once.
class FieldValidator {
 public:
  FieldValidator& Text(absl::string_view field, absl::string_view value, TextRule rule);
  FieldValidator& Uuid(absl::string_view field, absl::string_view value, bool required = true);
  FieldValidator& IntRange(absl::string_view field, int64_t value, int64_t min, int64_t max);
  FieldValidator& Count(absl::string_view field, size_t count, size_t max);
  // Validates a page size and returns the effective one: 0 means `fallback`.
  int32_t PageSize(absl::string_view field, int32_t value, int32_t fallback, int32_t max);
  FieldValidator& Check(bool ok, absl::string_view field, absl::string_view reason);

  bool ok() const { return violations_.empty(); }
  // OK, or INVALID_ARGUMENT "field: reason; field2: reason2".
  absl::Status status() const;

 private:
  void Add(absl::string_view field, std::string reason);

  std::vector<std::string> violations_;
};

}  // namespace clipforge::base
