// UploadMedia: a user streams a soundtrack, sticker or avatar. The header is
// checked first (kind, type, size cap), then data goes straight to a
// temporary file of the blob store; at the end the size and (when given)
// SHA-256 must match, and the file is probed by its content with
// libavformat (media/upload_probe.h: never by its name) and must decode as
// the declared type within the kind's limits before it is named and
// recorded as the caller's. Images (stickers, avatars) then pass the media
// filter: a blocked one is deleted and refused UPLOAD_BLOCKED, with a case
// about the uploader.
#pragma once

#include <memory>
#include <string>

#include "clipforge/v1/generation.pb.h"
#include "services/generation/service.h"
#include "services/generation/streamed_upload.h"

namespace clipforge::generation_service {

class MediaUpload final : public StreamedUpload<v1::UploadMediaRequest, v1::UploadHeader> {
 public:
  MediaUpload(grpc::CallbackServerContext* ctx, const GenerationServiceDeps& deps, v1::UploadMediaResponse* response);

 private:
  // Authenticates the user and checks the header.
  absl::StatusOr<std::unique_ptr<kit::BlobWriter>> Admit(const v1::UploadHeader& header) override;
  // Probes the content, then names the blob and records it as the caller's.
  absl::Status Complete(const v1::UploadHeader& header, kit::BlobWriter& writer) override;
  // The media filter on stored image `name`; FAILED_PRECONDITION
  // "UPLOAD_BLOCKED" (and the blob removed) when it blocks.
  absl::Status ScreenImage(const v1::UploadHeader& header, const std::string& name);

  const GenerationServiceDeps& d_;
  v1::UploadMediaResponse* response_;
  kit::Caller caller_;
};

// The most bytes an upload of `kind` may have (0: not an upload kind).
int64_t MaxUploadBytes(v1::UploadKind kind);

}  // namespace clipforge::generation_service
