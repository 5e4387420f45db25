#include "generation/upload_quota.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "base/error_reason.h"

namespace clipforge::generation {
namespace {

std::string WhenRoomFrees(absl::Time next_expiry) {
  if (next_expiry == absl::InfiniteFuture()) return "";
  return absl::StrCat("; room frees up at ",
                      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", next_expiry, absl::UTCTimeZone()),
                      ", when your oldest upload expires");
}

}  // namespace

absl::Status CheckUploadQuota(const UploadLimits& limits, const UploadUsage& usage, int64_t incoming_bytes) {
  if (usage.live_uploads + 1 > limits.max_live_uploads) {
    return base::WithReason(absl::ResourceExhaustedError(absl::StrCat(
                                "uploads: ", limits.max_live_uploads, " may be kept at once, ", usage.live_uploads,
                                " are", WhenRoomFrees(usage.next_expiry))),
                            "QUOTA_EXCEEDED");
  }
  if (usage.live_bytes + incoming_bytes > limits.max_live_bytes) {
    return base::WithReason(
        absl::ResourceExhaustedError(absl::StrCat("upload bytes: ", limits.max_live_bytes, " may be kept at once, ",
                                                  usage.live_bytes, " are, this upload has ", incoming_bytes,
                                                  WhenRoomFrees(usage.next_expiry))),
        "QUOTA_EXCEEDED");
  }
  return absl::OkStatus();
}

}  // namespace clipforge::generation
