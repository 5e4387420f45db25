// `clipforge tree`: the fork tree under a clip, drawn from GetCanvas's
// nodes (breadth first, a parent before its children) with box-drawing
// branches:
//   0c1d2e3f "Fox in snow" @alice, 12 likes
//   ├── 4a5b6c7d "Fox at dusk" @bob, 3 likes, +2/-1
//   │   └── 8e9f0a1b (removed)
//   └── 2c3d4e5f (hidden)
// Pure: the command fetches, this only draws.
#pragma once

#include <string>
#include <vector>

#include "clipforge/v1/clips.pb.h"

namespace clipforge::cli {

// One node's line without its branch: short id, the title in quotes (or
// "(untitled)", "(removed)", "(hidden)"), then for a visible node the
// author and likes, and for a node with a parent its diff as +N/-M words.
std::string TreeNodeLabel(const v1::ClipNode& node);

// The tree, one line per node, children in the order given. A node whose
// parent is not among the nodes before it starts a tree of its own at the
// left edge (the top clip; any node whose parent was cut off), so server
// data can never make a cycle. Server text is made TerminalSafe.
std::string DrawClipTree(const std::vector<v1::ClipNode>& nodes);

}  // namespace clipforge::cli
