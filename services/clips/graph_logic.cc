#include "services/clips/graph_logic.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/clips/clip_logic.h"
#include "services/clips/visibility.h"

namespace clipforge::clips_service {
namespace {

// "Every level" as a level count: deeper than any tree can grow.
constexpr int32_t kAllLevels = 1'000'000;

struct NodeStyle {
  bool with_prompt = false;
  bool with_diff = false;
};

// A clip's place in the graph and nothing else: what a hidden node or a
// tombstone shows.
ClipRecord PlaceOf(const ClipRecord& clip) {
  return {.clip_id = clip.clip_id,
          .parent_id = clip.parent_id,
          .root_id = clip.root_id,
          .depth = clip.depth,
          .removal_reason = clip.removal_reason,
          .create_time = clip.create_time,
          .update_time = clip.update_time};
}

// What the caller may see of each clip: a tombstone shows as removed (the
// graph stays whole), a clip they may not see or that is unlisted as a
// hidden node, the rest in full with its author.
std::vector<NodeView> NodesOf(ClipsTx& tx, const kit::Caller& caller, std::vector<ClipRecord> clips,
                              NodeStyle style) {
  const Relations relations(tx, caller, clips);
  std::vector<std::string> authors;
  for (const ClipRecord& clip : clips) authors.push_back(clip.author_id);
  const std::map<std::string, UserRecord> users = ReadAuthors(tx, authors);
  std::vector<NodeView> nodes;
  nodes.reserve(clips.size());
  for (ClipRecord& clip : clips) {
    NodeView node;
    node.hidden = !clip.removed() && !Listed(caller, clip, relations.Of(clip.author_id));
    if (node.hidden || clip.removed()) {
      // Only the node's place in the graph leaves here: nothing of it can
      // reach a response by mistake.
      node.clip = PlaceOf(clip);
      nodes.push_back(std::move(node));
      continue;
    }
    node.clip = std::move(clip);
    node.with_prompt = style.with_prompt;
    node.with_diff = style.with_diff && !node.clip.parent_id.empty();
    node.author = AuthorOf(node.clip.author_id, users);
    nodes.push_back(std::move(node));
  }
  return nodes;
}

// Where the next page resumes after `last` in `order`.
GraphCursor CursorAfter(const ClipRecord& last, v1::DescendantOrder order) {
  switch (order) {
    case v1::DESCENDANT_ORDER_NEWEST: return {.key = 0, .clip_id = last.clip_id};
    case v1::DESCENDANT_ORDER_MOST_LIKED: return {.key = last.counts.likes, .clip_id = last.clip_id};
    case v1::DESCENDANT_ORDER_MOST_FORKED: return {.key = last.counts.descendants, .clip_id = last.clip_id};
    default: return {.key = last.depth, .clip_id = last.clip_id};
  }
}

// One page of `top`'s descendants: at most `limit`, with the cursor of the
// next page when there are more.
struct DescendantRows {
  std::vector<ClipRecord> clips;
  std::optional<GraphCursor> next;
};
DescendantRows ReadDescendants(ClipsTx& tx, const ClipRecord& top, int32_t levels, v1::DescendantOrder order,
                               const std::optional<GraphCursor>& after, int limit) {
  DescendantRows rows;
  if (limit <= 0) return rows;
  rows.clips = tx.Descendants(top, {.max_levels = levels, .order = order, .after = after, .limit = limit + 1});
  if (static_cast<int>(rows.clips.size()) > limit) {
    rows.clips.pop_back();
    rows.next = CursorAfter(rows.clips.back(), order);
  }
  return rows;
}

}  // namespace

absl::StatusOr<LineagePage> GraphLogic::Lineage(const kit::Caller& caller, const std::string& clip_id,
                                                const std::string& start, int limit) {
  LineagePage page;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](ClipsTx& tx) -> absl::Status {
    page = LineagePage{};
    CF_ASSIGN_OR_RETURN(const ClipRecord clip, GetVisibleClip(tx, caller, clip_id, "clip_id"));
    page.depth = clip.depth;
    if (clip.parent_id.empty()) return absl::OkStatus();
    std::vector<ClipRecord> ancestors = tx.AncestorsFrom(start.empty() ? clip.parent_id : start, limit + 1);
    if (!start.empty()) {
      // A token names an ancestor of this clip: in its tree, above it.
      if (ancestors.empty() || ancestors.front().root_id != clip.root_id || ancestors.front().depth >= clip.depth) {
        return absl::InvalidArgumentError("page_token: not from this clip's lineage");
      }
    }
    if (static_cast<int>(ancestors.size()) > limit) {
      page.next_start = ancestors.back().clip_id;
      ancestors.pop_back();
    }
    page.ancestors = NodesOf(tx, caller, std::move(ancestors), {.with_prompt = true});
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<NodePage> GraphLogic::Descendants(const kit::Caller& caller, const std::string& clip_id,
                                                 int32_t max_levels, v1::DescendantOrder order,
                                                 const std::optional<GraphCursor>& after, int limit) {
  NodePage page;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](ClipsTx& tx) -> absl::Status {
    page = NodePage{};
    CF_ASSIGN_OR_RETURN(const ClipRecord top, GetVisibleClip(tx, caller, clip_id, "clip_id"));
    const int32_t levels = max_levels == 0 ? kAllLevels : max_levels;
    DescendantRows rows = ReadDescendants(tx, top, levels, order, after, limit);
    page.next = rows.next;
    page.total = max_levels == 0 ? top.counts.descendants : tx.CountDescendants(top, levels, rules_.count_cap);
    page.nodes = NodesOf(tx, caller, std::move(rows.clips), {});
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<NodePage> GraphLogic::Variants(const kit::Caller& caller, const std::string& clip_id,
                                              v1::VariantRelation relation, v1::DescendantOrder order,
                                              const std::optional<GraphCursor>& after, int limit) {
  NodePage page;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](ClipsTx& tx) -> absl::Status {
    page = NodePage{};
    CF_ASSIGN_OR_RETURN(const ClipRecord top, GetVisibleClip(tx, caller, clip_id, "clip_id"));
    // A removed parent keeps its place (a tombstone), so it is always there.
    const std::optional<ClipRecord> parent =
        top.parent_id.empty() ? std::nullopt : tx.GetClip(top.parent_id);
    const bool forks = relation != v1::VARIANT_RELATION_SIBLINGS;
    const bool siblings = relation != v1::VARIANT_RELATION_FORKS && parent.has_value();
    page.total = (forks ? top.counts.direct_forks : 0) + (siblings ? parent->counts.direct_forks - 1 : 0);
    // The cursor names the last variant served; whose fork it is says which
    // list the page resumes in (and a cursor of another clip's listing is
    // refused rather than read as a wrong page).
    bool in_siblings = !forks;
    if (after) {
      const std::optional<ClipRecord> last = tx.GetClip(after->clip_id);
      const bool last_is_fork = last && last->parent_id == top.clip_id;
      const bool last_is_sibling = last && parent && last->parent_id == parent->clip_id && last->clip_id != top.clip_id;
      if (!(forks && last_is_fork) && !(siblings && last_is_sibling)) {
        return absl::InvalidArgumentError("page_token: not from this clip's variants");
      }
      in_siblings = last_is_sibling;
    }
    std::vector<ClipRecord> shown;
    std::optional<GraphCursor> sibling_after = in_siblings ? after : std::nullopt;
    if (forks && !in_siblings) {
      DescendantRows rows = ReadDescendants(tx, top, 1, order, after, limit);
      shown = std::move(rows.clips);
      page.next = rows.next;
    }
    const int room = limit - static_cast<int>(shown.size());
    if (siblings && !page.next && room > 0) {
      // One more than the room: the clip itself is among its parent's forks.
      DescendantRows rows = ReadDescendants(tx, *parent, 1, order, sibling_after, room + 1);
      std::erase_if(rows.clips, [&](const ClipRecord& clip) { return clip.clip_id == top.clip_id; });
      const bool more = rows.next.has_value() || static_cast<int>(rows.clips.size()) > room;
      if (static_cast<int>(rows.clips.size()) > room) rows.clips.resize(static_cast<size_t>(room));
      // The next page resumes after the last sibling shown: a cursor after
      // the clip itself would name no variant of it.
      rows.next = more ? std::optional<GraphCursor>(CursorAfter(rows.clips.back(), order)) : std::nullopt;
      page.next = rows.next;
      for (ClipRecord& clip : rows.clips) shown.push_back(std::move(clip));
    } else if (siblings && !page.next && room == 0 && !in_siblings && parent->counts.direct_forks > 1) {
      // The forks filled the page exactly: the siblings start on the next.
      // Resuming after the last fork reads no more forks, then siblings.
      if (!shown.empty()) page.next = CursorAfter(shown.back(), order);
    }
    page.nodes = NodesOf(tx, caller, std::move(shown), {.with_diff = true});
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<NodePage> GraphLogic::Canvas(const kit::Caller& caller, const std::string& clip_id,
                                            int32_t max_levels, const std::optional<GraphCursor>& after,
                                            int limit) {
  NodePage page;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](ClipsTx& tx) -> absl::Status {
    page = NodePage{};
    CF_ASSIGN_OR_RETURN(ClipRecord top, GetVisibleClip(tx, caller, clip_id, "clip_id"));
    const int32_t levels = max_levels == 0 ? kAllLevels : max_levels;
    const bool first_page = !after.has_value();
    // The top node opens the first page, so it takes one of its places.
    DescendantRows rows =
        ReadDescendants(tx, top, levels, v1::DESCENDANT_ORDER_BREADTH_FIRST, after, first_page ? limit - 1 : limit);
    page.next = rows.next;
    const int64_t below =
        max_levels == 0 ? top.counts.descendants : tx.CountDescendants(top, levels, rules_.count_cap);
    page.total = below + 1;
    if (first_page) {
      std::vector<ClipRecord> head;
      head.push_back(std::move(top));
      page.nodes = NodesOf(tx, caller, std::move(head), {.with_prompt = true});
      if (!rows.next && rows.clips.empty() && limit == 1 && below > 0) {
        // A one-node page with more below: the next page starts at the top.
        page.next = GraphCursor{.key = page.nodes.front().clip.depth, .clip_id = clip_id};
      }
    }
    for (NodeView& node : NodesOf(tx, caller, std::move(rows.clips), {.with_diff = true})) {
      page.nodes.push_back(std::move(node));
    }
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<AttributionResult> GraphLogic::Attribution(const kit::Caller& caller, const std::string& clip_id) {
  AttributionResult result;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](ClipsTx& tx) -> absl::Status {
    result = AttributionResult{.clip_id = clip_id};
    CF_ASSIGN_OR_RETURN(const ClipRecord clip, GetVisibleClip(tx, caller, clip_id, "clip_id"));
    if (clip.parent_id.empty()) return absl::OkStatus();
    std::vector<ClipRecord> ancestors = tx.AncestorsFrom(clip.parent_id, rules_.attribution.max_depth);
    std::vector<std::string> ids;
    for (const ClipRecord& ancestor : ancestors) ids.push_back(ancestor.clip_id);
    const std::vector<remix::AncestorWeight> weights = remix::AttributionChain(ids, rules_.attribution);
    std::vector<NodeView> nodes = NodesOf(tx, caller, std::move(ancestors), {});
    for (size_t i = 0; i < weights.size() && i < nodes.size(); ++i) {
      result.total_weight += weights[i].weight_ppm;
      result.entries.push_back(
          {.ancestor = std::move(nodes[i]), .depth = weights[i].depth, .weight = weights[i].weight_ppm});
    }
    return absl::OkStatus();
  }));
  return result;
}

}  // namespace clipforge::clips_service
