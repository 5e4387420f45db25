// Prompt normalization (case, punctuation, ASCII and Unicode spaces, other
// bytes kept) and character shingles (UTF-8 aware windows, short and empty
// texts, FNV-1a pinned to its published test vectors).
#include "feed/prompt_shingles.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clipforge::feed {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

TEST(NormalizePromptTest, LowercasesDropsPunctuationCollapsesAndTrimsSpaces) {
  EXPECT_EQ(NormalizePrompt("  A Red  FOX,\tat   dusk!! "), "a red fox at dusk");
  // Punctuation vanishes without leaving a space.
  EXPECT_EQ(NormalizePrompt("Red-fox 4K!!"), "redfox 4k");
  EXPECT_EQ(NormalizePrompt("fox , at"), "fox at");
  EXPECT_EQ(NormalizePrompt("line one\r\nline two"), "line one line two");
}

TEST(NormalizePromptTest, KeepsNonAsciiBytesAndCollapsesUnicodeSpaces) {
  // U+00A0, U+3000 and U+2003 are spaces; É, Ü and the kanji stay as they
  // are (no Unicode case folding).
  EXPECT_EQ(NormalizePrompt("Caf\u00e9\u00a0\u00a0\u00dcber\u3000\u6771\u4eac"), "caf\u00e9 \u00dcber \u6771\u4eac");
  EXPECT_EQ(NormalizePrompt("\u3000\u6771\u4eac\u2003\u306e\u00a0\u591c "), "\u6771\u4eac \u306e \u591c");
}

TEST(NormalizePromptTest, NothingLeftIsEmpty) {
  EXPECT_EQ(NormalizePrompt(""), "");
  EXPECT_EQ(NormalizePrompt("\t\n  "), "");
  EXPECT_EQ(NormalizePrompt("?!... ,,"), "");
}

TEST(ShingleHashTest, IsFnv1a64) {
  // The published FNV-1a 64-bit test vectors.
  EXPECT_EQ(ShingleHash(""), 0xcbf29ce484222325u);
  EXPECT_EQ(ShingleHash("a"), 0xaf63dc4c8601ec8cu);
  EXPECT_EQ(ShingleHash("foobar"), 0x85944171f73967e8u);
}

TEST(PromptShinglesTest, WindowsOfFiveCharactersSortedAndDistinct) {
  std::vector<uint64_t> expected = {ShingleHash("abcde"), ShingleHash("bcdef")};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(PromptShingles("abcdef"), expected);
  EXPECT_THAT(PromptShingles("aaaaaaa"), ElementsAre(ShingleHash("aaaaa")));
  const std::vector<uint64_t> threes = PromptShingles("abcdefgh", 3);
  EXPECT_EQ(threes.size(), 6u);
  EXPECT_TRUE(std::is_sorted(threes.begin(), threes.end()));
}

TEST(PromptShinglesTest, ShortTextIsOneShingleEmptyTextNone) {
  EXPECT_THAT(PromptShingles("fox"), ElementsAre(ShingleHash("fox")));
  EXPECT_THAT(PromptShingles("abcde"), ElementsAre(ShingleHash("abcde")));
  EXPECT_THAT(PromptShingles(""), IsEmpty());
  // k = 0 counts as 1: one shingle per character.
  EXPECT_THAT(PromptShingles("ab", 0), UnorderedElementsAre(ShingleHash("a"), ShingleHash("b")));
}

TEST(PromptShinglesTest, WindowsCountCharactersNotBytes) {
  // Four characters (12 bytes): shorter than a window.
  EXPECT_THAT(PromptShingles("\u6771\u4eac\u306e\u591c"), ElementsAre(ShingleHash("\u6771\u4eac\u306e\u591c")));
  // Six characters: two windows of five whole characters.
  std::vector<uint64_t> expected = {ShingleHash("\u6771\u4eac\u306e\u591c\u666f"),
                                    ShingleHash("\u4eac\u306e\u591c\u666f\u8272")};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(PromptShingles("\u6771\u4eac\u306e\u591c\u666f\u8272"), expected);
}

}  // namespace
}  // namespace clipforge::feed
