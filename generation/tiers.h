// Subscription tiers and what each allows: how long and how large a clip
// may be (checked on every spec), and the quotas (jobs at once, seconds of
// video a day) that refuse a request with RESOURCE_EXHAUSTED saying the
// limit and when it resets. The scheduler weighs a tier's jobs by `weight`
// (scheduling.h).
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "generation/job_spec.h"

namespace clipforge::generation {

// The values match clipforge.v1.Tier.
enum class Tier { kFree = 1, kPlus = 2, kPro = 3 };

struct TierLimits {
  int max_seconds = 0;          // The longest clip.
  int64_t max_pixels = 0;       // The largest frame (width x height).
  int max_active_jobs = 0;      // Jobs queued, in review or rendering at once.
  int seconds_per_day = 0;      // Quota seconds a UTC day (QuotaSeconds).
  int weight = 1;               // Share of dispatches under contention.
};

const TierLimits& LimitsOf(Tier tier);

// What a spec costs against the daily quota: its seconds, a quarter of them
// (rounded up) for a draft, which renders at a fraction of the pixels.
int QuotaSeconds(const JobSpec& spec);

// FAILED_PRECONDITION (reason "LIMIT_EXCEEDED") when the tier does not
// offer the spec's length or size, naming the field and the tier's limit.
absl::Status CheckTierAllows(Tier tier, const JobSpec& spec);

struct QuotaUsage {
  int active_jobs = 0;    // Unfinished jobs now.
  int seconds_today = 0;  // Quota seconds of jobs created since QuotaDayStart.
};

// The start of the UTC day `now` is in: the quota window.
absl::Time QuotaDayStart(absl::Time now);

// RESOURCE_EXHAUSTED (reason "QUOTA_EXCEEDED") when `spec` would exceed a
// quota given `usage`, with the limit and when it resets (for active jobs:
// when one of them finishes; for seconds: the next UTC midnight).
absl::Status CheckQuota(Tier tier, const QuotaUsage& usage, const JobSpec& spec, absl::Time now);

// The same for an API key's own daily quota (`seconds_per_day` > 0):
// RESOURCE_EXHAUSTED (reason "QUOTA_EXCEEDED") when the key's jobs today,
// `seconds_today`, and `spec` would exceed it.
absl::Status CheckKeyQuota(int seconds_per_day, int seconds_today, const JobSpec& spec, absl::Time now);

}  // namespace clipforge::generation
