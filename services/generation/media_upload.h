// UploadMedia: a user streams a soundtrack, sticker or avatar. The header is
// checked first (kind, type, size cap), then data goes straight to a
// temporary file of the blob store; at the end the size and (when given)
// SHA-256 must match, and the file is probed by its content with
// libavformat (media/upload_probe.h: never by its name) and must decode as
// the declared type within the kind's limits before it is named and
// recorded as the caller's.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/support/server_callback.h>

#include "clipforge/v1/generation.pb.h"
#include "services/generation/service.h"

namespace clipforge::generation_service {

class MediaUpload final : public grpc::ServerReadReactor<v1::UploadMediaRequest> {
 public:
  MediaUpload(grpc::CallbackServerContext* ctx, const GenerationServiceDeps& deps, v1::UploadMediaResponse* response);

  void OnReadDone(bool ok) override;
  void OnDone() override { delete this; }

 private:
  // On the executor: authenticate, check the header, open the blob writer.
  void Admit();
  // On the executor: check, probe, commit and record.
  void Commit();
  void Fail(const absl::Status& status);

  grpc::CallbackServerContext* ctx_;
  const GenerationServiceDeps& d_;
  v1::UploadMediaResponse* response_;
  v1::UploadMediaRequest message_;
  v1::UploadHeader header_;
  bool have_header_ = false;
  kit::Caller caller_;
  std::unique_ptr<kit::BlobWriter> writer_;
};

// The most bytes an upload of `kind` may have (0: not an upload kind).
int64_t MaxUploadBytes(v1::UploadKind kind);

}  // namespace clipforge::generation_service
