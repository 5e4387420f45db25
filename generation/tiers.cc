#include "generation/tiers.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "base/error_reason.h"

namespace clipforge::generation {
namespace {

// Free: portrait or landscape HD, 20 s; plus: full HD, 60 s; pro: 4K, the
// whole 5 minutes.
constexpr TierLimits kFree{
    .max_seconds = 20, .max_pixels = 1280 * 720, .max_active_jobs = 2, .seconds_per_day = 120, .weight = 1};
constexpr TierLimits kPlus{
    .max_seconds = 60, .max_pixels = 1920 * 1080, .max_active_jobs = 4, .seconds_per_day = 900, .weight = 2};
constexpr TierLimits kPro{
    .max_seconds = kMaxSeconds, .max_pixels = 3840 * 2160, .max_active_jobs = 8, .seconds_per_day = 3600,
    .weight = 4};

absl::string_view NameOf(Tier tier) {
  switch (tier) {
    case Tier::kFree:
      return "free";
    case Tier::kPlus:
      return "plus";
    case Tier::kPro:
      return "pro";
  }
  return "free";
}

// A quota's reset time, as clients show it.
std::string FormatReset(absl::Time reset) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", reset, absl::UTCTimeZone());
}

}  // namespace

const TierLimits& LimitsOf(Tier tier) {
  switch (tier) {
    case Tier::kFree:
      return kFree;
    case Tier::kPlus:
      return kPlus;
    case Tier::kPro:
      return kPro;
  }
  return kFree;
}

int QuotaSeconds(const JobSpec& spec) {
  return spec.quality == Quality::kDraft ? (spec.seconds + 3) / 4 : spec.seconds;
}

absl::Status CheckTierAllows(Tier tier, const JobSpec& spec) {
  const TierLimits& limits = LimitsOf(tier);
  if (spec.seconds > limits.max_seconds) {
    return base::WithReason(absl::FailedPreconditionError(absl::StrCat("spec.seconds: the ", NameOf(tier),
                                                                       " tier allows at most ", limits.max_seconds,
                                                                       " seconds")),
                            "LIMIT_EXCEEDED");
  }
  if (spec.size.pixels() > limits.max_pixels) {
    return base::WithReason(
        absl::FailedPreconditionError(absl::StrCat("spec.size: the ", NameOf(tier), " tier allows at most ",
                                                   limits.max_pixels, " pixels a frame")),
        "LIMIT_EXCEEDED");
  }
  return absl::OkStatus();
}

absl::Time QuotaDayStart(absl::Time now) {
  const absl::CivilDay day = absl::ToCivilDay(now, absl::UTCTimeZone());
  return absl::FromCivil(day, absl::UTCTimeZone());
}

absl::Status CheckQuota(Tier tier, const QuotaUsage& usage, const JobSpec& spec, absl::Time now) {
  const TierLimits& limits = LimitsOf(tier);
  if (usage.active_jobs >= limits.max_active_jobs) {
    return base::WithReason(
        absl::ResourceExhaustedError(absl::StrCat("jobs at once: the ", NameOf(tier), " tier allows ",
                                                  limits.max_active_jobs,
                                                  "; it resets when one of your jobs finishes")),
        "QUOTA_EXCEEDED");
  }
  const int cost = QuotaSeconds(spec);
  if (usage.seconds_today + cost > limits.seconds_per_day) {
    return base::WithReason(
        absl::ResourceExhaustedError(absl::StrCat(
            "seconds per day: the ", NameOf(tier), " tier allows ", limits.seconds_per_day, ", ",
            usage.seconds_today, " used, this job needs ", cost, "; it resets at ",
            FormatReset(QuotaDayStart(now) + absl::Hours(24)))),
        "QUOTA_EXCEEDED");
  }
  return absl::OkStatus();
}

absl::Status CheckKeyQuota(int seconds_per_day, int seconds_today, const JobSpec& spec, absl::Time now) {
  const int cost = QuotaSeconds(spec);
  if (seconds_per_day <= 0 || seconds_today + cost <= seconds_per_day) return absl::OkStatus();
  return base::WithReason(
      absl::ResourceExhaustedError(absl::StrCat(
          "seconds per day: this API key allows ", seconds_per_day, ", ", seconds_today, " used, this job needs ",
          cost, "; it resets at ", FormatReset(QuotaDayStart(now) + absl::Hours(24)))),
      "QUOTA_EXCEEDED");
}

}  // namespace clipforge::generation
