#include "services/kit/http_range.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace clipforge::kit {
namespace {

// A non-empty run of decimal digits that fits in 63 bits (so a+1 and b-a+1
// never overflow).
std::optional<uint64_t> ParsePosition(absl::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (!absl::ascii_isdigit(c)) return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

}  // namespace

ByteRangeDecision DecideByteRange(absl::string_view value, uint64_t size) {
  using Kind = ByteRangeDecision::Kind;
  const ByteRangeDecision full{};
  const ByteRangeDecision unsatisfiable{.kind = Kind::kUnsatisfiable};
  value = absl::StripAsciiWhitespace(value);
  constexpr absl::string_view kUnit = "bytes=";
  if (value.size() < kUnit.size() || !absl::EqualsIgnoreCase(value.substr(0, kUnit.size()), kUnit)) return full;
  const absl::string_view spec = absl::StripAsciiWhitespace(value.substr(kUnit.size()));
  if (absl::StrContains(spec, ',')) return full;  // Multi-range: see the header.
  const size_t dash = spec.find('-');
  if (dash == absl::string_view::npos) return full;
  const absl::string_view first_text = spec.substr(0, dash);
  const absl::string_view last_text = spec.substr(dash + 1);

  if (first_text.empty()) {  // "-n": the last n bytes.
    const std::optional<uint64_t> suffix = ParsePosition(last_text);
    if (!suffix) return full;
    if (*suffix == 0 || size == 0) return unsatisfiable;
    const uint64_t length = *suffix < size ? *suffix : size;
    return {.kind = Kind::kPartial, .first = size - length, .last = size - 1};
  }
  const std::optional<uint64_t> first = ParsePosition(first_text);
  if (!first) return full;
  uint64_t last = size == 0 ? 0 : size - 1;
  if (!last_text.empty()) {
    const std::optional<uint64_t> requested_last = ParsePosition(last_text);
    if (!requested_last || *requested_last < *first) return full;
    if (*requested_last < last) last = *requested_last;
  }
  if (*first >= size) return unsatisfiable;
  return {.kind = Kind::kPartial, .first = *first, .last = last};
}

}  // namespace clipforge::kit
