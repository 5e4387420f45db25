#include "moderation/review_queue.h"

#include <algorithm>
#include <cmath>

namespace clipforge::moderation {

double PriorityDoublings(const QueueSignals& signals) {
  const double severity = 1.0 + std::clamp(signals.severity, 0, 100);
  const double reach = 1.0 + static_cast<double>(std::max<int64_t>(signals.views, 0));
  const double reports = std::max(1, signals.report_count);
  return std::log2(severity) + std::log2(reach) + std::log2(reports);
}

absl::Duration HeadStart(const QueueSignals& signals) {
  return std::min(kHoursPerDoubling * PriorityDoublings(signals), kMaxHeadStart);
}

int64_t QueueRankMicros(absl::Time entered, const QueueSignals& signals) {
  return absl::ToUnixMicros(entered - HeadStart(signals));
}

int32_t DisplayPriority(int64_t rank_micros, absl::Time now) {
  const absl::Duration ahead = now - absl::FromUnixMicros(rank_micros);
  const double share = absl::FDivDuration(ahead, kMaxHeadStart);
  return static_cast<int32_t>(std::lround(std::clamp(share, 0.0, 1.0) * 100.0));
}

}  // namespace clipforge::moderation
