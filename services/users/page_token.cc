#include "services/users/page_token.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/validation.h"
#include "services/kit/token_fields.h"

namespace clipforge::users {
namespace {
constexpr size_t kMaxTokenLength = 1024;
}  // namespace

std::string EncodePageToken(ListKind kind, const std::string& subject, const ListCursor& cursor) {
  return kit::EncodeTokenFields("p1", {absl::StrCat(static_cast<int>(kind)), subject,
                                       absl::StrCat(absl::ToUnixMicros(cursor.since)), cursor.user_id});
}

absl::StatusOr<std::optional<ListCursor>> DecodePageToken(const std::string& token, ListKind kind,
                                                          const std::string& subject) {
  if (token.empty()) return std::nullopt;
  const std::optional<std::vector<std::string>> fields = kit::DecodeTokenFields(token, "p1", 4, kMaxTokenLength);
  int64_t micros = 0;
  // Microseconds between 1970 and 2^53 (year 2255) keep Postgres' interval
  // arithmetic in range.
  if (!fields || !absl::SimpleAtoi((*fields)[2], &micros) || micros < 0 || micros > (int64_t{1} << 53) ||
      !base::IsCanonicalUuid((*fields)[3])) {
    return absl::InvalidArgumentError("page_token: malformed");
  }
  if ((*fields)[0] != std::to_string(static_cast<int>(kind)) || (*fields)[1] != subject) {
    return absl::InvalidArgumentError("page_token: was issued for another list");
  }
  return ListCursor{absl::FromUnixMicros(micros), (*fields)[3]};
}

}  // namespace clipforge::users
