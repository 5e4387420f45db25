// The worker's side of WorkerService, one method per RPC. Each call gets
// `authorization: Worker <credential>`, a deadline, and (for the mutating
// ones) a fresh UUIDv7 request_id that its retries share: a call that failed
// UNAVAILABLE or DEADLINE_EXCEEDED may have taken effect, and the server
// answers a retry with the same id with the first outcome. Failures come
// back as absl::Status with the server's reason attached (rpc_status.h;
// IsLeaseLost tells when the job must be dropped).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "base/uuid.h"
#include "clipforge/v1/generation.grpc.pb.h"
#include "services/worker/call_canceller.h"

namespace clipforge::worker {

// Names a leased job in every call about it.
struct JobLease {
  std::string job_id;
  int64_t epoch = 0;
};

struct WorkerClientOptions {
  // The worker credential ("cfw_..."), sent in every call's metadata and
  // nowhere else.
  std::string credential;
  // This process, e.g. "host-1/worker-12"; for the server's logs.
  std::string worker_instance;
  // Deadline of a unary call (LeaseJob: its wait plus this).
  absl::Duration call_timeout = absl::Seconds(10);
  // Deadline of one UploadOutput or DownloadInput stream.
  absl::Duration transfer_timeout = absl::Minutes(10);
  // Tries per call when it fails UNAVAILABLE or DEADLINE_EXCEEDED, the
  // first pause between tries, doubling.
  int attempts = 3;
  absl::Duration retry_backoff = absl::Milliseconds(250);
};

struct LeaseOutcome {
  std::optional<v1::JobAssignment> assignment;
  // With no assignment: how long the server asks to wait before the next
  // lease (zero: ask again at once).
  absl::Duration retry_after;
};

// The largest input DownloadInput assembles by default: an uploaded
// soundtrack is at most 20 MiB.
inline constexpr int64_t kMaxInputBytes = int64_t{32} << 20;
// UploadOutput's data messages, at most 1 MiB each (the protocol's limit).
inline constexpr size_t kUploadChunkBytes = size_t{1} << 20;

class WorkerClient {
 public:
  WorkerClient(std::unique_ptr<v1::WorkerService::StubInterface> stub, WorkerClientOptions options,
               base::UuidV7Generator& ids);

  // Waits up to `wait` (0-30 s) for a job. `canceller`, when given, can end
  // the wait from another thread (CANCELLED).
  absl::StatusOr<LeaseOutcome> Lease(const v1::WorkerCapabilities& capabilities, absl::Duration wait,
                                     CallCanceller* canceller = nullptr);
  absl::StatusOr<v1::HeartbeatResponse> Heartbeat(const JobLease& lease);
  // `percent`: 0-99; `stage`: at most 32 characters.
  absl::StatusOr<v1::ReportProgressResponse> ReportProgress(const JobLease& lease, int percent,
                                                            absl::string_view stage);
  // Streams the file at `path` (its SHA-256 and size in the header, then
  // the data in kUploadChunkBytes messages) and returns the stored blob.
  absl::StatusOr<v1::BlobRef> UploadOutput(const JobLease& lease, v1::ContentVariant variant,
                                           absl::string_view content_type, const std::string& path);
  // The input blob named by `sha256`, assembled from its chunks (resumed
  // from where a transient failure cut it) and checked against the hash:
  // DATA_LOSS on a mismatch or a broken stream, RESOURCE_EXHAUSTED past
  // `max_bytes`.
  absl::StatusOr<std::string> DownloadInput(const JobLease& lease, absl::string_view sha256,
                                            int64_t max_bytes = kMaxInputBytes);
  absl::StatusOr<v1::CompleteJobResponse> CompleteJob(const JobLease& lease, const v1::JobOutputs& outputs,
                                                      const v1::RenderStats& stats);
  absl::StatusOr<v1::FailJobResponse> FailJob(const JobLease& lease, v1::GenerationFailureCode code,
                                              absl::string_view message, bool retryable);

 private:
  // A context with the credential, an x-request-id and a deadline.
  void Prepare(grpc::ClientContext& context, absl::string_view request_id, absl::Duration timeout) const;
  // Runs `call(context, response)` with retries of transient failures.
  template <typename Response, typename Call>
  absl::StatusOr<Response> Unary(absl::string_view request_id, absl::Duration timeout, CallCanceller* canceller,
                                 Call call);
  absl::StatusOr<v1::BlobRef> UploadOnce(const v1::UploadOutputHeader& header, const std::string& path);
  // Appends to `data` from its current size; OK once the final chunk came.
  absl::Status DownloadOnce(const JobLease& lease, absl::string_view sha256, int64_t max_bytes,
                            std::string& data);
  void PauseBeforeRetry(int attempt, const CallCanceller* canceller) const;

  std::unique_ptr<v1::WorkerService::StubInterface> stub_;
  const WorkerClientOptions options_;
  base::UuidV7Generator& ids_;
};

}  // namespace clipforge::worker
