#include "remix/canvas_layout.h"

#include <cstddef>
#include <utility>

#include "absl/container/flat_hash_map.h"

namespace clipforge::remix {

std::vector<CanvasPosition> LayoutCanvas(const std::vector<CanvasNode>& nodes) {
  constexpr size_t kNone = static_cast<size_t>(-1);
  const size_t n = nodes.size();
  absl::flat_hash_map<std::string, size_t> index;
  for (size_t i = 0; i < n; ++i) index.try_emplace(nodes[i].id, i);

  // Parent links among the nodes; a duplicate or a link that would close a
  // cycle makes a root.
  std::vector<size_t> parent(n, kNone);
  for (size_t i = 0; i < n; ++i) {
    if (index.at(nodes[i].id) != i || nodes[i].parent_id.empty()) continue;
    auto it = index.find(nodes[i].parent_id);
    if (it != index.end() && it->second != i) parent[i] = it->second;
  }
  // Cycle check: walk up from each node, marking the walk; meeting the walk
  // itself means a cycle, which is cut at the node that closed it.
  std::vector<size_t> seen_by(n, kNone);
  for (size_t i = 0; i < n; ++i) {
    for (size_t at = i; at != kNone; at = parent[at]) {
      if (seen_by[at] == i) {
        parent[at] = kNone;
        break;
      }
      if (seen_by[at] != kNone) break;  // joined an earlier, checked walk
      seen_by[at] = i;
    }
  }

  std::vector<std::vector<size_t>> children(n);
  std::vector<size_t> roots;
  for (size_t i = 0; i < n; ++i) {
    if (index.at(nodes[i].id) != i) continue;
    (parent[i] == kNone ? roots : children[parent[i]]).push_back(i);
  }

  std::vector<CanvasPosition> positions(n);
  double next_leaf = 0;
  // Depth-first, children in their given order: (node, next child to visit).
  std::vector<std::pair<size_t, size_t>> stack;
  for (size_t root : roots) {
    stack.emplace_back(root, 0);
    positions[root].depth = 0;
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next < children[node].size()) {
        const size_t child = children[node][next++];
        positions[child].depth = positions[node].depth + 1;
        stack.emplace_back(child, 0);
        continue;
      }
      const std::vector<size_t>& kids = children[node];
      positions[node].x = kids.empty() ? next_leaf++ : (positions[kids.front()].x + positions[kids.back()].x) / 2;
      stack.pop_back();
    }
  }
  // Duplicates take their first occurrence's place.
  for (size_t i = 0; i < n; ++i) {
    const size_t first = index.at(nodes[i].id);
    if (first != i) positions[i] = positions[first];
  }
  return positions;
}

}  // namespace clipforge::remix
