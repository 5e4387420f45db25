#include "base/validation.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace clipforge::base {
namespace {

bool IsDisallowedControl(char32_t cp) {
  return (cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7F;
}

}  // namespace

size_t DecodeUtf8(absl::string_view text, size_t i, char32_t& out) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  size_t len;
  char32_t cp;
  char32_t min;
  if (lead < 0x80) {
    out = lead;
    return 1;
  } else if ((lead & 0xE0) == 0xC0) {
    len = 2, cp = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    len = 3, cp = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    len = 4, cp = lead & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  out = cp;
  return len;
}

std::optional<size_t> Utf8Length(absl::string_view text) {
  size_t count = 0;
  for (size_t i = 0; i < text.size(); ++count) {
    char32_t cp;
    const size_t len = DecodeUtf8(text, i, cp);
    if (len == 0) return std::nullopt;
    i += len;
  }
  return count;
}

bool IsCanonicalUuid(absl::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

FieldValidator& FieldValidator::Text(absl::string_view field, absl::string_view value,
                                     TextRule rule) {
  // Reject absurd sizes before decoding: 4 bytes is the longest code point.
  if (value.size() > rule.max_chars * 4) {
    Add(field, absl::StrCat("must be at most ", rule.max_chars, " characters"));
    return *this;
  }
  size_t chars = 0;
  for (size_t i = 0; i < value.size(); ++chars) {
    char32_t cp;
    const size_t len = DecodeUtf8(value, i, cp);
    if (len == 0) {
      Add(field, "must be valid UTF-8");
      return *this;
    }
    if (!rule.allow_control && IsDisallowedControl(cp)) {
      Add(field, "must not contain control characters");
      return *this;
    }
    i += len;
  }
  if (chars < rule.min_chars) {
    Add(field, rule.min_chars == 1 ? std::string("is required")
                                   : absl::StrCat("must be at least ", rule.min_chars,
                                                  " characters"));
  } else if (chars > rule.max_chars) {
    Add(field, absl::StrCat("must be at most ", rule.max_chars, " characters"));
  }
  return *this;
}

FieldValidator& FieldValidator::Uuid(absl::string_view field, absl::string_view value,
                                     bool required) {
  if (value.empty()) {
    if (required) Add(field, "is required");
  } else if (!IsCanonicalUuid(value)) {
    Add(field, "must be a UUID in canonical lowercase form");
  }
  return *this;
}

FieldValidator& FieldValidator::IntRange(absl::string_view field, int64_t value, int64_t min,
                                         int64_t max) {
  if (value < min || value > max) {
    Add(field, absl::StrCat("must be between ", min, " and ", max));
  }
  return *this;
}

FieldValidator& FieldValidator::Count(absl::string_view field, size_t count, size_t max) {
  if (count > max) Add(field, absl::StrCat("must have at most ", max, " entries"));
  return *this;
}

int32_t FieldValidator::PageSize(absl::string_view field, int32_t value, int32_t fallback,
                                 int32_t max) {
  if (value == 0) return fallback;
  if (value < 0 || value > max) {
    Add(field, absl::StrCat("must be between 1 and ", max));
    return fallback;
  }
  return value;
}

FieldValidator& FieldValidator::Check(bool ok, absl::string_view field, absl::string_view reason) {
  if (!ok) Add(field, std::string(reason));
  return *this;
}

absl::Status InvalidArgumentFromViolations(const std::vector<std::string>& violations) {
  if (violations.empty()) return absl::OkStatus();
  const size_t shown = std::min(violations.size(), kMaxReportedViolations);
  std::string message = absl::StrJoin(violations.begin(), violations.begin() + shown, "; ");
  if (violations.size() > shown) absl::StrAppend(&message, "; and ", violations.size() - shown, " more");
  return absl::InvalidArgumentError(message);
}

absl::Status FieldValidator::status() const { return InvalidArgumentFromViolations(violations_); }

void FieldValidator::Add(absl::string_view field, std::string reason) {
  violations_.push_back(absl::StrCat(field, ": ", reason));
}

}  // namespace clipforge::base
