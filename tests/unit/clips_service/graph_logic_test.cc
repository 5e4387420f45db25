// The fork graph's reads over the fake store: lineage nearest first and
// its paging, descendants in each order with cursors that cover every node
// once, variants with their diffs, the canvas (its top first, parents
// before children) and the attribution chain's weights; clips the caller
// may not see show as hidden nodes, tombstones as removed ones.
#include "services/clips/graph_logic.h"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/unit/clips_service/clips_fixture.h"

namespace clipforge::clips_service::testing {
namespace {

using base::testing::IsOk;
using base::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> IdsOf(const std::vector<NodeView>& nodes) {
  std::vector<std::string> ids;
  for (const NodeView& node : nodes) ids.push_back(node.clip.clip_id);
  return ids;
}

const NodeView* Find(const std::vector<NodeView>& nodes, const std::string& clip_id) {
  for (const NodeView& node : nodes) {
    if (node.clip.clip_id == clip_id) return &node;
  }
  return nullptr;
}

class GraphLogicTest : public ClipsFixture {
 protected:
  // r with two forks, a (older) and b; a with a1 and a2, b with b1,
  // published r, a, b, a1, b1, a2 (so ids grow in that order).
  struct Tree {
    ClipRecord r, a, b, a1, b1, a2;
  };
  Tree PublishTree(const kit::Caller& owner) {
    Tree t;
    t.r = Publish(owner, "a red fox");
    t.a = Publish(owner, "a red fox jumping", t.r.clip_id);
    t.b = Publish(owner, "a blue fox", t.r.clip_id);
    t.a1 = Publish(owner, "a red fox jumping high", t.a.clip_id);
    t.b1 = Publish(owner, "a blue fox sleeping", t.b.clip_id);
    t.a2 = Publish(owner, "a red fox jumping low", t.a.clip_id);
    return t;
  }

  // Every page of the descendants of `clip_id`, `limit` at a time, until
  // a page has no next cursor.
  std::vector<std::string> AllDescendants(const kit::Caller& caller, const std::string& clip_id,
                                          v1::DescendantOrder order, int limit, int32_t max_levels = 0) {
    std::vector<std::string> ids;
    std::optional<GraphCursor> after;
    for (int page = 0; page < 50; ++page) {
      absl::StatusOr<NodePage> nodes = graph_.Descendants(caller, clip_id, max_levels, order, after, limit);
      EXPECT_TRUE(nodes.ok()) << nodes.status();
      if (!nodes.ok()) return ids;
      EXPECT_LE(nodes->nodes.size(), static_cast<size_t>(limit));
      for (const std::string& id : IdsOf(nodes->nodes)) ids.push_back(id);
      if (!nodes->next) return ids;
      after = nodes->next;
    }
    ADD_FAILURE() << "the pages did not end";
    return ids;
  }

  // Every page of the canvas under `clip_id`, as AllDescendants.
  std::vector<NodeView> AllCanvas(const kit::Caller& caller, const std::string& clip_id, int limit) {
    std::vector<NodeView> all;
    std::optional<GraphCursor> after;
    for (int page = 0; page < 50; ++page) {
      absl::StatusOr<NodePage> nodes = graph_.Canvas(caller, clip_id, 0, after, limit);
      EXPECT_TRUE(nodes.ok()) << nodes.status();
      if (!nodes.ok()) return all;
      EXPECT_LE(nodes->nodes.size(), static_cast<size_t>(limit));
      all.insert(all.end(), nodes->nodes.begin(), nodes->nodes.end());
      if (!nodes->next) return all;
      after = nodes->next;
    }
    ADD_FAILURE() << "the pages did not end";
    return all;
  }

  // A hidden node shows its place in the graph and nothing of the clip.
  static void ExpectHidden(const NodeView& node, const ClipRecord& clip) {
    EXPECT_TRUE(node.hidden);
    EXPECT_EQ(node.clip.clip_id, clip.clip_id);
    EXPECT_EQ(node.clip.parent_id, clip.parent_id);
    EXPECT_EQ(node.clip.root_id, clip.root_id);
    EXPECT_EQ(node.clip.depth, clip.depth);
    EXPECT_EQ(node.clip.title, "");
    EXPECT_EQ(node.clip.prompt(), "");
    EXPECT_EQ(node.clip.diff.spans_size(), 0);
    EXPECT_FALSE(node.with_prompt);
    EXPECT_FALSE(node.with_diff);
    EXPECT_FALSE(node.author.has_value());
  }
};

// --- Lineage ---

TEST_F(GraphLogicTest, LineageListsTheAncestorsNearestFirstWithTheirPrompts) {
  const std::vector<ClipRecord> c = Chain(NewUser(), 6);  // Depths 0-5.

  ASSERT_OK_AND_ASSIGN(const LineagePage page, graph_.Lineage(NewUser(), c[5].clip_id, "", 10));
  EXPECT_EQ(page.depth, 5);
  EXPECT_THAT(IdsOf(page.ancestors),
              ElementsAre(c[4].clip_id, c[3].clip_id, c[2].clip_id, c[1].clip_id, c[0].clip_id));
  EXPECT_EQ(page.next_start, "");
  for (const NodeView& node : page.ancestors) {
    EXPECT_TRUE(node.with_prompt) << node.clip.clip_id;
    EXPECT_FALSE(node.hidden);
  }
  EXPECT_EQ(page.ancestors[0].clip.prompt(), c[4].prompt());
}

TEST_F(GraphLogicTest, LineagePagesFollowNextStart) {
  const std::vector<ClipRecord> c = Chain(NewUser(), 6);
  const kit::Caller viewer = NewUser();

  ASSERT_OK_AND_ASSIGN(const LineagePage page1, graph_.Lineage(viewer, c[5].clip_id, "", 2));
  EXPECT_THAT(IdsOf(page1.ancestors), ElementsAre(c[4].clip_id, c[3].clip_id));
  EXPECT_EQ(page1.next_start, c[2].clip_id);
  ASSERT_OK_AND_ASSIGN(const LineagePage page2, graph_.Lineage(viewer, c[5].clip_id, page1.next_start, 2));
  EXPECT_THAT(IdsOf(page2.ancestors), ElementsAre(c[2].clip_id, c[1].clip_id));
  EXPECT_EQ(page2.next_start, c[0].clip_id);
  ASSERT_OK_AND_ASSIGN(const LineagePage page3, graph_.Lineage(viewer, c[5].clip_id, page2.next_start, 2));
  EXPECT_THAT(IdsOf(page3.ancestors), ElementsAre(c[0].clip_id));
  EXPECT_EQ(page3.next_start, "");
  EXPECT_EQ(page3.depth, 5);
}

TEST_F(GraphLogicTest, LineageOfAnOriginalIsEmpty) {
  const ClipRecord root = Publish(NewUser(), "a red fox");
  ASSERT_OK_AND_ASSIGN(const LineagePage page, graph_.Lineage(NewUser(), root.clip_id, "", 10));
  EXPECT_EQ(page.depth, 0);
  EXPECT_THAT(page.ancestors, IsEmpty());
  EXPECT_EQ(page.next_start, "");
}

TEST_F(GraphLogicTest, LineageFromAClipThatIsNotAnAncestorIsInvalidArgument) {
  const kit::Caller alice = NewUser();
  const std::vector<ClipRecord> c = Chain(alice, 4);
  const ClipRecord below = Publish(alice, "below", c[2].clip_id);
  const ClipRecord elsewhere = Publish(alice, "another tree");

  for (const std::string& start : {elsewhere.clip_id, c[2].clip_id, below.clip_id, c[3].clip_id, ids_.Next()}) {
    SCOPED_TRACE(start);
    EXPECT_THAT(graph_.Lineage(alice, c[2].clip_id, start, 10),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  }
}

TEST_F(GraphLogicTest, LineageShowsADeletedAncestorAsRemoved) {
  const kit::Caller alice = NewUser();
  const std::vector<ClipRecord> c = Chain(alice, 3);
  Delete(alice, c[1].clip_id);

  ASSERT_OK_AND_ASSIGN(const LineagePage page, graph_.Lineage(NewUser(), c[2].clip_id, "", 10));
  ASSERT_THAT(IdsOf(page.ancestors), ElementsAre(c[1].clip_id, c[0].clip_id));
  const NodeView& removed = page.ancestors[0];
  EXPECT_TRUE(removed.clip.removed());
  EXPECT_FALSE(removed.hidden);
  EXPECT_EQ(removed.clip.depth, 1);
  // A tombstone shows its place, not its content.
  EXPECT_FALSE(removed.with_prompt);
  EXPECT_EQ(removed.clip.prompt(), "");
  EXPECT_EQ(removed.clip.title, "");
  EXPECT_FALSE(page.ancestors[1].clip.removed());
  EXPECT_TRUE(page.ancestors[1].with_prompt);
}

TEST_F(GraphLogicTest, LineageShowsAnAncestorTheCallerMayNotSeeAsHidden) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord root = Publish(alice, "a red fox");
  const ClipRecord secret = Publish(bob, "a red fox in secret", root.clip_id, v1::VISIBILITY_PRIVATE);
  const ClipRecord leaf = Publish(bob, "a red fox in the open", secret.clip_id);

  ASSERT_OK_AND_ASSIGN(const LineagePage page, graph_.Lineage(NewUser(), leaf.clip_id, "", 10));
  ASSERT_THAT(IdsOf(page.ancestors), ElementsAre(secret.clip_id, root.clip_id));
  ExpectHidden(page.ancestors[0], secret);
  EXPECT_FALSE(page.ancestors[1].hidden);
  EXPECT_EQ(page.ancestors[1].clip.prompt(), "a red fox");
  // Its author sees it.
  ASSERT_OK_AND_ASSIGN(const LineagePage own, graph_.Lineage(bob, leaf.clip_id, "", 10));
  EXPECT_FALSE(own.ancestors[0].hidden);
  EXPECT_EQ(own.ancestors[0].clip.prompt(), "a red fox in secret");
}

TEST_F(GraphLogicTest, GraphReadsOfAClipTheCallerMayNotSeeAreNotFound) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord root = Publish(alice, "a red fox");
  const ClipRecord secret = Publish(alice, "a red fox in secret", root.clip_id, v1::VISIBILITY_PRIVATE);

  const auto not_found = StatusIs(absl::StatusCode::kNotFound);
  EXPECT_THAT(graph_.Lineage(bob, secret.clip_id, "", 10), not_found);
  EXPECT_THAT(graph_.Descendants(bob, secret.clip_id, 0, v1::DESCENDANT_ORDER_BREADTH_FIRST, std::nullopt, 10),
              not_found);
  EXPECT_THAT(graph_.Variants(bob, secret.clip_id, v1::VARIANT_RELATION_UNSPECIFIED, v1::DESCENDANT_ORDER_NEWEST,
                              std::nullopt, 10),
              not_found);
  EXPECT_THAT(graph_.Canvas(bob, secret.clip_id, 0, std::nullopt, 10), not_found);
  EXPECT_THAT(graph_.Attribution(bob, secret.clip_id), not_found);
  EXPECT_THAT(graph_.Lineage(bob, ids_.Next(), "", 10), not_found);
}

// --- Descendants ---

TEST_F(GraphLogicTest, DescendantsComeBreadthFirstNewestFirstWithinADepth) {
  const Tree t = PublishTree(NewUser());
  ASSERT_OK_AND_ASSIGN(const NodePage page, graph_.Descendants(NewUser(), t.r.clip_id, 0,
                                                               v1::DESCENDANT_ORDER_BREADTH_FIRST, std::nullopt, 20));
  EXPECT_THAT(IdsOf(page.nodes),
              ElementsAre(t.b.clip_id, t.a.clip_id, t.a2.clip_id, t.b1.clip_id, t.a1.clip_id));
  EXPECT_FALSE(page.next.has_value());
  EXPECT_EQ(page.total, 5);
}

TEST_F(GraphLogicTest, AnUnspecifiedOrderIsBreadthFirst) {
  const Tree t = PublishTree(NewUser());
  ASSERT_OK_AND_ASSIGN(const NodePage page, graph_.Descendants(NewUser(), t.r.clip_id, 0,
                                                               v1::DESCENDANT_ORDER_UNSPECIFIED, std::nullopt, 20));
  EXPECT_THAT(IdsOf(page.nodes),
              ElementsAre(t.b.clip_id, t.a.clip_id, t.a2.clip_id, t.b1.clip_id, t.a1.clip_id));
}

TEST_F(GraphLogicTest, BreadthFirstPagesCoverEveryNodeOnce) {
  const Tree t = PublishTree(NewUser());
  EXPECT_THAT(AllDescendants(NewUser(), t.r.clip_id, v1::DESCENDANT_ORDER_BREADTH_FIRST, 2),
              ElementsAre(t.b.clip_id, t.a.clip_id, t.a2.clip_id, t.b1.clip_id, t.a1.clip_id));
}

TEST_F(GraphLogicTest, NewestPagesCoverEveryNodeOnce) {
  const Tree t = PublishTree(NewUser());
  EXPECT_THAT(AllDescendants(NewUser(), t.r.clip_id, v1::DESCENDANT_ORDER_NEWEST, 2),
              ElementsAre(t.a2.clip_id, t.b1.clip_id, t.a1.clip_id, t.b.clip_id, t.a.clip_id));
}

TEST_F(GraphLogicTest, MostLikedPagesCoverEveryNodeOnceThroughTies) {
  const Tree t = PublishTree(NewUser());
  Like(NewUser(), t.a1.clip_id);
  Like(NewUser(), t.a1.clip_id);
  Like(NewUser(), t.b.clip_id);
  // a1 (2 likes), b (1), then the unliked newest first: a2, b1, a.
  EXPECT_THAT(AllDescendants(NewUser(), t.r.clip_id, v1::DESCENDANT_ORDER_MOST_LIKED, 2),
              ElementsAre(t.a1.clip_id, t.b.clip_id, t.a2.clip_id, t.b1.clip_id, t.a.clip_id));
}

TEST_F(GraphLogicTest, MostForkedPagesCoverEveryNodeOnce) {
  const Tree t = PublishTree(NewUser());
  // a has 2 descendants, b 1, the leaves none (newest first).
  EXPECT_THAT(AllDescendants(NewUser(), t.r.clip_id, v1::DESCENDANT_ORDER_MOST_FORKED, 2),
              ElementsAre(t.a.clip_id, t.b.clip_id, t.a2.clip_id, t.b1.clip_id, t.a1.clip_id));
}

TEST_F(GraphLogicTest, DescendantsStopAtMaxLevels) {
  const Tree t = PublishTree(NewUser());
  ASSERT_OK_AND_ASSIGN(const NodePage page, graph_.Descendants(NewUser(), t.r.clip_id, 1,
                                                               v1::DESCENDANT_ORDER_BREADTH_FIRST, std::nullopt, 20));
  EXPECT_THAT(IdsOf(page.nodes), ElementsAre(t.b.clip_id, t.a.clip_id));
  EXPECT_EQ(page.total, 2);
}

TEST_F(GraphLogicTest, DescendantsOfAnInnerClipAreItsSubtree) {
  const Tree t = PublishTree(NewUser());
  ASSERT_OK_AND_ASSIGN(const NodePage page, graph_.Descendants(NewUser(), t.a.clip_id, 0,
                                                               v1::DESCENDANT_ORDER_BREADTH_FIRST, std::nullopt, 20));
  EXPECT_THAT(IdsOf(page.nodes), ElementsAre(t.a2.clip_id, t.a1.clip_id));
  EXPECT_EQ(page.total, 2);
}

TEST_F(GraphLogicTest, ACountWithinSomeLevelsStopsAtTheCapButEveryLevelIsTheExactCounter) {
  const Tree t = PublishTree(NewUser());
  GraphLogic capped(store_, {.count_cap = 3});
  // Within two levels the descendants are counted, up to the cap.
  ASSERT_OK_AND_ASSIGN(const NodePage within, capped.Descendants(NewUser(), t.r.clip_id, 2,
                                                                 v1::DESCENDANT_ORDER_BREADTH_FIRST, std::nullopt, 20));
  EXPECT_EQ(within.total, 3);
  EXPECT_EQ(within.nodes.size(), 5u);  // The cap bounds the count, not the page.
  // Every level: the clip's own descendant counter, exact.
  ASSERT_OK_AND_ASSIGN(const NodePage all, capped.Descendants(NewUser(), t.r.clip_id, 0,
                                                              v1::DESCENDANT_ORDER_BREADTH_FIRST, std::nullopt, 20));
  EXPECT_EQ(all.total, 5);
}

TEST_F(GraphLogicTest, DescendantsShowAClipTheCallerMayNotSeeAsAHiddenNode) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord root = Publish(alice, "a red fox");
  const ClipRecord secret = Publish(bob, "a red fox in secret", root.clip_id, v1::VISIBILITY_PRIVATE);
  const ClipRecord open = Publish(bob, "a red fox in the open", secret.clip_id);

  ASSERT_OK_AND_ASSIGN(const NodePage page, graph_.Descendants(NewUser(), root.clip_id, 0,
                                                               v1::DESCENDANT_ORDER_BREADTH_FIRST, std::nullopt, 20));
  ASSERT_THAT(IdsOf(page.nodes), ElementsAre(secret.clip_id, open.clip_id));
  ExpectHidden(page.nodes[0], secret);
  EXPECT_FALSE(page.nodes[1].hidden);
  EXPECT_EQ(page.nodes[1].clip.title, "A clip");
  EXPECT_EQ(page.total, 2);
  // Its author sees it.
  ASSERT_OK_AND_ASSIGN(const NodePage own, graph_.Descendants(bob, root.clip_id, 0,
                                                              v1::DESCENDANT_ORDER_BREADTH_FIRST, std::nullopt, 20));
  EXPECT_FALSE(own.nodes[0].hidden);
}

TEST_F(GraphLogicTest, DescendantsKeepATombstoneAsARemovedNode) {
  const kit::Caller alice = NewUser();
  const Tree t = PublishTree(alice);
  Delete(alice, t.a.clip_id);

  ASSERT_OK_AND_ASSIGN(const NodePage page, graph_.Descendants(NewUser(), t.r.clip_id, 0,
                                                               v1::DESCENDANT_ORDER_BREADTH_FIRST, std::nullopt, 20));
  EXPECT_THAT(IdsOf(page.nodes),
              ElementsAre(t.b.clip_id, t.a.clip_id, t.a2.clip_id, t.b1.clip_id, t.a1.clip_id));
  const NodeView* removed = Find(page.nodes, t.a.clip_id);
  ASSERT_NE(removed, nullptr);
  EXPECT_TRUE(removed->clip.removed());
  EXPECT_FALSE(removed->hidden);
  EXPECT_EQ(removed->clip.title, "");
  EXPECT_EQ(page.total, 5);
}

// --- Variants ---

TEST_F(GraphLogicTest, VariantsAreTheDirectForksWithTheirDiffsAgainstTheClip) {
  const Tree t = PublishTree(NewUser());
  ASSERT_OK_AND_ASSIGN(const NodePage page,
                       graph_.Variants(NewUser(), t.r.clip_id, v1::VARIANT_RELATION_UNSPECIFIED,
                                       v1::DESCENDANT_ORDER_NEWEST, std::nullopt, 20));
  ASSERT_THAT(IdsOf(page.nodes), ElementsAre(t.b.clip_id, t.a.clip_id));
  EXPECT_EQ(page.total, 2);  // The clip's direct forks.
  EXPECT_FALSE(page.next.has_value());
  for (const NodeView& node : page.nodes) {
    EXPECT_TRUE(node.with_diff) << node.clip.clip_id;
    EXPECT_FALSE(node.hidden);
  }
  // "a red fox" -> "a blue fox": red out, blue in.
  EXPECT_EQ(page.nodes[0].clip.diff.deleted_words(), 1);
  EXPECT_EQ(page.nodes[0].clip.diff.inserted_words(), 1);
  // "a red fox" -> "a red fox jumping".
  EXPECT_EQ(page.nodes[1].clip.diff.deleted_words(), 0);
  EXPECT_EQ(page.nodes[1].clip.diff.inserted_words(), 1);
}

TEST_F(GraphLogicTest, VariantsPageWithCursorsAndOrders) {
  const Tree t = PublishTree(NewUser());
  Like(NewUser(), t.a.clip_id);
  const kit::Caller viewer = NewUser();

  ASSERT_OK_AND_ASSIGN(const NodePage first,
                       graph_.Variants(viewer, t.r.clip_id, v1::VARIANT_RELATION_UNSPECIFIED,
                                       v1::DESCENDANT_ORDER_MOST_LIKED, std::nullopt, 1));
  EXPECT_THAT(IdsOf(first.nodes), ElementsAre(t.a.clip_id));
  ASSERT_TRUE(first.next.has_value());
  ASSERT_OK_AND_ASSIGN(const NodePage second,
                       graph_.Variants(viewer, t.r.clip_id, v1::VARIANT_RELATION_UNSPECIFIED,
                                       v1::DESCENDANT_ORDER_MOST_LIKED, first.next, 1));
  EXPECT_THAT(IdsOf(second.nodes), ElementsAre(t.b.clip_id));
  if (second.next) {  // A full page may point at an empty one.
    ASSERT_OK_AND_ASSIGN(const NodePage third,
                         graph_.Variants(viewer, t.r.clip_id, v1::VARIANT_RELATION_UNSPECIFIED,
                                         v1::DESCENDANT_ORDER_MOST_LIKED, second.next, 1));
    EXPECT_THAT(third.nodes, IsEmpty());
  }
  // Breadth first is newest first here.
  ASSERT_OK_AND_ASSIGN(const NodePage breadth,
                       graph_.Variants(viewer, t.r.clip_id, v1::VARIANT_RELATION_UNSPECIFIED,
                                       v1::DESCENDANT_ORDER_BREADTH_FIRST, std::nullopt, 20));
  EXPECT_THAT(IdsOf(breadth.nodes), ElementsAre(t.b.clip_id, t.a.clip_id));
}

TEST_F(GraphLogicTest, VariantsOfAnInnerClipAreItsForksThenItsSiblings) {
  const Tree t = PublishTree(NewUser());
  ASSERT_OK_AND_ASSIGN(const NodePage page, graph_.Variants(NewUser(), t.a.clip_id, v1::VARIANT_RELATION_UNSPECIFIED,
                                                            v1::DESCENDANT_ORDER_NEWEST, std::nullopt, 20));
  ASSERT_THAT(IdsOf(page.nodes), ElementsAre(t.a2.clip_id, t.a1.clip_id, t.b.clip_id));
  EXPECT_EQ(page.total, 3);  // Two forks, one sibling (the clip itself is not its own).
  EXPECT_FALSE(page.next.has_value());
  EXPECT_EQ(page.nodes[0].clip.parent_id, t.a.clip_id);
  EXPECT_EQ(page.nodes[2].clip.parent_id, t.r.clip_id);
  // A sibling's diff is against its own parent's prompt: "a red fox" ->
  // "a blue fox".
  EXPECT_TRUE(page.nodes[2].with_diff);
  EXPECT_EQ(page.nodes[2].clip.diff.deleted_words(), 1);
  EXPECT_EQ(page.nodes[2].clip.diff.inserted_words(), 1);
}

TEST_F(GraphLogicTest, VariantsNarrowToForksOrSiblings) {
  const Tree t = PublishTree(NewUser());
  const kit::Caller viewer = NewUser();
  const auto ids = [&](const std::string& clip_id, v1::VariantRelation relation) {
    absl::StatusOr<NodePage> page =
        graph_.Variants(viewer, clip_id, relation, v1::DESCENDANT_ORDER_NEWEST, std::nullopt, 20);
    EXPECT_THAT(page, IsOk());
    return page.ok() ? IdsOf(page->nodes) : std::vector<std::string>{};
  };
  EXPECT_THAT(ids(t.a.clip_id, v1::VARIANT_RELATION_FORKS), ElementsAre(t.a2.clip_id, t.a1.clip_id));
  EXPECT_THAT(ids(t.a.clip_id, v1::VARIANT_RELATION_SIBLINGS), ElementsAre(t.b.clip_id));
  EXPECT_THAT(ids(t.a1.clip_id, v1::VARIANT_RELATION_SIBLINGS), ElementsAre(t.a2.clip_id));
  // An original has no siblings.
  EXPECT_THAT(ids(t.r.clip_id, v1::VARIANT_RELATION_SIBLINGS), IsEmpty());
  EXPECT_THAT(ids(t.r.clip_id, v1::VARIANT_RELATION_UNSPECIFIED), ElementsAre(t.b.clip_id, t.a.clip_id));
}

TEST_F(GraphLogicTest, VariantPagesCrossFromForksToSiblingsWithoutLosingOne) {
  const Tree t = PublishTree(NewUser());
  const kit::Caller viewer = NewUser();
  for (const int size : {1, 2, 3}) {
    SCOPED_TRACE(size);
    std::vector<std::string> seen;
    std::optional<GraphCursor> after;
    for (int pages = 0; pages < 10; ++pages) {
      ASSERT_OK_AND_ASSIGN(const NodePage page,
                           graph_.Variants(viewer, t.a.clip_id, v1::VARIANT_RELATION_UNSPECIFIED,
                                           v1::DESCENDANT_ORDER_NEWEST, after, size));
      EXPECT_LE(static_cast<int>(page.nodes.size()), size);
      for (const std::string& id : IdsOf(page.nodes)) seen.push_back(id);
      if (!page.next) break;
      after = page.next;
    }
    EXPECT_THAT(seen, ElementsAre(t.a2.clip_id, t.a1.clip_id, t.b.clip_id));
  }
}

TEST_F(GraphLogicTest, SiblingPagesPassOverTheClipItselfAtAnyPlace) {
  const kit::Caller owner = NewUser();
  const ClipRecord root = Publish(owner, "a grey owl");
  std::vector<std::string> forks;  // Oldest first.
  for (const char* prompt : {"a grey owl at dusk", "a grey owl in snow", "a grey owl asleep", "a grey owl flying"}) {
    forks.push_back(Publish(owner, prompt, root.clip_id).clip_id);
  }
  const kit::Caller viewer = NewUser();
  for (size_t middle = 0; middle < forks.size(); ++middle) {
    for (const int size : {1, 2, 3}) {
      SCOPED_TRACE(absl::StrCat("clip ", middle, ", page size ", size));
      std::vector<std::string> seen;
      std::optional<GraphCursor> after;
      for (int pages = 0; pages < 10; ++pages) {
        ASSERT_OK_AND_ASSIGN(const NodePage page,
                             graph_.Variants(viewer, forks[middle], v1::VARIANT_RELATION_SIBLINGS,
                                             v1::DESCENDANT_ORDER_NEWEST, after, size));
        for (const std::string& id : IdsOf(page.nodes)) seen.push_back(id);
        if (!page.next) break;
        after = page.next;
      }
      std::vector<std::string> expected(forks.rbegin(), forks.rend());  // Newest first.
      std::erase(expected, forks[middle]);
      EXPECT_EQ(seen, expected);
    }
  }
}

TEST_F(GraphLogicTest, AVariantCursorOfAnotherListingIsInvalid) {
  const Tree t = PublishTree(NewUser());
  const kit::Caller viewer = NewUser();
  ASSERT_OK_AND_ASSIGN(const NodePage of_b, graph_.Variants(viewer, t.b.clip_id, v1::VARIANT_RELATION_FORKS,
                                                            v1::DESCENDANT_ORDER_NEWEST, std::nullopt, 1));
  ASSERT_THAT(IdsOf(of_b.nodes), ElementsAre(t.b1.clip_id));
  const GraphCursor foreign{.key = 0, .clip_id = t.b1.clip_id};
  EXPECT_THAT(graph_.Variants(viewer, t.a.clip_id, v1::VARIANT_RELATION_UNSPECIFIED, v1::DESCENDANT_ORDER_NEWEST,
                              foreign, 1),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // A fork's cursor does not resume a listing of siblings only.
  const GraphCursor fork{.key = 0, .clip_id = t.a2.clip_id};
  EXPECT_THAT(graph_.Variants(viewer, t.a.clip_id, v1::VARIANT_RELATION_SIBLINGS, v1::DESCENDANT_ORDER_NEWEST, fork,
                              1),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// --- Canvas ---

TEST_F(GraphLogicTest, TheCanvasStartsWithItsTopAndPutsParentsBeforeChildren) {
  const Tree t = PublishTree(NewUser());
  ASSERT_OK_AND_ASSIGN(const NodePage page, graph_.Canvas(NewUser(), t.r.clip_id, 0, std::nullopt, 20));
  ASSERT_THAT(IdsOf(page.nodes), ElementsAre(t.r.clip_id, t.b.clip_id, t.a.clip_id, t.a2.clip_id, t.b1.clip_id,
                                             t.a1.clip_id));
  EXPECT_TRUE(page.nodes[0].with_prompt);
  EXPECT_FALSE(page.nodes[0].with_diff);
  EXPECT_EQ(page.nodes[0].clip.prompt(), "a red fox");
  for (size_t i = 1; i < page.nodes.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_TRUE(page.nodes[i].with_diff);
    EXPECT_FALSE(page.nodes[i].with_prompt);
    // Its parent came before it.
    const std::vector<NodeView> before(page.nodes.begin(), page.nodes.begin() + static_cast<std::ptrdiff_t>(i));
    EXPECT_NE(Find(before, page.nodes[i].clip.parent_id), nullptr);
  }
  EXPECT_EQ(page.total, 6);  // Every node of the canvas, its top included.
  EXPECT_FALSE(page.next.has_value());
}

TEST_F(GraphLogicTest, TheCanvasOfAnInnerClipIsItsSubtree) {
  const Tree t = PublishTree(NewUser());
  ASSERT_OK_AND_ASSIGN(const NodePage page, graph_.Canvas(NewUser(), t.a.clip_id, 0, std::nullopt, 20));
  EXPECT_THAT(IdsOf(page.nodes), ElementsAre(t.a.clip_id, t.a2.clip_id, t.a1.clip_id));
  EXPECT_TRUE(page.nodes[0].with_prompt);
  EXPECT_EQ(page.total, 3);
}

TEST_F(GraphLogicTest, CanvasPagesCoverEveryNodeOnceWithTheTopOnTheFirst) {
  const Tree t = PublishTree(NewUser());
  const std::vector<NodeView> all = AllCanvas(NewUser(), t.r.clip_id, 2);
  EXPECT_THAT(IdsOf(all), ElementsAre(t.r.clip_id, t.b.clip_id, t.a.clip_id, t.a2.clip_id, t.b1.clip_id,
                                      t.a1.clip_id));
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].with_prompt, i == 0) << i;
}

TEST_F(GraphLogicTest, TheCanvasStopsAtMaxLevels) {
  const Tree t = PublishTree(NewUser());
  ASSERT_OK_AND_ASSIGN(const NodePage page, graph_.Canvas(NewUser(), t.r.clip_id, 1, std::nullopt, 20));
  EXPECT_THAT(IdsOf(page.nodes), ElementsAre(t.r.clip_id, t.b.clip_id, t.a.clip_id));
  EXPECT_EQ(page.total, 3);
}

TEST_F(GraphLogicTest, TheCanvasHidesNodesTheCallerMayNotSee) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord root = Publish(alice, "a red fox");
  const ClipRecord secret = Publish(bob, "a red fox in secret", root.clip_id, v1::VISIBILITY_PRIVATE);
  const ClipRecord open = Publish(alice, "a red fox in the open", root.clip_id);

  ASSERT_OK_AND_ASSIGN(const NodePage page, graph_.Canvas(NewUser(), root.clip_id, 0, std::nullopt, 20));
  ASSERT_THAT(IdsOf(page.nodes), ElementsAre(root.clip_id, open.clip_id, secret.clip_id));
  ExpectHidden(page.nodes[2], secret);
  EXPECT_TRUE(page.nodes[1].with_diff);
  EXPECT_GT(page.nodes[1].clip.diff.inserted_words(), 0);
}

// --- Attribution ---

TEST_F(GraphLogicTest, AttributionHalvesTheWeightPerGenerationForFourAncestors) {
  const std::vector<ClipRecord> c = Chain(NewUser(), 6);  // c5 has five ancestors.

  ASSERT_OK_AND_ASSIGN(const AttributionResult result, graph_.Attribution(NewUser(), c[5].clip_id));
  EXPECT_EQ(result.clip_id, c[5].clip_id);
  ASSERT_EQ(result.entries.size(), 4u);
  const std::vector<int64_t> weights = {50000, 25000, 12500, 6250};
  for (size_t i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(result.entries[i].ancestor.clip.clip_id, c[4 - i].clip_id);
    EXPECT_EQ(result.entries[i].depth, static_cast<int32_t>(i) + 1);
    EXPECT_EQ(result.entries[i].weight, weights[i]);
    EXPECT_FALSE(result.entries[i].ancestor.clip.removed());
  }
  EXPECT_EQ(result.total_weight, 50000 + 25000 + 12500 + 6250);
}

TEST_F(GraphLogicTest, AnOriginalHasNoAttribution) {
  const ClipRecord root = Publish(NewUser(), "a red fox");
  ASSERT_OK_AND_ASSIGN(const AttributionResult result, graph_.Attribution(NewUser(), root.clip_id));
  EXPECT_THAT(result.entries, IsEmpty());
  EXPECT_EQ(result.total_weight, 0);
}

TEST_F(GraphLogicTest, AttributionFlagsARemovedAncestorAndKeepsItsWeight) {
  const kit::Caller alice = NewUser();
  const std::vector<ClipRecord> c = Chain(alice, 4);
  Delete(alice, c[1].clip_id);

  ASSERT_OK_AND_ASSIGN(const AttributionResult result, graph_.Attribution(NewUser(), c[3].clip_id));
  ASSERT_EQ(result.entries.size(), 3u);
  EXPECT_FALSE(result.entries[0].ancestor.clip.removed());
  EXPECT_EQ(result.entries[1].ancestor.clip.clip_id, c[1].clip_id);
  EXPECT_TRUE(result.entries[1].ancestor.clip.removed());
  EXPECT_EQ(result.entries[1].weight, 25000);
  EXPECT_EQ(result.total_weight, 50000 + 25000 + 12500);
}

}  // namespace
}  // namespace clipforge::clips_service::testing
