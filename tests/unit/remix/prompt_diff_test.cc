// Word-level prompt diffs: tokens, Myers' shortest edit scripts (checked
// against a brute-force LCS on random prompts), spans that print back into
// both prompts, the changed fraction, and the bound on edits.
#include "remix/prompt_diff.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clipforge::remix {
namespace {

using ::testing::ElementsAre;

std::string Join(const std::vector<DiffSpan>& spans, DiffOp skip) {
  std::string text;
  for (const DiffSpan& span : spans) {
    if (span.op != skip) text += span.text;
  }
  return text;
}

// The length of a longest common subsequence, by dynamic programming.
size_t Lcs(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::vector<size_t>> t(a.size() + 1, std::vector<size_t>(b.size() + 1, 0));
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      t[i][j] = a[i - 1] == b[j - 1] ? t[i - 1][j - 1] + 1 : std::max(t[i - 1][j], t[i][j - 1]);
    }
  }
  return t[a.size()][b.size()];
}

TEST(PromptTokensTest, WordsAndPunctuationMarksAreTokensWhitespaceIsNot) {
  EXPECT_THAT(PromptTokens("  a red fox,  at dusk!\n"), ElementsAre("a", "red", "fox", ",", "at", "dusk", "!"));
  EXPECT_THAT(PromptTokens("don't stop"), ElementsAre("don't", "stop"));
  EXPECT_THAT(PromptTokens("café über 東京の夜"), ElementsAre("café", "über", "東京の夜"));
  EXPECT_THAT(PromptTokens(""), ElementsAre());
}

TEST(PromptDiffTest, AReplacedWordReadsAsADeletionThenAnInsertion) {
  const PromptDiff diff = DiffPrompts("a red fox in the snow", "a blue fox in the snow");
  EXPECT_THAT(diff.spans, ElementsAre(DiffSpan{DiffOp::kEqual, "a", 1}, DiffSpan{DiffOp::kDelete, " red", 1},
                                      DiffSpan{DiffOp::kInsert, " blue", 1},
                                      DiffSpan{DiffOp::kEqual, " fox in the snow", 4}));
  EXPECT_EQ(diff.kept, 5u);
  EXPECT_EQ(diff.deleted, 1u);
  EXPECT_EQ(diff.inserted, 1u);
  EXPECT_NEAR(diff.ChangedFraction(), 1.0 / 6, 1e-9);
}

TEST(PromptDiffTest, SpansPrintBackIntoBothPrompts) {
  const std::string parent = "a lighthouse on a cliff at dusk, waves crashing";
  const std::string child = "an old lighthouse on a cliff at night, rain and waves crashing hard";
  const PromptDiff diff = DiffPrompts(parent, child);
  EXPECT_EQ(Join(diff.spans, DiffOp::kInsert), parent);
  EXPECT_EQ(Join(diff.spans, DiffOp::kDelete), child);
  // A deletion at the start: the child's view keeps the equal span's space.
  const PromptDiff dropped = DiffPrompts("old red fox", "red fox");
  EXPECT_EQ(absl::StripLeadingAsciiWhitespace(Join(dropped.spans, DiffOp::kDelete)), "red fox");
  EXPECT_EQ(Join(dropped.spans, DiffOp::kInsert), "old red fox");
  EXPECT_EQ(diff.kept, Lcs(PromptTokens(parent), PromptTokens(child)));
}

TEST(PromptDiffTest, EqualEmptyAndDisjointPrompts) {
  const PromptDiff same = DiffPrompts("rain on neon streets", "rain   on neon\tstreets");
  ASSERT_EQ(same.spans.size(), 1u);
  EXPECT_EQ(same.spans[0].op, DiffOp::kEqual);
  EXPECT_EQ(same.ChangedFraction(), 0.0);
  EXPECT_TRUE(DiffPrompts("", "").spans.empty());
  EXPECT_EQ(DiffPrompts("", "").ChangedFraction(), 0.0);
  const PromptDiff all_new = DiffPrompts("", "a new prompt");
  EXPECT_THAT(all_new.spans, ElementsAre(DiffSpan{DiffOp::kInsert, "a new prompt", 3}));
  const PromptDiff disjoint = DiffPrompts("sunny beach", "dark forest");
  EXPECT_EQ(disjoint.kept, 0u);
  EXPECT_EQ(disjoint.ChangedFraction(), 1.0);
}

TEST(PromptDiffTest, TwoWordsOfALongPromptAreASmallChange) {
  const std::string parent =
      "a cinematic wide shot of a neon city at night in the rain, reflections on wet streets, slow dolly forward";
  const std::string small = "a cinematic wide shot of a neon city at dawn in the fog, reflections on wet streets, slow "
                            "dolly forward";
  const std::string rewrite = "a watercolor painting of a quiet harbour at dawn in the fog, gulls over wet streets, "
                              "slow pan left";
  const double small_change = DiffPrompts(parent, small).ChangedFraction();
  const double big_change = DiffPrompts(parent, rewrite).ChangedFraction();
  EXPECT_LT(small_change, 0.15);
  EXPECT_GT(big_change, 0.33);
}

TEST(PromptDiffTest, TheEditScriptIsShortestOnRandomPrompts) {
  std::mt19937 rng(20261206);
  const std::vector<std::string> words = {"a", "red", "fox", "snow", "night", ",", "the", "city", "rain"};
  for (int round = 0; round < 300; ++round) {
    std::string parent, child;
    const int n = static_cast<int>(rng() % 25), m = static_cast<int>(rng() % 25);
    for (int i = 0; i < n; ++i) parent += words[rng() % words.size()] + " ";
    for (int i = 0; i < m; ++i) child += words[rng() % words.size()] + " ";
    const PromptDiff diff = DiffPrompts(parent, child);
    const size_t lcs = Lcs(PromptTokens(parent), PromptTokens(child));
    ASSERT_EQ(diff.kept, lcs) << parent << " | " << child;
    ASSERT_EQ(diff.deleted, diff.parent_tokens - lcs);
    ASSERT_EQ(diff.inserted, diff.child_tokens - lcs);
    // Printing the kept and deleted spans gives the parent back (less its
    // leading and trailing whitespace), the kept and inserted the child.
    std::vector<std::string> from_spans = PromptTokens(Join(diff.spans, DiffOp::kInsert));
    ASSERT_EQ(from_spans, PromptTokens(parent));
    from_spans = PromptTokens(Join(diff.spans, DiffOp::kDelete));
    ASSERT_EQ(from_spans, PromptTokens(child));
  }
}

TEST(PromptDiffTest, PastTheEditBoundTheMiddleIsOneDeletionAndOneInsertion) {
  std::string parent = "start ", child = "start ";
  for (int i = 0; i < 50; ++i) {
    parent += "p" + std::to_string(i) + " ";
    child += "c" + std::to_string(i) + " ";
  }
  parent += "end";
  child += "end";
  const PromptDiff bounded = DiffPrompts(parent, child, /*max_edits=*/10);
  ASSERT_EQ(bounded.spans.size(), 4u);
  EXPECT_EQ(bounded.spans[1].op, DiffOp::kDelete);
  EXPECT_EQ(bounded.spans[1].tokens, 50u);
  EXPECT_EQ(bounded.spans[2].op, DiffOp::kInsert);
  EXPECT_EQ(bounded.kept, 2u);
}

}  // namespace
}  // namespace clipforge::remix
