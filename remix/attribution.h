// Who shares in a clip's credit: its nearest ancestors, each with a weight
// that halves per generation up to a capped depth. The tipping service
// turns the weights into remix royalties (a weight is the ancestor's share
// of the tip's net, in parts per million); the clips service exposes the
// chain by RPC. Pure arithmetic: what an ancestor's state (removed clip,
// deleted author) means for its share is the caller's rule.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace clipforge::remix {

inline constexpr int64_t kPartsPerMillion = 1'000'000;

struct AttributionRule {
  // The parent's weight; each generation above gets half the one below
  // (rounded down).
  int64_t parent_ppm = 50'000;  // 5%
  // How many generations share: a chain longer than this stops there.
  int max_depth = 4;
};

struct AncestorWeight {
  std::string clip_id;
  int depth = 0;  // 1: the parent, 2: the grandparent, ...
  int64_t weight_ppm = 0;
};

// `ancestors`: the clip's ancestors nearest first (its parent, then the
// parent's parent, up to the root). A zero weight ends the chain.
std::vector<AncestorWeight> AttributionChain(const std::vector<std::string>& ancestors,
                                             const AttributionRule& rule = {});

}  // namespace clipforge::remix
