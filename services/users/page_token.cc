#include "services/users/page_token.h"

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/validation.h"

namespace clipforge::users {
namespace {
constexpr size_t kMaxTokenLength = 1024;
}  // namespace

std::string EncodePageToken(ListKind kind, const std::string& subject, const ListCursor& cursor) {
  return absl::WebSafeBase64Escape(absl::StrCat("p1|", static_cast<int>(kind), "|", subject, "|",
                                                absl::ToUnixMicros(cursor.since), "|", cursor.user_id));
}

absl::StatusOr<std::optional<ListCursor>> DecodePageToken(const std::string& token, ListKind kind,
                                                          const std::string& subject) {
  if (token.empty()) return std::nullopt;
  std::string raw;
  if (token.size() > kMaxTokenLength || !absl::WebSafeBase64Unescape(token, &raw)) {
    return absl::InvalidArgumentError("page_token: malformed");
  }
  const std::vector<std::string> parts = absl::StrSplit(raw, '|');
  int64_t micros = 0;
  // Microseconds between 1970 and 2^53 (year 2255) keep Postgres' interval
  // arithmetic in range.
  if (parts.size() != 5 || parts[0] != "p1" || !absl::SimpleAtoi(parts[3], &micros) || micros < 0 ||
      micros > (int64_t{1} << 53) || !base::IsCanonicalUuid(parts[4])) {
    return absl::InvalidArgumentError("page_token: malformed");
  }
  if (parts[1] != std::to_string(static_cast<int>(kind)) || parts[2] != subject) {
    return absl::InvalidArgumentError("page_token: was issued for another list");
  }
  return ListCursor{absl::FromUnixMicros(micros), parts[4]};
}

}  // namespace clipforge::users
