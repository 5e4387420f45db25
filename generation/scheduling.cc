#include "generation/scheduling.h"

#include <algorithm>

namespace clipforge::generation {

int64_t TagCost(Tier tier) { return kTagUnit / LimitsOf(tier).weight; }

int64_t NextQueueTag(int64_t user_last_tag, int64_t virtual_clock, Tier tier) {
  return std::max(user_last_tag, virtual_clock) + TagCost(tier);
}

}  // namespace clipforge::generation
