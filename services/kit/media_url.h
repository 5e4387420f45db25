// A blob's signed URL as the APIs return it (clipforge.v1.SignedUrl): the
// one place that turns a MediaUrls signer and a BlobRef into a URL and its
// expiry, for GetSignedUrl and for the media URLs other responses carry.
#pragma once

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clipforge/v1/common.pb.h"
#include "services/kit/signed_url.h"

namespace clipforge::kit {

// The URL of `blob` through `urls`, valid until `expires`, which the
// signature floors to a whole second (and so does expire_time).
// FAILED_PRECONDITION without a signer; the signer's INVALID_ARGUMENT for a
// malformed blob.
absl::StatusOr<v1::SignedUrl> SignBlobUrl(const MediaUrls& urls, const v1::BlobRef& blob, absl::Time expires);

}  // namespace clipforge::kit
