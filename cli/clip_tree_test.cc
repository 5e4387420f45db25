#include "cli/clip_tree.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace clipforge::cli {
namespace {

v1::ClipNode Node(std::string id, std::string parent, std::string title = "", std::string handle = "",
                  int64_t likes = 0) {
  v1::ClipNode node;
  node.set_clip_id(std::move(id));
  node.set_parent_clip_id(std::move(parent));
  node.set_title(std::move(title));
  node.mutable_author()->set_handle(std::move(handle));
  node.mutable_counts()->set_like_count(likes);
  return node;
}

v1::ClipNode WithDiff(v1::ClipNode node, int32_t inserted, int32_t deleted) {
  node.mutable_diff()->set_inserted_words(inserted);
  node.mutable_diff()->set_deleted_words(deleted);
  return node;
}

// As the API sends a tombstone or a clip the caller may not see: ids only.
v1::ClipNode Removed(std::string id, std::string parent) {
  v1::ClipNode node;
  node.set_clip_id(std::move(id));
  node.set_parent_clip_id(std::move(parent));
  node.set_removed(true);
  return node;
}

v1::ClipNode Hidden(std::string id, std::string parent) {
  v1::ClipNode node;
  node.set_clip_id(std::move(id));
  node.set_parent_clip_id(std::move(parent));
  node.set_hidden(true);
  return node;
}

TEST(ClipTreeTest, DrawsASmallTreeWithARemovedAndAHiddenNode) {
  // Breadth first, as GetCanvas sends them.
  const std::vector<v1::ClipNode> nodes = {
      Node("id-root0001", "", "Fox in snow", "alice", 12),
      WithDiff(Node("id-fork0002", "id-root0001", "Fox at dusk", "bob", 3), 2, 1),
      Hidden("id-hide0004", "id-root0001"),
      Removed("id-gone0003", "id-fork0002"),
      WithDiff(Node("id-kid00005", "id-fork0002", "", "carol", 1), 1, 0),
  };
  EXPECT_EQ(DrawClipTree(nodes),
            "root0001 \"Fox in snow\" @alice, 12 likes\n"
            "├── fork0002 \"Fox at dusk\" @bob, 3 likes, +2/-1\n"
            "│   ├── gone0003 (removed)\n"
            "│   └── kid00005 (untitled) @carol, 1 like, +1/-0\n"
            "└── hide0004 (hidden)\n");
}

TEST(ClipTreeTest, ADeepChainKeepsItsIndentation) {
  const std::vector<v1::ClipNode> nodes = {Node("id-aaaaaaaa", "", "A"), Node("id-bbbbbbbb", "id-aaaaaaaa", "B"),
                                           Node("id-cccccccc", "id-bbbbbbbb", "C"),
                                           Node("id-dddddddd", "id-aaaaaaaa", "D")};
  EXPECT_EQ(DrawClipTree(nodes),
            "aaaaaaaa \"A\" 0 likes\n"
            "├── bbbbbbbb \"B\" 0 likes\n"
            "│   └── cccccccc \"C\" 0 likes\n"
            "└── dddddddd \"D\" 0 likes\n");
}

TEST(ClipTreeTest, ANodeWhoseParentIsNotBeforeItStartsAtTheEdge) {
  // A parent named only after its child (not breadth first) cannot make a
  // cycle: the child is drawn as a tree of its own.
  const std::vector<v1::ClipNode> nodes = {Node("id-aaaaaaaa", "id-bbbbbbbb", "A"),
                                           Node("id-bbbbbbbb", "id-aaaaaaaa", "B")};
  EXPECT_EQ(DrawClipTree(nodes),
            "aaaaaaaa \"A\" 0 likes\n"
            "└── bbbbbbbb \"B\" 0 likes\n");
  EXPECT_EQ(DrawClipTree({}), "");
}

TEST(ClipTreeTest, TitlesAreMadeSafeForTheTerminal) {
  EXPECT_EQ(TreeNodeLabel(Node("id-aaaaaaaa", "", "evil\x1b[2J", "mallory", 2)),
            "aaaaaaaa \"evil\\x1b[2J\" @mallory, 2 likes");
}

}  // namespace
}  // namespace clipforge::cli
