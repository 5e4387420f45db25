#include "cli/clip_views.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "cli/output.h"

namespace clipforge::cli {
namespace {

v1::DiffSpan Span(v1::DiffOp op, std::string text) {
  v1::DiffSpan span;
  span.set_op(op);
  span.set_text(std::move(text));
  return span;
}

// "a red fox in snow" forked as "a red wolf in snow", spans as the server
// sends them: each with the white space before its words.
v1::PromptDiff FoxToWolf() {
  v1::PromptDiff diff;
  *diff.add_spans() = Span(v1::DIFF_OP_EQUAL, "a red");
  *diff.add_spans() = Span(v1::DIFF_OP_DELETE, " fox");
  *diff.add_spans() = Span(v1::DIFF_OP_INSERT, " wolf");
  *diff.add_spans() = Span(v1::DIFF_OP_EQUAL, " in snow");
  diff.set_inserted_words(1);
  diff.set_deleted_words(1);
  return diff;
}

TEST(ClipViewsTest, DiffWithoutColourUsesWordDiffMarkers) {
  EXPECT_EQ(RenderDiff(FoxToWolf(), DiffStyle::kMarkers), "a red [-fox-] {+wolf+} in snow");
  v1::PromptDiff longer;
  *longer.add_spans() = Span(v1::DIFF_OP_EQUAL, "a fox");
  *longer.add_spans() = Span(v1::DIFF_OP_INSERT, " and a big bad");
  *longer.add_spans() = Span(v1::DIFF_OP_EQUAL, " wolf");
  EXPECT_EQ(RenderDiff(longer, DiffStyle::kMarkers), "a fox {+and a big bad+} wolf");
}

TEST(ClipViewsTest, DiffInColourIsGreenForInsertionsAndRedStruckForDeletions) {
  EXPECT_EQ(RenderDiff(FoxToWolf(), DiffStyle::kColor),
            "a red \x1b[31;9m" "fox\x1b[0m \x1b[32mwolf\x1b[0m in snow");
}

TEST(ClipViewsTest, ServerTextCannotDriveTheTerminal) {
  v1::PromptDiff diff;
  *diff.add_spans() = Span(v1::DIFF_OP_EQUAL, "line one\nline two");
  *diff.add_spans() = Span(v1::DIFF_OP_INSERT, " evil\x1b[2J");
  EXPECT_EQ(RenderDiff(diff, DiffStyle::kMarkers), "line one\\nline two {+evil\\x1b[2J+}");
  EXPECT_EQ(RenderDiff(diff, DiffStyle::kColor), "line one\\nline two \x1b[32mevil\\x1b[2J\x1b[0m");
}

TEST(ClipViewsTest, CompactDiffCountsWords) {
  EXPECT_EQ(CompactDiff(FoxToWolf()), "+1/-1");
  EXPECT_EQ(CompactDiff(v1::PromptDiff()), "+0/-0");
}

TEST(ClipViewsTest, ShortIdsAreTheRandomEndOfTheId) {
  EXPECT_EQ(ShortId("0190f5a2-7b3c-7def-8123-456789abcdef"), "89abcdef");
  EXPECT_EQ(ShortId("abc"), "abc");
}

TEST(ClipViewsTest, Words) {
  EXPECT_EQ(VisibilityWord(v1::VISIBILITY_FOLLOWERS), "followers");
  EXPECT_EQ(VisibilityWord(v1::VISIBILITY_UNSPECIFIED), "public");
  EXPECT_EQ(LikesText(1), "1 like");
  EXPECT_EQ(LikesText(0), "0 likes");
}

TEST(ClipViewsTest, VariantTextShowsTheDiffUnderTheVariant) {
  v1::ClipNode node;
  node.set_clip_id("clip-2");
  node.set_title("Wolf");
  node.mutable_author()->set_handle("bob");
  node.mutable_counts()->set_like_count(3);
  *node.mutable_diff() = FoxToWolf();
  EXPECT_EQ(VariantText(node, DiffStyle::kMarkers),
            "clip-2  Wolf  @bob  3 likes  +1/-1\n"
            "    a red [-fox-] {+wolf+} in snow\n");
  v1::ClipNode removed;
  removed.set_clip_id("clip-3");
  removed.set_removed(true);
  EXPECT_EQ(VariantText(removed, DiffStyle::kMarkers), "clip-3  (removed)\n");
}

TEST(ClipViewsTest, LineageRowsMarkRemovedAndHiddenNodes) {
  v1::ClipNode hidden;
  hidden.set_clip_id("clip-0");
  hidden.set_hidden(true);
  EXPECT_EQ(RenderJson(LineageRow(hidden)),
            "{\"depth\":0,\"clip_id\":\"clip-0\",\"author\":\"\",\"title\":\"(hidden)\",\"removed\":false,"
            "\"hidden\":true}\n");
}

TEST(ClipViewsTest, ATombstoneShowsOnlyItsIdsDepthAndReason) {
  v1::Clip clip;
  clip.set_clip_id("c");
  clip.set_parent_clip_id("p");
  clip.set_root_clip_id("r");
  clip.set_depth(2);
  clip.set_removed(true);
  clip.set_removal_reason(v1::REMOVAL_REASON_DELETED_BY_AUTHOR);
  clip.set_title("not shown");
  EXPECT_EQ(RenderJson(ClipRecord(clip)),
            "{\"clip_id\":\"c\",\"removed\":true,\"removal_reason\":\"deleted-by-author\",\"parent_clip_id\":\"p\","
            "\"root_clip_id\":\"r\",\"depth\":2}\n");
}

}  // namespace
}  // namespace clipforge::cli
