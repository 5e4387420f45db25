// UploadOutput: a worker streams one output of its leased job. The header
// is checked first (credential, lease, variant, type, size), and only then
// is data read, straight into the blob store's temporary file (never held
// in memory); at the end the size and SHA-256 must match the header, the
// blob is named by its hash and recorded under the lease.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/support/server_callback.h>

#include "clipforge/v1/generation.pb.h"
#include "services/generation/worker_service.h"

namespace clipforge::generation_service {

class OutputUpload final : public grpc::ServerReadReactor<v1::UploadOutputRequest> {
 public:
  OutputUpload(grpc::CallbackServerContext* ctx, const WorkerServiceDeps& deps, v1::UploadOutputResponse* response);

  void OnReadDone(bool ok) override;
  void OnDone() override { delete this; }

 private:
  // On the executor: authenticate, check the lease, open the blob writer.
  void Admit();
  // On the executor: commit the blob and record it.
  void Commit();
  void Fail(const absl::Status& status);

  grpc::CallbackServerContext* ctx_;
  const WorkerServiceDeps& d_;
  v1::UploadOutputResponse* response_;
  v1::UploadOutputRequest message_;
  v1::UploadOutputHeader header_;
  bool have_header_ = false;
  WorkerIdentity worker_;
  std::unique_ptr<kit::BlobWriter> writer_;
};

// The most bytes an output of `variant` may have (0: not an output).
int64_t MaxOutputBytes(v1::ContentVariant variant);

}  // namespace clipforge::generation_service
