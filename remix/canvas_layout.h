// Where each variant goes on the canvas, the side-by-side view of a remix
// tree: one row per generation, leaves in consecutive columns in the order
// the nodes were given (so "newest" or "most liked" reads left to right),
// and each parent centred over its children, as a tidy tree layout does.
// Iterative throughout: a 10,000-deep chain lays out without recursion.
#pragma once

#include <string>
#include <vector>

namespace clipforge::remix {

struct CanvasNode {
  std::string id;
  std::string parent_id;  // empty, or not among the nodes: a root of its own
};

struct CanvasPosition {
  int depth = 0;   // rows below its root
  double x = 0;    // column; leaves at 0, 1, 2, ...; a parent at its children's centre
};

// One position per node, in the order of `nodes`. A node listed twice keeps
// its first place; the parent links among `nodes` must not form a cycle
// (the clip graph cannot: a child is always created after its parent), and
// a node whose parent would close one is laid out as a root.
std::vector<CanvasPosition> LayoutCanvas(const std::vector<CanvasNode>& nodes);

}  // namespace clipforge::remix
