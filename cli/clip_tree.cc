#include "cli/clip_tree.h"

#include <cstddef>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/clip_views.h"
#include "cli/output.h"

namespace clipforge::cli {
namespace {

constexpr absl::string_view kBranch = "├── ";
constexpr absl::string_view kLastBranch = "└── ";
constexpr absl::string_view kPipe = "│   ";
constexpr absl::string_view kGap = "    ";

// A node waiting to be drawn: where it is, the prefix its parent's line
// left for it, and whether it is its parent's last child.
struct Pending {
  size_t index = 0;
  std::string prefix;
  bool last = false;
  bool top = false;
};

}  // namespace

std::string TreeNodeLabel(const v1::ClipNode& node) {
  std::string label = TerminalSafe(ShortId(node.clip_id()));
  if (node.hidden() || node.removed()) {
    absl::StrAppend(&label, " ", NodeTitle(node));
  } else if (node.title().empty()) {
    absl::StrAppend(&label, " (untitled)");
  } else {
    absl::StrAppend(&label, " \"", TerminalSafe(node.title()), "\"");
  }
  std::vector<std::string> details;
  if (!node.hidden() && !node.removed()) {
    if (!node.author().handle().empty()) details.push_back(TerminalSafe(HandleOf(node.author())));
    details.push_back(LikesText(node.counts().like_count()));
  }
  if (node.has_diff()) details.push_back(CompactDiff(node.diff()));
  if (!details.empty()) absl::StrAppend(&label, " ", absl::StrJoin(details, ", "));
  return label;
}

std::string DrawClipTree(const std::vector<v1::ClipNode>& nodes) {
  // Children by parent, each only under a node that came before it: the
  // breadth-first order the API promises, and no way round to a cycle.
  absl::flat_hash_map<std::string, size_t> first_index;
  std::vector<std::vector<size_t>> children(nodes.size());
  std::vector<size_t> tops;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const auto parent = first_index.find(nodes[i].parent_clip_id());
    if (nodes[i].parent_clip_id().empty() || parent == first_index.end()) {
      tops.push_back(i);
    } else {
      children[parent->second].push_back(i);
    }
    first_index.emplace(nodes[i].clip_id(), i);
  }

  // Depth first with an explicit stack: a fork chain may be 1000 deep.
  std::string out;
  std::vector<Pending> stack;
  for (size_t t = tops.size(); t-- > 0;) stack.push_back({.index = tops[t], .top = true});
  while (!stack.empty()) {
    Pending item = std::move(stack.back());
    stack.pop_back();
    const std::string branch = item.top ? "" : std::string(item.last ? kLastBranch : kBranch);
    absl::StrAppend(&out, item.prefix, branch, TreeNodeLabel(nodes[item.index]), "\n");
    const std::string below = item.top ? "" : absl::StrCat(item.prefix, item.last ? kGap : kPipe);
    const std::vector<size_t>& kids = children[item.index];
    for (size_t k = kids.size(); k-- > 0;) {
      stack.push_back({.index = kids[k], .prefix = below, .last = k + 1 == kids.size()});
    }
  }
  return out;
}

}  // namespace clipforge::cli
