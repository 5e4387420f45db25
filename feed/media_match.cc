#include "feed/media_match.h"

#include <cstddef>

namespace clipforge::feed {

double MatchedShare(const std::vector<FrameHash>& a, const std::vector<FrameHash>& b, int max_distance) {
  if (a.empty() || b.empty()) return 0.0;
  size_t matched = 0;
  for (const FrameHash& frame : a) {
    for (const FrameHash& other : b) {
      if (HammingDistance(frame, other) <= max_distance) {
        ++matched;
        break;
      }
    }
  }
  // Both counts are exact in a double and the division is correctly
  // rounded, so 4 of 5 frames gives exactly the double nearest 0.8, the
  // same value as the literal: the threshold holds at its edge.
  return static_cast<double>(matched) / static_cast<double>(a.size());
}

bool VideoMatches(const std::vector<FrameHash>& a, const std::vector<FrameHash>& b, int max_distance,
                  double min_share) {
  return !a.empty() && MatchedShare(a, b, max_distance) >= min_share;
}

}  // namespace clipforge::feed
