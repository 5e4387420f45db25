// HMAC-SHA-256 against RFC 4231's test vectors, and verification.
#include "base/hmac.h"

#include <string>

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"

namespace clipforge::base {
namespace {

std::string Hex(absl::string_view bytes) { return absl::BytesToHexString(bytes); }

TEST(HmacSha256Test, MatchesRfc4231TestCase1) {
  const std::string key(20, '\x0b');
  EXPECT_EQ(Hex(HmacSha256(key, "Hi There")), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(HmacSha256Test, MatchesRfc4231TestCase2) {
  EXPECT_EQ(Hex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256Test, MatchesRfc4231TestCase6WithAKeyLongerThanABlock) {
  const std::string key(131, '\xaa');
  EXPECT_EQ(Hex(HmacSha256(key, "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256Test, VerifyTakesOnlyTheRightMacForTheKeyAndData) {
  const std::string mac = HmacSha256("key", "data");
  EXPECT_TRUE(VerifyHmacSha256("key", "data", mac));
  EXPECT_FALSE(VerifyHmacSha256("other key", "data", mac));
  EXPECT_FALSE(VerifyHmacSha256("key", "datA", mac));
  std::string flipped = mac;
  flipped[31] ^= 0x01;
  EXPECT_FALSE(VerifyHmacSha256("key", "data", flipped));
  EXPECT_FALSE(VerifyHmacSha256("key", "data", mac.substr(0, 16)));
  EXPECT_FALSE(VerifyHmacSha256("key", "data", ""));
}

}  // namespace
}  // namespace clipforge::base
