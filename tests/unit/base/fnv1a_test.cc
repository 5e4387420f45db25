// 64-bit FNV-1a against the published test vectors (Noll's FNV page), and
// its bytes-not-chars reading of high bytes.
#include "base/fnv1a.h"

#include <string>

#include <gtest/gtest.h>

namespace clipforge::base {
namespace {

TEST(Fnv1a64Test, MatchesThePublishedVectors) {
  static_assert(Fnv1a64("a") == 0xaf63dc4c8601ec8cu, "usable in constant expressions");
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325u);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cu);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8u);
}

TEST(Fnv1a64Test, ReadsHighBytesAsUnsignedAndCountsNulBytes) {
  // A signed char would xor in sign-extended bits and give another value.
  EXPECT_EQ(Fnv1a64("\xff"), (kFnv1aOffsetBasis ^ 0xffu) * kFnv1aPrime);
  EXPECT_NE(Fnv1a64(std::string("a\0", 2)), Fnv1a64("a"));
}

}  // namespace
}  // namespace clipforge::base
