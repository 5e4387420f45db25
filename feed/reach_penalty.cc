#include "feed/reach_penalty.h"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace clipforge::feed {

std::optional<MassRepostRun> LatestMassRepostRun(absl::Span<const absl::Time> copy_times,
                                                 absl::Time forgiven_through) {
  std::vector<absl::Time> counted;
  counted.reserve(copy_times.size());
  for (const absl::Time t : copy_times) {
    if (t > forgiven_through) counted.push_back(t);
  }
  std::sort(counted.begin(), counted.end());
  // Two pointers: for each copy (`last`), `first` is the earliest counted
  // copy inside the window that ends at it. Keeping the latest run found
  // makes the answer the same whatever order the times came in.
  std::optional<MassRepostRun> latest;
  size_t first = 0;
  for (size_t last = 0; last < counted.size(); ++last) {
    while (counted[last] - counted[first] > kMassRepostWindow) ++first;
    const int copies = static_cast<int>(last - first + 1);
    if (copies < kMassRepostCopies) continue;
    latest = MassRepostRun{.first_copy_at = counted[first],
                           .started_at = counted[last],
                           .until = counted[last] + kReachPenaltyDuration,
                           .copies = copies};
  }
  return latest;
}

bool ReachPenaltyRuns(absl::Time until, bool lifted, absl::Time now) { return !lifted && now < until; }

}  // namespace clipforge::feed
