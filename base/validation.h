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

// At most this many violations are spelled out in one message; the rest are
// counted ("; and 12 more"), so a request with a million bad entries cannot
// make a megabyte of error text.
inline constexpr size_t kMaxReportedViolations = 10;

// OK when `violations` is empty, else INVALID_ARGUMENT with the first
// kMaxReportedViolations of them joined by "; " and the number of the rest.
absl::Status InvalidArgumentFromViolations(const std::vector<std::string>& violations);

// Collects field violations; status() reports them at once (the first
// kMaxReportedViolations, then how many more).
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
  // OK, or INVALID_ARGUMENT "field: reason; field2: reason2[; and N more]".
  absl::Status status() const;

 private:
  void Add(absl::string_view field, std::string reason);

  std::vector<std::string> violations_;
};

}  // namespace clipforge::base
