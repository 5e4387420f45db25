#include "feed/page_cursor.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/hmac.h"

namespace clipforge::feed {
namespace {

constexpr size_t kCursorMacBytes = base::kHmacSha256Bytes;
// The version, three length bytes and the three integers: the least a
// cursor holds before its filter.
constexpr size_t kCursorFixedBytes = 1 + 3 + 8 + 4 + 8;
constexpr size_t kCursorLargestRawBytes =
    kCursorFixedBytes + 3 * kMaxPageCursorFieldBytes + kMaxSerializedBloomBytes + kCursorMacBytes;
static_assert((kCursorLargestRawBytes + 2) / 3 * 4 <= kMaxPageCursorTokenChars,
              "every token EncodePageCursor makes is short enough for DecodePageCursor");

[[noreturn]] void CursorPreconditionFailed(const char* what) {
  std::fprintf(stderr, "page_cursor: precondition violated: %s\n", what);
  std::abort();
}

absl::Status CursorRejected(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("page_token: ", why, "; ", kPageTokenRestartHint));
}

void AppendCursorString(std::string& out, absl::string_view field) {
  out.push_back(static_cast<char>(field.size()));
  out.append(field.data(), field.size());
}

void AppendCursorInteger(std::string& out, uint64_t value, size_t width) {
  for (size_t i = 0; i < width; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

// Reads the layout of the file comment front to back; every read fails
// (false) rather than run past the end.
class CursorReader {
 public:
  explicit CursorReader(absl::string_view bytes) : rest_(bytes) {}

  bool String(std::string& out) {
    if (rest_.empty()) return false;
    const auto size = static_cast<uint8_t>(rest_[0]);
    if (rest_.size() < size_t{1} + size) return false;
    out.assign(rest_.data() + 1, size);
    rest_.remove_prefix(size_t{1} + size);
    return true;
  }

  bool Integer(size_t width, uint64_t& out) {
    if (rest_.size() < width) return false;
    out = 0;
    for (size_t i = 0; i < width; ++i) out |= static_cast<uint64_t>(static_cast<uint8_t>(rest_[i])) << (8 * i);
    rest_.remove_prefix(width);
    return true;
  }

  absl::string_view rest() const { return rest_; }

 private:
  absl::string_view rest_;
};

std::string CursorMacInput(absl::string_view signed_bytes) {
  return absl::StrCat(kPageCursorMacDomain, signed_bytes);
}

}  // namespace

std::string EncodePageCursor(const PageCursor& cursor, absl::string_view key) {
  if (key.size() < kMinPageCursorKeyBytes) CursorPreconditionFailed("the key is shorter than 32 bytes");
  if (cursor.session_id.size() > kMaxPageCursorFieldBytes || cursor.feed_name.size() > kMaxPageCursorFieldBytes ||
      cursor.user_id.size() > kMaxPageCursorFieldBytes) {
    CursorPreconditionFailed("session_id, feed_name or user_id is longer than 255 bytes");
  }
  std::string raw;
  raw.push_back(static_cast<char>(kPageCursorVersion));
  AppendCursorString(raw, cursor.session_id);
  AppendCursorInteger(raw, static_cast<uint64_t>(cursor.snapshot_epoch), 8);
  AppendCursorInteger(raw, static_cast<uint32_t>(cursor.page), 4);
  AppendCursorInteger(raw, static_cast<uint64_t>(absl::ToUnixMicros(cursor.issued_at)), 8);
  AppendCursorString(raw, cursor.feed_name);
  AppendCursorString(raw, cursor.user_id);
  raw += cursor.served.Serialize();
  raw += base::HmacSha256(key, CursorMacInput(raw));
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<PageCursor> DecodePageCursor(absl::string_view token, absl::Span<const std::string> keys,
                                            absl::string_view expected_user_id,
                                            absl::string_view expected_feed_name, absl::Time now,
                                            absl::Duration max_age) {
  bool any_usable_key = false;
  for (const std::string& key : keys) any_usable_key = any_usable_key || key.size() >= kMinPageCursorKeyBytes;
  if (!any_usable_key) {
    return absl::InternalError(
        absl::StrCat("page cursor: no signing key of at least ", kMinPageCursorKeyBytes, " bytes is configured"));
  }

  if (token.size() > kMaxPageCursorTokenChars) {
    return CursorRejected(absl::StrCat("longer than ", kMaxPageCursorTokenChars, " characters"));
  }
  std::string raw;
  if (token.empty() || !absl::WebSafeBase64Unescape(token, &raw) || raw.size() < kCursorFixedBytes + kCursorMacBytes) {
    return CursorRejected("malformed");
  }
  if (static_cast<uint8_t>(raw[0]) != kPageCursorVersion) return CursorRejected("of an unsupported version");

  // Verified before anything is parsed: past this point every byte is
  // the server's own.
  const absl::string_view signed_bytes(raw.data(), raw.size() - kCursorMacBytes);
  const absl::string_view mac(raw.data() + signed_bytes.size(), kCursorMacBytes);
  const std::string mac_input = CursorMacInput(signed_bytes);
  bool verified = false;
  for (const std::string& key : keys) {
    if (key.size() < kMinPageCursorKeyBytes) continue;
    if (base::VerifyHmacSha256(key, mac_input, mac)) {
      verified = true;
      break;
    }
  }
  if (!verified) return CursorRejected("the signature does not verify (forged, tampered with or under a retired key)");

  CursorReader reader(signed_bytes.substr(1));
  PageCursor cursor;
  uint64_t epoch = 0, page = 0, issued_micros = 0;
  if (!reader.String(cursor.session_id) || !reader.Integer(8, epoch) || !reader.Integer(4, page) ||
      !reader.Integer(8, issued_micros) || !reader.String(cursor.feed_name) || !reader.String(cursor.user_id)) {
    return CursorRejected("malformed");
  }
  absl::StatusOr<BloomFilter> served = BloomFilter::Parse(reader.rest());
  if (!served.ok()) return CursorRejected("malformed");
  cursor.snapshot_epoch = static_cast<int64_t>(epoch);
  cursor.page = static_cast<int32_t>(static_cast<uint32_t>(page));
  cursor.issued_at = absl::FromUnixMicros(static_cast<int64_t>(issued_micros));
  cursor.served = *std::move(served);

  if (cursor.user_id != expected_user_id) return CursorRejected("was issued to another user");
  if (cursor.feed_name != expected_feed_name) return CursorRejected("was issued for another feed");
  if (cursor.issued_at > now + kPageCursorClockSkew) return CursorRejected("was issued in the future");
  if (cursor.issued_at + max_age < now) {
    return CursorRejected(absl::StrCat("expired: older than ", absl::FormatDuration(max_age)));
  }
  return cursor;
}

}  // namespace clipforge::feed
