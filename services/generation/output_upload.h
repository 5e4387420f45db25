// UploadOutput: a worker streams one output of its leased job. The header
// is checked first (credential, lease, variant, type, size), and only then
// is data read, straight into the blob store's temporary file (never held
// in memory); at the end the size and SHA-256 must match the header, the
// blob is named by its hash and recorded under the lease.
#pragma once

#include <memory>
#include <string>

#include "clipforge/v1/generation.pb.h"
#include "services/generation/streamed_upload.h"
#include "services/generation/worker_service.h"

namespace clipforge::generation_service {

class OutputUpload final : public StreamedUpload<v1::UploadOutputRequest, v1::UploadOutputHeader> {
 public:
  OutputUpload(grpc::CallbackServerContext* ctx, const WorkerServiceDeps& deps, v1::UploadOutputResponse* response);

 private:
  // Authenticates the worker and checks the header and the lease.
  absl::StatusOr<std::unique_ptr<kit::BlobWriter>> Admit(const v1::UploadOutputHeader& header) override;
  // Names the blob and records it under the lease.
  absl::Status Complete(const v1::UploadOutputHeader& header, kit::BlobWriter& writer) override;

  const WorkerServiceDeps& d_;
  v1::UploadOutputResponse* response_;
  WorkerIdentity worker_;
};

// The most bytes an output of `variant` may have (0: not an output).
int64_t MaxOutputBytes(v1::ContentVariant variant);

}  // namespace clipforge::generation_service
