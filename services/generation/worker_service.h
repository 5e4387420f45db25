// The WorkerService gRPC adapter. Every RPC needs `authorization: Worker
// <credential>` (worker_credentials.h); user tokens are refused. Calls about
// a job carry its lease epoch (worker_logic.h).
#pragma once

#include "clipforge/v1/generation.grpc.pb.h"
#include "services/generation/job_watch.h"
#include "services/generation/lease_signal.h"
#include "services/generation/worker_credentials.h"
#include "services/generation/worker_logic.h"
#include "services/kit/blob_store.h"
#include "services/kit/call_runner.h"
#include "services/kit/chunk_writer.h"

namespace clipforge::generation_service {

struct WorkerServiceDeps {
  WorkerLogic& logic;
  WorkerCredentialVerifier& credentials;
  LeaseSignal& lease_signal;
  JobWatchHub& watches;  // Poked when a job changes here.
  const kit::BlobStore& blobs;
  kit::CallRunner& runner;
  kit::BlockingExecutor& executor;
  // Long polls wait here, one thread each: a full pool answers at once
  // (no job, retry_after) instead of tying up the database executor.
  kit::BlockingExecutor& lease_waits;
  kit::ChunkStreamOptions streams;
};

class WorkerServiceImpl final : public v1::WorkerService::CallbackService {
 public:
  explicit WorkerServiceImpl(WorkerServiceDeps deps) : d_(deps) {}

  grpc::ServerUnaryReactor* LeaseJob(grpc::CallbackServerContext*, const v1::LeaseJobRequest*,
                                     v1::LeaseJobResponse*) override;
  grpc::ServerUnaryReactor* Heartbeat(grpc::CallbackServerContext*, const v1::HeartbeatRequest*,
                                      v1::HeartbeatResponse*) override;
  grpc::ServerUnaryReactor* ReportProgress(grpc::CallbackServerContext*, const v1::ReportProgressRequest*,
                                           v1::ReportProgressResponse*) override;
  grpc::ServerReadReactor<v1::UploadOutputRequest>* UploadOutput(grpc::CallbackServerContext*,
                                                                 v1::UploadOutputResponse*) override;
  grpc::ServerWriteReactor<v1::DataChunk>* DownloadInput(grpc::CallbackServerContext*,
                                                         const v1::DownloadInputRequest*) override;
  grpc::ServerUnaryReactor* CompleteJob(grpc::CallbackServerContext*, const v1::CompleteJobRequest*,
                                        v1::CompleteJobResponse*) override;
  grpc::ServerUnaryReactor* FailJob(grpc::CallbackServerContext*, const v1::FailJobRequest*,
                                    v1::FailJobResponse*) override;

  const WorkerServiceDeps& deps() const { return d_; }

 private:
  WorkerServiceDeps d_;
};

// The worker a call comes from: UNAUTHENTICATED unless its metadata holds
// a valid `authorization: Worker <credential>`.
absl::StatusOr<WorkerIdentity> AuthenticateWorker(const grpc::ServerContextBase& ctx,
                                                  WorkerCredentialVerifier& credentials,
                                                  const std::string& instance);

}  // namespace clipforge::generation_service
