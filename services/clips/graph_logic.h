// The fork graph's reads: lineage, descendants, variants, the canvas and
// the attribution chain. Every node is checked against the caller: a clip
// they may not see shows as a hidden node (ids and depth only), a tombstone
// as a removed one, so the shape of the graph stays whole.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "remix/attribution.h"
#include "services/clips/records.h"
#include "services/clips/store_interface.h"
#include "services/kit/caller.h"

namespace clipforge::clips_service {

struct GraphRules {
  remix::AttributionRule attribution;
  // Counts beyond this are reported as it (total_size is approximate).
  int64_t count_cap = 10'000;
};

// A clip as a node: what the caller may see of it.
struct NodeView {
  ClipRecord clip;
  std::optional<UserRecord> author;
  bool hidden = false;       // The caller may not see it.
  bool with_prompt = false;  // The full prompt is shown (lineage, canvas top).
  bool with_diff = false;    // Its diff against its parent is shown.
};

struct LineagePage {
  std::vector<NodeView> ancestors;  // Nearest first.
  std::string next_start;           // The next page's first ancestor.
  int32_t depth = 0;                // The clip's depth.
};

struct NodePage {
  std::vector<NodeView> nodes;
  std::optional<GraphCursor> next;
  int64_t total = 0;  // Up to the rules' cap.
};

struct AttributionView {
  NodeView ancestor;
  int32_t depth = 0;
  int64_t weight = 0;
};

struct AttributionResult {
  std::string clip_id;
  std::vector<AttributionView> entries;
  int64_t total_weight = 0;
};

class GraphLogic {
 public:
  explicit GraphLogic(ClipsStore& store, GraphRules rules = {}) : store_(store), rules_(rules) {}

  // The clip's ancestors from `start` (empty: its parent), nearest first.
  // `start` must be one of them (INVALID_ARGUMENT "page_token" otherwise).
  absl::StatusOr<LineagePage> Lineage(const kit::Caller& caller, const std::string& clip_id,
                                      const std::string& start, int limit);
  // Descendants within `max_levels` (0: all) in `order`.
  absl::StatusOr<NodePage> Descendants(const kit::Caller& caller, const std::string& clip_id, int32_t max_levels,
                                       v1::DescendantOrder order, const std::optional<GraphCursor>& after,
                                       int limit);
  // The clip's direct forks, then its siblings (the parent's other forks),
  // or only one of the two (`relation`), in `order`; each with its diff
  // against its own parent's prompt. A cursor of another listing is
  // INVALID_ARGUMENT "page_token".
  absl::StatusOr<NodePage> Variants(const kit::Caller& caller, const std::string& clip_id,
                                    v1::VariantRelation relation, v1::DescendantOrder order,
                                    const std::optional<GraphCursor>& after, int limit);
  // The tree under the clip breadth first, the clip first (with its
  // prompt) on the first page, every other node with its diff.
  absl::StatusOr<NodePage> Canvas(const kit::Caller& caller, const std::string& clip_id, int32_t max_levels,
                                  const std::optional<GraphCursor>& after, int limit);
  // The nearest ancestors with remix/attribution.h's weights.
  absl::StatusOr<AttributionResult> Attribution(const kit::Caller& caller, const std::string& clip_id);

 private:
  ClipsStore& store_;
  const GraphRules rules_;
};

}  // namespace clipforge::clips_service
