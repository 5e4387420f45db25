// base::WordHash64: the steps its header states (so a token's Bloom filter
// reads the same in the next build), length and padding kept apart, and
// its bits spread evenly over ids that differ only in a few characters.
#include "base/word_hash.h"

#include <array>
#include <string>

#include <gtest/gtest.h>

#include "absl/strings/str_format.h"

namespace clipforge::base {
namespace {

using word_hash_internal::kWordHashMultiplier;
using word_hash_internal::MixWord;

TEST(WordHash64Test, FollowsTheStatedSteps) {
  // "abc": the length, then one zero-padded little-endian word.
  EXPECT_EQ(WordHash64("abc"), SplitMix64Finalizer(MixWord(MixWord(kWordHashMultiplier, 3), 0x636261u)));
  // Nine bytes: a whole word ("abcdefgh" little-endian), then "i" padded.
  EXPECT_EQ(WordHash64("abcdefghi"),
            SplitMix64Finalizer(
                MixWord(MixWord(MixWord(kWordHashMultiplier, 9), 0x6867666564636261u), 0x69u)));
  EXPECT_EQ(WordHash64(""), SplitMix64Finalizer(MixWord(kWordHashMultiplier, 0)));
}

TEST(WordHash64Test, TrailingZeroBytesAndLengthsGiveOtherValues) {
  // Padding the last word with zeros must not make "a" and "a\0" equal.
  EXPECT_NE(WordHash64(std::string("a\0", 2)), WordHash64("a"));
  EXPECT_NE(WordHash64(std::string(8, '\0')), WordHash64(std::string(16, '\0')));
  EXPECT_NE(WordHash64("\xff"), WordHash64("\x7f"));
}

TEST(WordHash64Test, SpreadsSimilarIdsEvenlyOverBuckets) {
  // UUIDv7-like ids share their leading (time) characters; a Bloom filter
  // takes the high and the low 32 bits, so both halves must be even.
  constexpr int kIds = 64000;
  constexpr int kBuckets = 64;
  std::array<int, kBuckets> high{}, low{};
  for (int i = 0; i < kIds; ++i) {
    const uint64_t hash = WordHash64(absl::StrFormat("0190a1b2-c3d4-7e5f-8a6b-%012x", i));
    ++high[hash >> 58];
    ++low[(hash >> 26) & (kBuckets - 1)];
  }
  // Chi-square with 63 degrees of freedom: above 110 has p < 0.0002.
  const auto chi_square = [&](const std::array<int, kBuckets>& counts) {
    const double expected = static_cast<double>(kIds) / kBuckets;
    double sum = 0;
    for (int count : counts) sum += (count - expected) * (count - expected) / expected;
    return sum;
  };
  EXPECT_LT(chi_square(high), 110.0);
  EXPECT_LT(chi_square(low), 110.0);
}

}  // namespace
}  // namespace clipforge::base
