// The feed's page token: every field round trips; a token with any bit of
// any byte flipped, signed under another key (or without the cursor's
// domain), issued to another user or for another feed, expired, from the
// future, oversized, cut short or not base64 at all is refused with
// INVALID_ARGUMENT naming page_token and the way out; a rotated-out key
// still verifies while it is listed; the tokens stay small.
#include "feed/page_cursor.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/hmac.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clipforge::feed {
namespace {

using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kCursorSession[] = "0190a3c2-7b1e-7c3a-9f00-5e1d2c3b4a59";
constexpr char kCursorAlice[] = "0190a3c2-0000-7000-8000-00000000a11c";
constexpr char kCursorBob[] = "0190a3c2-0000-7000-8000-000000000b0b";
constexpr char kCursorFeed[] = "for_you";

std::string CursorCurrentKey() { return std::string(32, 'k'); }
std::string CursorRetiredKey() { return std::string(32, 'r'); }

// Not on a whole second: issued_at keeps its microseconds.
absl::Time CursorIssuedAt() { return absl::FromUnixSeconds(1'700'000'000) + absl::Microseconds(123'456); }

// Alice's for_you session, page 7, served clip-0 to clip-<served - 1>.
PageCursor SampleFeedCursor(int served) {
  PageCursor cursor{.session_id = kCursorSession,
                    .snapshot_epoch = 1'700'000'000'042,
                    .page = 7,
                    .issued_at = CursorIssuedAt(),
                    .feed_name = kCursorFeed,
                    .user_id = kCursorAlice};
  for (int i = 0; i < served; ++i) cursor.served.Add(absl::StrCat("clip-", i));
  return cursor;
}

// Decodes `token` for alice's for_you feed, `after` the cursor was issued.
absl::StatusOr<PageCursor> DecodeForAlice(absl::string_view token, const std::vector<std::string>& keys,
                                          absl::Duration after = absl::Minutes(1)) {
  return DecodePageCursor(token, keys, kCursorAlice, kCursorFeed, CursorIssuedAt() + after, kDefaultPageCursorMaxAge);
}

// Every refusal: INVALID_ARGUMENT naming page_token, saying `why`, and
// telling the client how to go on.
::testing::Matcher<absl::StatusOr<PageCursor>> CursorRefusal(const std::string& why) {
  return StatusIs(absl::StatusCode::kInvalidArgument,
                  AllOf(HasSubstr("page_token: "), HasSubstr(why), HasSubstr(std::string(kPageTokenRestartHint))));
}

// The bytes a token encodes, MAC included.
std::string CursorRawBytes(absl::string_view token) {
  std::string raw;
  EXPECT_TRUE(absl::WebSafeBase64Unescape(token, &raw));
  return raw;
}

// A token of `signed_bytes` with a valid MAC under `key`, as the server
// would sign them: what the MAC cannot catch, the layout checks must.
std::string CursorResigned(absl::string_view signed_bytes, absl::string_view key) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(signed_bytes, base::HmacSha256(key, absl::StrCat(kPageCursorMacDomain, signed_bytes))));
}

// The signed part of `token`: everything before its MAC.
std::string CursorSignedBytes(absl::string_view token) {
  const std::string raw = CursorRawBytes(token);
  return raw.substr(0, raw.size() - base::kHmacSha256Bytes);
}

TEST(PageCursorTest, EveryFieldRoundTrips) {
  const std::vector<std::string> keys = {CursorCurrentKey()};
  for (const int served : {0, 20, 1000}) {
    const PageCursor cursor = SampleFeedCursor(served);
    const std::string token = EncodePageCursor(cursor, CursorCurrentKey());
    ASSERT_OK_AND_ASSIGN(const PageCursor decoded, DecodeForAlice(token, keys));
    EXPECT_EQ(decoded.session_id, kCursorSession);
    EXPECT_EQ(decoded.snapshot_epoch, 1'700'000'000'042);
    EXPECT_EQ(decoded.page, 7);
    EXPECT_EQ(decoded.issued_at, CursorIssuedAt());
    EXPECT_EQ(decoded.feed_name, kCursorFeed);
    EXPECT_EQ(decoded.user_id, kCursorAlice);
    EXPECT_TRUE(decoded.served == cursor.served) << served << " served";
    EXPECT_TRUE(decoded == cursor) << served << " served";
    for (int i = 0; i < served; ++i) EXPECT_TRUE(decoded.served.MightContain(absl::StrCat("clip-", i))) << i;
  }

  // The integers' extremes, an anonymous viewer and the longest strings.
  PageCursor extreme = SampleFeedCursor(0);
  extreme.snapshot_epoch = std::numeric_limits<int64_t>::min();
  extreme.page = std::numeric_limits<int32_t>::max();
  extreme.session_id = std::string(kMaxPageCursorFieldBytes, 's');
  extreme.feed_name = std::string(kMaxPageCursorFieldBytes, 'f');
  extreme.user_id = "";
  const absl::Time now = CursorIssuedAt() + absl::Seconds(1);
  ASSERT_OK_AND_ASSIGN(const PageCursor decoded,
                       DecodePageCursor(EncodePageCursor(extreme, CursorCurrentKey()), keys, "", extreme.feed_name,
                                        now, kDefaultPageCursorMaxAge));
  EXPECT_TRUE(decoded == extreme);
  extreme.page = -1;
  extreme.snapshot_epoch = std::numeric_limits<int64_t>::max();
  EXPECT_THAT(DecodePageCursor(EncodePageCursor(extreme, CursorCurrentKey()), keys, "", extreme.feed_name, now,
                               kDefaultPageCursorMaxAge),
              IsOk());
}

TEST(PageCursorTest, TokensStaySmall) {
  // The set positions form keeps early pages short; from ~170 clips on the
  // 1,199-byte bitmap caps the filter (1,205 bytes serialized).
  const size_t early = EncodePageCursor(SampleFeedCursor(20), CursorCurrentKey()).size();
  const size_t full = EncodePageCursor(SampleFeedCursor(1000), CursorCurrentKey()).size();
  EXPECT_LT(early, 500u);
  EXPECT_LE(full, 1800u);
  EXPECT_EQ(EncodePageCursor(SampleFeedCursor(5000), CursorCurrentKey()).size(), full);
}

TEST(PageCursorTest, EveryFlippedBitIsRefused) {
  const std::vector<std::string> keys = {CursorCurrentKey()};
  // Both filter forms: 20 clips (set positions) and 1,000 (the bitmap).
  for (const int served : {20, 1000}) {
    const std::string raw = CursorRawBytes(EncodePageCursor(SampleFeedCursor(served), CursorCurrentKey()));
    ASSERT_FALSE(raw.empty());
    for (size_t i = 0; i < raw.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string flipped = raw;
        flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
        ASSERT_THAT(DecodeForAlice(absl::WebSafeBase64Escape(flipped), keys), CursorRefusal(""))
            << served << " served, byte " << i << " of " << raw.size() << ", bit " << bit;
      }
    }
  }
}

TEST(PageCursorTest, AnotherKeyIsRefusedARotatedOneAcceptedWhileListed) {
  const PageCursor cursor = SampleFeedCursor(20);
  const std::string current = EncodePageCursor(cursor, CursorCurrentKey());
  const std::string retired = EncodePageCursor(cursor, CursorRetiredKey());

  EXPECT_THAT(DecodeForAlice(current, {std::string(32, 'x')}), CursorRefusal("signature does not verify"));
  // During a rotation: the new key first, the old one second.
  const std::vector<std::string> rotating = {CursorCurrentKey(), CursorRetiredKey()};
  ASSERT_OK_AND_ASSIGN(const PageCursor from_retired, DecodeForAlice(retired, rotating));
  EXPECT_TRUE(from_retired == cursor);
  EXPECT_THAT(DecodeForAlice(current, rotating), IsOk());
  // Once the old key is dropped, its tokens end.
  EXPECT_THAT(DecodeForAlice(retired, {CursorCurrentKey()}), CursorRefusal("signature does not verify"));
}

TEST(PageCursorTest, ShortKeysVerifyNothing) {
  const std::string token = EncodePageCursor(SampleFeedCursor(20), CursorCurrentKey());
  // No usable key at all is the server's misconfiguration, not the client's.
  EXPECT_THAT(DecodeForAlice(token, {}), StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(DecodeForAlice(token, {""}), StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(DecodeForAlice(token, {std::string(kMinPageCursorKeyBytes - 1, 'k')}),
              StatusIs(absl::StatusCode::kInternal));
  // An empty rotation slot beside a real key: a token anyone could MAC
  // under the empty key is still refused.
  const std::vector<std::string> with_empty_slot = {"", CursorCurrentKey()};
  EXPECT_THAT(DecodeForAlice(token, with_empty_slot), IsOk());
  EXPECT_THAT(DecodeForAlice(CursorResigned(CursorSignedBytes(token), ""), with_empty_slot),
              CursorRefusal("signature does not verify"));
}

TEST(PageCursorTest, TheMacCoversTheCursorDomain) {
  // A MAC of the same bytes under the same key, without the domain prefix
  // (as another use of the key would make it), does not verify.
  const std::string signed_bytes = CursorSignedBytes(EncodePageCursor(SampleFeedCursor(20), CursorCurrentKey()));
  const std::string undomained =
      absl::WebSafeBase64Escape(absl::StrCat(signed_bytes, base::HmacSha256(CursorCurrentKey(), signed_bytes)));
  EXPECT_THAT(DecodeForAlice(undomained, {CursorCurrentKey()}), CursorRefusal("signature does not verify"));
  EXPECT_THAT(DecodeForAlice(CursorResigned(signed_bytes, CursorCurrentKey()), {CursorCurrentKey()}), IsOk());
}

TEST(PageCursorTest, ForeignTokensAreRefused) {
  const std::vector<std::string> keys = {CursorCurrentKey()};
  const std::string token = EncodePageCursor(SampleFeedCursor(20), CursorCurrentKey());
  const absl::Time now = CursorIssuedAt() + absl::Minutes(1);
  EXPECT_THAT(DecodePageCursor(token, keys, kCursorBob, kCursorFeed, now, kDefaultPageCursorMaxAge),
              CursorRefusal("another user"));
  EXPECT_THAT(DecodePageCursor(token, keys, "", kCursorFeed, now, kDefaultPageCursorMaxAge),
              CursorRefusal("another user"));
  EXPECT_THAT(DecodePageCursor(token, keys, kCursorAlice, "following", now, kDefaultPageCursorMaxAge),
              CursorRefusal("another feed"));
  EXPECT_THAT(DecodePageCursor(token, keys, kCursorAlice, kCursorFeed, now, kDefaultPageCursorMaxAge), IsOk());
}

TEST(PageCursorTest, ExpiredAndFutureTokensAreRefused) {
  const std::vector<std::string> keys = {CursorCurrentKey()};
  const std::string token = EncodePageCursor(SampleFeedCursor(20), CursorCurrentKey());
  // Good up to max_age inclusive.
  EXPECT_THAT(DecodeForAlice(token, keys, kDefaultPageCursorMaxAge), IsOk());
  EXPECT_THAT(DecodeForAlice(token, keys, kDefaultPageCursorMaxAge + absl::Microseconds(1)), CursorRefusal("expired"));
  EXPECT_THAT(DecodeForAlice(token, keys, absl::Hours(24 * 365)), CursorRefusal("expired"));
  EXPECT_THAT(DecodePageCursor(token, keys, kCursorAlice, kCursorFeed, CursorIssuedAt() + absl::Hours(2),
                               absl::Hours(1)),
              CursorRefusal("expired: older than 1h"));
  // Issued up to the allowed clock skew ahead of this server's clock.
  EXPECT_THAT(DecodeForAlice(token, keys, absl::ZeroDuration()), IsOk());
  EXPECT_THAT(DecodeForAlice(token, keys, -kPageCursorClockSkew), IsOk());
  EXPECT_THAT(DecodeForAlice(token, keys, -kPageCursorClockSkew - absl::Microseconds(1)), CursorRefusal("future"));
  EXPECT_THAT(DecodeForAlice(token, keys, -absl::Hours(1)), CursorRefusal("future"));
}

TEST(PageCursorTest, OversizedGarbageAndTruncatedTokensAreRefused) {
  const std::vector<std::string> keys = {CursorCurrentKey()};
  EXPECT_THAT(DecodeForAlice(std::string(kMaxPageCursorTokenChars + 1, 'A'), keys),
              CursorRefusal(absl::StrCat("longer than ", kMaxPageCursorTokenChars, " characters")));
  // At the cap the length passes, and the content does not: 12,288 zero
  // bytes, version 0.
  EXPECT_THAT(DecodeForAlice(std::string(kMaxPageCursorTokenChars, 'A'), keys), CursorRefusal("unsupported version"));
  EXPECT_THAT(DecodeForAlice("", keys), CursorRefusal("malformed"));
  EXPECT_THAT(DecodeForAlice("not a token!", keys), CursorRefusal("malformed"));
  EXPECT_THAT(DecodeForAlice("%%%%", keys), CursorRefusal("malformed"));
  EXPECT_THAT(DecodeForAlice(absl::WebSafeBase64Escape("hello"), keys), CursorRefusal("malformed"));

  const std::string token = EncodePageCursor(SampleFeedCursor(20), CursorCurrentKey());
  for (size_t size = 0; size < token.size(); ++size) {
    EXPECT_THAT(DecodeForAlice(token.substr(0, size), keys), CursorRefusal("")) << "cut to " << size;
  }
  EXPECT_THAT(DecodeForAlice(token + "AAAA", keys), CursorRefusal(""));
}

TEST(PageCursorTest, SignedButMalformedBodiesAreRefused) {
  // What only a server could sign, yet not in the cursor's layout.
  const std::vector<std::string> keys = {CursorCurrentKey()};
  const std::string signed_bytes = CursorSignedBytes(EncodePageCursor(SampleFeedCursor(20), CursorCurrentKey()));
  ASSERT_THAT(DecodeForAlice(CursorResigned(signed_bytes, CursorCurrentKey()), keys), IsOk());

  EXPECT_THAT(DecodeForAlice(CursorResigned(signed_bytes + '\0', CursorCurrentKey()), keys),
              CursorRefusal("malformed"));
  EXPECT_THAT(DecodeForAlice(CursorResigned(signed_bytes.substr(0, signed_bytes.size() - 1), CursorCurrentKey()),
                             keys),
              CursorRefusal("malformed"));
  std::string next_version = signed_bytes;
  next_version[0] = static_cast<char>(kPageCursorVersion + 1);
  EXPECT_THAT(DecodeForAlice(CursorResigned(next_version, CursorCurrentKey()), keys),
              CursorRefusal("unsupported version"));
  // A session id said to be 255 bytes long, in a cursor shorter than that.
  std::string overlong_field = CursorSignedBytes(EncodePageCursor(SampleFeedCursor(0), CursorCurrentKey()));
  overlong_field[1] = '\xff';
  EXPECT_THAT(DecodeForAlice(CursorResigned(overlong_field, CursorCurrentKey()), keys), CursorRefusal("malformed"));
}

}  // namespace
}  // namespace clipforge::feed
