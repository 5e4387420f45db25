// The media filter as one call: decode and hash a stored video or image,
// match it against the live hash banks, and open a case for anything not
// allowed. CheckVideo answers with it, and services in the same process
// (generation's finished renders) call it directly.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "services/kit/blob_store.h"
#include "services/kit/compute_slots.h"
#include "services/moderation/active_banks.h"
#include "services/moderation/review_logic.h"

namespace clipforge::moderation_service {

class MediaScreening {
 public:
  // None is owned.
  MediaScreening(const ActiveBanksHolder& banks, const kit::BlobStore& blobs, kit::ComputeSlots& compute,
                 ReviewLogic& review)
      : banks_(banks), blobs_(blobs), compute_(compute), review_(review) {}

  // The verdict on blob `sha256`, with the hash of every frame sampled
  // (one a second plus the first and the last); when `subject` is set and
  // the verdict is not ALLOW, a media-filter case about it is opened.
  // NOT_FOUND for a missing blob, INVALID_ARGUMENT ("blob: ...") for one
  // that does not decode, UNAVAILABLE before the banks are loaded.
  absl::StatusOr<MediaCheck> Screen(const std::string& sha256, const std::optional<TargetRef>& subject);

 private:
  const ActiveBanksHolder& banks_;
  const kit::BlobStore& blobs_;
  kit::ComputeSlots& compute_;
  ReviewLogic& review_;
};

}  // namespace clipforge::moderation_service
