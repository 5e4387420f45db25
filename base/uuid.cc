#include "base/uuid.h"

#include "absl/status/status.h"
#include "base/validation.h"

namespace clipforge::base {
namespace {

constexpr char kHex[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string FormatUuid(const UuidBytes& bytes) {
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0xF]);
  }
  return out;
}

absl::StatusOr<UuidBytes> ParseUuid(absl::string_view text) {
  if (!IsCanonicalUuid(text)) return absl::InvalidArgumentError("not a canonical UUID");
  UuidBytes out{};
  size_t n = 0;
  for (size_t i = 0; i < text.size(); i += 2) {
    if (text[i] == '-') ++i;
    out[n++] = static_cast<uint8_t>(HexValue(text[i]) << 4 | HexValue(text[i + 1]));
  }
  return out;
}

UuidBytes UuidV7Generator::NextBytes() {
  UuidBytes b;
  random_.Fill(b.data(), b.size());
  const int64_t now_ms = absl::ToUnixMillis(clock_.Now());
  uint64_t ms;
  uint16_t counter;
  {
    absl::MutexLock lock(&mu_);
    if (now_ms > 0 && static_cast<uint64_t>(now_ms) > last_ms_) {
      last_ms_ = static_cast<uint64_t>(now_ms);
      counter_ = static_cast<uint16_t>((b[6] << 8 | b[7]) & 0x7FF);  // Leave headroom.
    } else if (++counter_ > 0xFFF) {
      ++last_ms_;  // Counter exhausted: borrow the next millisecond.
      counter_ = 0;
    }
    ms = last_ms_;
    counter = counter_;
  }
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(ms >> (40 - 8 * i));
  b[6] = static_cast<uint8_t>(0x70 | (counter >> 8));  // Version 7.
  b[7] = static_cast<uint8_t>(counter & 0xFF);
  b[8] = static_cast<uint8_t>(0x80 | (b[8] & 0x3F));   // RFC 9562 variant.
  return b;
}

std::string UuidV7Generator::Next() { return FormatUuid(NextBytes()); }

}  // namespace clipforge::base
