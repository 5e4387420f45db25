#include "remix/attribution.h"

namespace clipforge::remix {

std::vector<AncestorWeight> AttributionChain(const std::vector<std::string>& ancestors, const AttributionRule& rule) {
  std::vector<AncestorWeight> chain;
  int64_t weight = rule.parent_ppm;
  for (size_t i = 0; i < ancestors.size() && static_cast<int>(i) < rule.max_depth && weight > 0; ++i) {
    chain.push_back({.clip_id = ancestors[i], .depth = static_cast<int>(i) + 1, .weight_ppm = weight});
    weight /= 2;
  }
  return chain;
}

}  // namespace clipforge::remix
