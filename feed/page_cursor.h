// The feed's endless-scroll page token: where a feed session stands (its
// session, the score snapshot it ranks against, the page) and which clips
// it was served (a Bloom filter, bloom_filter.h), carried by the client so
// that the server keeps no state per session and still never serves a
// clip twice. The client could read the fields (they are position data,
// never secrets) but cannot change them: the token is signed with
// HMAC-SHA-256, so forging one, or trimming the filter to see clips again,
// fails verification.
//
// Layout, before web-safe base64 (RFC 4648 section 5, no padding);
// integers are fixed-width little-endian, strings are a length byte and
// their bytes:
//
//   size     field
//   1        version (kPageCursorVersion)
//   1 + s    session_id
//   8        snapshot_epoch, two's complement
//   4        page, two's complement
//   8        issued_at, Unix microseconds (floored), two's complement
//   1 + f    feed_name
//   1 + u    user_id
//   6 + ...  served: BloomFilter::Serialize(), to the MAC; its own length
//            checks leave no room for trailing bytes
//   32       HMAC-SHA-256 under the key of kPageCursorMacDomain followed by
//            every byte above
//
// The domain prefix keeps a MAC made for anything else under the same key
// from ever passing as a cursor's. With the feed's filter (1,000 clips at
// 1%), UUID session and user ids and the feed "for_you", a token is 191
// characters with no clip served, 407 with 20, 1,087 with 100, and 1,787
// from about 170 clips on (the filter's bitmap form), 1,000 included.
//
// Keys: DecodePageCursor tries each of a list of keys, current first. To
// rotate, put the new key first (it signs from then on) and keep the old
// one second for the longest max_age in use, then drop it: no open session
// is ended by the rotation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "feed/bloom_filter.h"

namespace clipforge::feed {

// 2: the Bloom filter hashes with base::WordHash64 (bloom_filter.h); a
// version-1 token's filter would name other bits, so it is refused and
// the client starts over, as with any stale token.
inline constexpr uint8_t kPageCursorVersion = 2;
inline constexpr absl::string_view kPageCursorMacDomain = "clipforge-feed-cursor-v1";
// The longest token DecodePageCursor reads, checked before decoding: the
// largest token EncodePageCursor makes (255-byte strings, the largest
// filter) is about 12,000 characters.
inline constexpr size_t kMaxPageCursorTokenChars = 16 * 1024;
// session_id, feed_name and user_id: one length byte each.
inline constexpr size_t kMaxPageCursorFieldBytes = 255;
// A signing key is at least 32 random bytes (HMAC-SHA-256's strength);
// shorter keys are never used, so an empty rotation slot verifies nothing.
inline constexpr size_t kMinPageCursorKeyBytes = 32;
// How far in the future a token's issued_at may be: the servers' clocks
// differ a little.
inline constexpr absl::Duration kPageCursorClockSkew = absl::Minutes(1);
// A session older than a day starts over: the score snapshots it ranked
// against are gone by then, and a tab left open overnight deserves a fresh
// feed anyway.
inline constexpr absl::Duration kDefaultPageCursorMaxAge = absl::Hours(24);
// Every rejection ends with it: the client's way out is always the same.
inline constexpr absl::string_view kPageTokenRestartHint = "start a new feed session: send no page_token";

struct PageCursor {
  std::string session_id;
  int64_t snapshot_epoch = 0;
  int32_t page = 0;
  absl::Time issued_at;
  std::string feed_name;
  // The viewer the token was issued to; empty for an anonymous viewer (a
  // token issued anonymously is then good for anonymous requests only).
  std::string user_id;
  BloomFilter served;

  friend bool operator==(const PageCursor&, const PageCursor&) = default;
};

// The token for `cursor`, signed under `key`. Preconditions (the fields
// are the server's own: a violation is a bug, and aborts): `key` is at
// least kMinPageCursorKeyBytes, and session_id, feed_name and user_id are
// at most kMaxPageCursorFieldBytes each.
std::string EncodePageCursor(const PageCursor& cursor, absl::string_view key);

// The cursor `token` holds, when it verifies under one of `keys` (current
// first; keys shorter than kMinPageCursorKeyBytes are skipped), was issued
// to `expected_user_id` for `expected_feed_name`, is no older than
// `max_age` at `now` (issued_at + max_age >= now) and not issued more than
// kPageCursorClockSkew after `now`. Otherwise INVALID_ARGUMENT
// "page_token: <why>; <kPageTokenRestartHint>", the why being one of:
// longer than kMaxPageCursorTokenChars, malformed (not base64, truncated,
// trailing bytes, a bad filter), of an unsupported version, a signature
// that does not verify (forged, tampered with, or signed under a key no
// longer listed), issued to another user or for another feed, expired, or
// issued in the future. INTERNAL when no usable key is configured. An
// empty token is malformed: a request without one starts a new session
// and never calls this.
absl::StatusOr<PageCursor> DecodePageCursor(absl::string_view token, absl::Span<const std::string> keys,
                                            absl::string_view expected_user_id,
                                            absl::string_view expected_feed_name, absl::Time now,
                                            absl::Duration max_age);

}  // namespace clipforge::feed
