// An in-process WorkerService that hands out scripted assignments and
// records what the worker sends, for the worker loop's tests (the real
// server's tests live with services/generation).
#pragma once

#include <grpcpp/server.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "clipforge/v1/generation.grpc.pb.h"

namespace clipforge::worker::testing {

class FakeWorkerService final : public v1::WorkerService::Service {
 public:
  enum class ProgressAnswer {
    kOk,
    kCancelRequested,  // cancel_requested = true
    kLeaseLost,        // FAILED_PRECONDITION, reason LEASE_LOST in clipforge-error-bin
  };

  // The next LeaseJob answers with `assignment` (once).
  void Queue(v1::JobAssignment assignment);
  // An input DownloadInput serves; returns its SHA-256.
  std::string AddInput(const std::string& bytes);
  void SetProgressAnswer(ProgressAnswer answer);
  // Every LeaseJob fails with `code` (OK: answers normally).
  void SetLeaseError(grpc::StatusCode code);
  // With nothing queued, LeaseJob waits out the request's wait (or until the
  // call is cancelled) instead of answering at once.
  void SetHoldEmptyLeases(bool hold);
  // Called on each ReportProgress, before it answers.
  void OnProgress(std::function<void(const v1::ReportProgressRequest&)> hook);

  struct Upload {
    v1::UploadOutputHeader header;
    std::string data;
  };
  int lease_calls() const;
  std::vector<v1::LeaseJobRequest> leases() const;
  std::vector<v1::ReportProgressRequest> progress() const;
  std::vector<v1::HeartbeatRequest> heartbeats() const;
  std::map<v1::ContentVariant, Upload> uploads() const;
  std::vector<v1::CompleteJobRequest> completions() const;
  std::vector<v1::FailJobRequest> failures() const;
  // Every `authorization` value seen, one per call.
  std::vector<std::string> authorizations() const;

  grpc::Status LeaseJob(grpc::ServerContext* context, const v1::LeaseJobRequest* request,
                        v1::LeaseJobResponse* response) override;
  grpc::Status Heartbeat(grpc::ServerContext* context, const v1::HeartbeatRequest* request,
                         v1::HeartbeatResponse* response) override;
  grpc::Status ReportProgress(grpc::ServerContext* context, const v1::ReportProgressRequest* request,
                              v1::ReportProgressResponse* response) override;
  grpc::Status UploadOutput(grpc::ServerContext* context, grpc::ServerReader<v1::UploadOutputRequest>* reader,
                            v1::UploadOutputResponse* response) override;
  grpc::Status DownloadInput(grpc::ServerContext* context, const v1::DownloadInputRequest* request,
                             grpc::ServerWriter<v1::DataChunk>* writer) override;
  grpc::Status CompleteJob(grpc::ServerContext* context, const v1::CompleteJobRequest* request,
                           v1::CompleteJobResponse* response) override;
  grpc::Status FailJob(grpc::ServerContext* context, const v1::FailJobRequest* request,
                       v1::FailJobResponse* response) override;

 private:
  void NoteAuthorization(const grpc::ServerContext& context);

  mutable absl::Mutex mu_;
  std::vector<v1::JobAssignment> queue_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> inputs_ ABSL_GUARDED_BY(mu_);
  ProgressAnswer progress_answer_ ABSL_GUARDED_BY(mu_) = ProgressAnswer::kOk;
  grpc::StatusCode lease_error_ ABSL_GUARDED_BY(mu_) = grpc::StatusCode::OK;
  bool hold_empty_leases_ ABSL_GUARDED_BY(mu_) = false;
  std::function<void(const v1::ReportProgressRequest&)> on_progress_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::LeaseJobRequest> leases_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::ReportProgressRequest> progress_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::HeartbeatRequest> heartbeats_ ABSL_GUARDED_BY(mu_);
  std::map<v1::ContentVariant, Upload> uploads_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::CompleteJobRequest> completions_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::FailJobRequest> failures_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> authorizations_ ABSL_GUARDED_BY(mu_);
};

// The service on a free loopback port.
class FakeWorkerServer {
 public:
  FakeWorkerServer();
  ~FakeWorkerServer();
  std::string address() const;
  FakeWorkerService& service() { return service_; }

 private:
  FakeWorkerService service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace clipforge::worker::testing
