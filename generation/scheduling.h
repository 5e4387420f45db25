// The scheduler's policy: weighted fair queuing by virtual start tags.
//
// Every queued job carries a tag; workers take the job with the smallest
// tag (then the oldest). A user's next job is tagged after both their own
// last tag and the tag of the last dispatched job (the "virtual clock"), and
// each job advances its owner's tag by kTagUnit / weight. So a user with
// 1,000 queued jobs holds tags far ahead of the clock, while a newcomer's
// single job is tagged at the clock and is dispatched within a few
// dispatches (one per user already at the clock); a pro job (weight 4)
// advances its owner a quarter as far as a free one, which is the tier's
// priority: under contention a pro user gets four dispatches to a free
// user's one, and nobody starves.
//
// One integer column per job orders the whole queue, so the database picks
// the next job with an index scan and `FOR UPDATE SKIP LOCKED` (workers
// never wait for each other, and any number of API instances may share the
// queue with no in-memory state to rebuild or to keep consistent).
#pragma once

#include <cstdint>

#include "generation/tiers.h"

namespace clipforge::generation {

// Divisible by every tier weight, so tags stay integers.
inline constexpr int64_t kTagUnit = 12;

// How far one job advances its owner's tag.
int64_t TagCost(Tier tier);

// The tag of a user's next job: after the user's last tag (0 for none) and
// the virtual clock (the largest tag dispatched so far).
int64_t NextQueueTag(int64_t user_last_tag, int64_t virtual_clock, Tier tier);

}  // namespace clipforge::generation
