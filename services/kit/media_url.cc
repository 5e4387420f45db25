#include "services/kit/media_url.h"

#include "base/status_macros.h"
#include "services/kit/proto_time.h"

namespace clipforge::kit {

absl::StatusOr<v1::SignedUrl> SignBlobUrl(const MediaUrls& urls, const v1::BlobRef& blob, absl::Time expires) {
  if (urls.signer == nullptr) return absl::FailedPreconditionError("signed URLs are not configured on this server");
  CF_ASSIGN_OR_RETURN(const std::string target, urls.signer->Sign(blob.sha256(), blob.content_type(), expires));
  v1::SignedUrl url;
  url.set_url(urls.base + target);
  *url.mutable_expire_time() = ToTimestamp(absl::FromUnixSeconds(absl::ToUnixSeconds(expires)));
  return url;
}

}  // namespace clipforge::kit
