// MinHash signatures: the estimate against the true Jaccard similarity of
// constructed sets, identical and empty sets, prompts that differ only by
// normalization, and the permutations pinned (stored signatures must stay
// comparable across builds and machines).
#include "feed/minhash.h"

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace clipforge::feed {
namespace {

// The shingle set {first, first + 1, ..., first + count - 1}: consecutive
// values, the worst case for a weak mix.
std::vector<uint64_t> ConsecutiveShingles(uint64_t first, uint64_t count) {
  std::vector<uint64_t> shingles;
  for (uint64_t i = 0; i < count; ++i) shingles.push_back(first + i);
  return shingles;
}

TEST(MinHashTest, EstimateIsCloseToTheTrueJaccard) {
  struct Case {
    uint64_t size;
    uint64_t shift;  // B is A shifted by this much: J = (size - shift) / (size + shift)
  };
  for (const Case& c : {Case{1000, 100}, Case{1000, 250}, Case{1000, 500}, Case{1000, 750}, Case{300, 100},
                        Case{600, 200}, Case{200, 150}}) {
    const double jaccard = static_cast<double>(c.size - c.shift) / static_cast<double>(c.size + c.shift);
    const MinHashSignature a = ComputeMinHash(ConsecutiveShingles(0, c.size));
    const MinHashSignature b = ComputeMinHash(ConsecutiveShingles(c.shift, c.size));
    EXPECT_NEAR(EstimateJaccard(a, b), jaccard, 0.1) << "size " << c.size << " shift " << c.shift;
  }
}

TEST(MinHashTest, IdenticalSetsAgreeEverywhereDisjointNowhere) {
  const MinHashSignature a = ComputeMinHash(ConsecutiveShingles(0, 500));
  EXPECT_EQ(EstimateJaccard(a, ComputeMinHash(ConsecutiveShingles(0, 500))), 1.0);
  EXPECT_EQ(EstimateJaccard(a, ComputeMinHash(ConsecutiveShingles(500, 500))), 0.0);
  // Order and duplicates do not matter.
  std::vector<uint64_t> shuffled = ConsecutiveShingles(0, 500);
  std::vector<uint64_t> reversed(shuffled.rbegin(), shuffled.rend());
  reversed.insert(reversed.end(), shuffled.begin(), shuffled.begin() + 100);
  EXPECT_EQ(ComputeMinHash(reversed), a);
}

TEST(MinHashTest, EmptySetsMatchNothingNotEvenEachOther) {
  const MinHashSignature empty = ComputeMinHash({});
  for (const uint64_t slot : empty) EXPECT_EQ(slot, kEmptyMinHashSlot);
  EXPECT_EQ(EstimateJaccard(empty, empty), 0.0);
  EXPECT_EQ(EstimateJaccard(PromptSignature("?!"), PromptSignature("")), 0.0);
}

TEST(MinHashTest, PromptsEqualAfterNormalizationHaveEqualSignatures) {
  EXPECT_EQ(PromptSignature("A red fox, at DUSK!"), PromptSignature("a red   fox at dusk"));
  EXPECT_EQ(EstimateJaccard(PromptSignature("A red fox, at DUSK!"), PromptSignature("a red   fox at dusk")), 1.0);
}

TEST(MinHashTest, PermutationsArePinned) {
  // Computed once from the documented seeds and mix; a change here
  // invalidates every stored signature.
  const MinHashSignature zero = ComputeMinHash({0});
  EXPECT_EQ(zero[0], 0x3efe22076b825386u);
  EXPECT_EQ(zero[1], 0x9698f31a687a8089u);
  EXPECT_EQ(zero[127], 0xa107aee9de6fe956u);
}

}  // namespace
}  // namespace clipforge::feed
