// The review queue's order: priority = severity x reach x report count,
// with aging so that nothing starves.
//
// Priorities multiply, so the queue works in their logarithm: every
// doubling of a case's priority is worth kHoursPerDoubling of waiting. A
// case's place is then fixed when it enters (or when its reach or reports
// change): its rank is its entry time minus its head start, and the queue
// is taken in ascending rank. Rank never depends on the current time, so
// the database orders by one indexed column, and aging is exact: a case
// that waited one more hour has moved one hour's worth ahead of every case
// that arrives after it. The head start is capped (kMaxHeadStart), so a
// case waits behind later arrivals for at most that long: no starvation.
#pragma once

#include <cstdint>

#include "absl/time/time.h"

namespace clipforge::moderation {

// How much one doubling of priority is worth in waiting time.
inline constexpr absl::Duration kHoursPerDoubling = absl::Hours(3);
// The largest head start any case gets: the longest a case can be
// overtaken by later ones.
inline constexpr absl::Duration kMaxHeadStart = absl::Hours(7 * 24);

struct QueueSignals {
  int32_t severity = 0;      // 0-100: the highest queue priority of its categories.
  int64_t views = 0;         // Reach: how many saw the target (0 when unknown).
  int32_t report_count = 0;  // Reports merged into the case (0 for filter cases).
};

// log2(priority), where priority = (1 + severity) x (1 + views) x
// max(1, report_count); never negative.
double PriorityDoublings(const QueueSignals& signals);

// How far ahead of its entry time the case is ranked, at most
// kMaxHeadStart.
absl::Duration HeadStart(const QueueSignals& signals);

// The case's rank in microseconds since the epoch: lower is taken first.
int64_t QueueRankMicros(absl::Time entered, const QueueSignals& signals);

// The 0-100 priority shown to moderators at `now`: the head start plus the
// time waited, as a share of kMaxHeadStart (100 once a case has waited or
// deserves that long).
int32_t DisplayPriority(int64_t rank_micros, absl::Time now);

}  // namespace clipforge::moderation
