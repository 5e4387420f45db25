// How much a user may keep uploaded at once (soundtracks, stickers,
// avatars). Uploads are usable for kUploadRetention (7 days); without a
// cap one account could fill the disk in an afternoon with streams of
// 20 MiB soundtracks. With it, a user adds at most max_live_bytes a week.
// (Expired uploads still stay in the blob store until a collector removes
// them: the cap bounds the rate, the collector will bound the total.)
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace clipforge::generation {

struct UploadLimits {
  // A clip uses one soundtrack and a few stickers; 50 live uploads is
  // several weeks of heavy use, and far from what fills a disk.
  int64_t max_live_uploads = 50;
  // Ten soundtracks at their 20 MiB cap, or any mix below.
  int64_t max_live_bytes = int64_t{200} << 20;
};

// The caller's uploads that have not expired.
struct UploadUsage {
  int64_t live_uploads = 0;
  int64_t live_bytes = 0;
  // When the first of them expires (freeing room); InfiniteFuture if none.
  absl::Time next_expiry = absl::InfiniteFuture();
};

// RESOURCE_EXHAUSTED (reason "QUOTA_EXCEEDED") when one more upload of
// `incoming_bytes` would pass a limit, naming the limit, the usage and
// when room frees up.
absl::Status CheckUploadQuota(const UploadLimits& limits, const UploadUsage& usage, int64_t incoming_bytes);

}  // namespace clipforge::generation
