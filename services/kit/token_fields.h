// Opaque page tokens: a tag naming the token's format and version, then
// its fields, '|'-separated and web-safe base64 encoded. The fields are
// position data the server issued (never secrets); a token is only as
// trustworthy as the checks its decoder makes of each field.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace clipforge::kit {

// `fields` must not contain '|'.
// The longest page token the services' listings accept: their keyset
// fields encoded are far shorter.
inline constexpr size_t kMaxPageTokenBytes = 256;

inline std::string EncodeTokenFields(absl::string_view tag, absl::Span<const std::string> fields) {
  std::string raw(tag);
  for (const std::string& field : fields) absl::StrAppend(&raw, "|", field);
  return absl::WebSafeBase64Escape(raw);
}

// The `count` fields of a token encoded under `tag`; nullopt for a token
// longer than `max_bytes`, not base64, of another tag or field count.
inline std::optional<std::vector<std::string>> DecodeTokenFields(absl::string_view token, absl::string_view tag,
                                                                 size_t count, size_t max_bytes) {
  std::string raw;
  if (token.size() > max_bytes || !absl::WebSafeBase64Unescape(token, &raw)) return std::nullopt;
  std::vector<std::string> parts = absl::StrSplit(raw, '|');
  if (parts.size() != count + 1 || parts[0] != tag) return std::nullopt;
  parts.erase(parts.begin());
  return parts;
}

}  // namespace clipforge::kit
