#include "services/worker/worker_client.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "services/worker/file_digest.h"
#include "services/kit/proto_time.h"
#include "services/worker/rpc_status.h"

namespace clipforge::worker {
namespace {

// The protocol's limit on LeaseJobRequest.wait.
constexpr absl::Duration kMaxLeaseWait = absl::Seconds(30);

// Reads the rest of a stream that is being abandoned, so that Finish can
// complete the call.
void Drain(grpc::ClientReaderInterface<v1::DataChunk>& reader) {
  v1::DataChunk ignored;
  while (reader.Read(&ignored)) {
  }
}

}  // namespace

WorkerClient::WorkerClient(std::unique_ptr<v1::WorkerService::StubInterface> stub, WorkerClientOptions options,
                           base::UuidV7Generator& ids)
    : stub_(std::move(stub)), options_(std::move(options)), ids_(ids) {}

void WorkerClient::Prepare(grpc::ClientContext& context, absl::string_view request_id,
                           absl::Duration timeout) const {
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout));
  context.AddMetadata("authorization", absl::StrCat("Worker ", options_.credential));
  context.AddMetadata("x-request-id", std::string(request_id));
}

void WorkerClient::PauseBeforeRetry(int attempt, const CallCanceller* canceller) const {
  absl::Duration pause = options_.retry_backoff * (int64_t{1} << std::min(attempt - 1, 10));
  // In short steps, so that a cancel (a stopping worker) ends the pause.
  while (pause > absl::ZeroDuration() && (canceller == nullptr || !canceller->cancelled())) {
    const absl::Duration step = std::min(pause, absl::Milliseconds(50));
    absl::SleepFor(step);
    pause -= step;
  }
}

template <typename Response, typename Call>
absl::StatusOr<Response> WorkerClient::Unary(absl::string_view request_id, absl::Duration timeout,
                                             CallCanceller* canceller, Call call) {
  absl::Status last = absl::UnavailableError("no attempt made");
  for (int attempt = 0; attempt < std::max(1, options_.attempts); ++attempt) {
    if (attempt > 0) PauseBeforeRetry(attempt, canceller);
    grpc::ClientContext context;
    Prepare(context, request_id, timeout);
    if (canceller != nullptr && !canceller->Attach(&context)) return absl::CancelledError("call cancelled");
    Response response;
    const grpc::Status status = call(&context, &response);
    if (canceller != nullptr) canceller->Detach();
    if (status.ok()) return response;
    last = StatusFromRpc(status, context);
    if (!IsTransient(last) || (canceller != nullptr && canceller->cancelled())) break;
  }
  return last;
}

absl::StatusOr<LeaseOutcome> WorkerClient::Lease(const v1::WorkerCapabilities& capabilities, absl::Duration wait,
                                                 CallCanceller* canceller) {
  wait = std::clamp(wait, absl::ZeroDuration(), kMaxLeaseWait);
  v1::LeaseJobRequest request;
  // Shared by the retries: one that reaches the server after a lost answer
  // gets the job the first one leased instead of stranding it.
  request.set_request_id(ids_.Next());
  request.set_worker_instance(options_.worker_instance);
  *request.mutable_capabilities() = capabilities;
  *request.mutable_wait() = kit::ToDuration(wait);
  CF_ASSIGN_OR_RETURN(v1::LeaseJobResponse response,
                      Unary<v1::LeaseJobResponse>(request.request_id(), wait + options_.call_timeout, canceller,
                                                  [&](grpc::ClientContext* context, v1::LeaseJobResponse* out) {
                                                    return stub_->LeaseJob(context, request, out);
                                                  }));
  LeaseOutcome outcome;
  if (response.has_assignment()) {
    outcome.assignment = std::move(*response.mutable_assignment());
  } else {
    outcome.retry_after = std::max(absl::ZeroDuration(), kit::FromDuration(response.retry_after()));
  }
  return outcome;
}

absl::StatusOr<v1::HeartbeatResponse> WorkerClient::Heartbeat(const JobLease& lease) {
  v1::HeartbeatRequest request;
  request.set_request_id(ids_.Next());
  request.set_job_id(lease.job_id);
  request.set_lease_epoch(lease.epoch);
  return Unary<v1::HeartbeatResponse>(request.request_id(), options_.call_timeout, nullptr,
                                      [&](grpc::ClientContext* context, v1::HeartbeatResponse* out) {
                                        return stub_->Heartbeat(context, request, out);
                                      });
}

absl::StatusOr<v1::ReportProgressResponse> WorkerClient::ReportProgress(const JobLease& lease, int percent,
                                                                        absl::string_view stage) {
  v1::ReportProgressRequest request;
  request.set_request_id(ids_.Next());
  request.set_job_id(lease.job_id);
  request.set_lease_epoch(lease.epoch);
  request.set_percent(std::clamp(percent, 0, 99));
  request.set_stage(std::string(stage.substr(0, 32)));
  return Unary<v1::ReportProgressResponse>(request.request_id(), options_.call_timeout, nullptr,
                                           [&](grpc::ClientContext* context, v1::ReportProgressResponse* out) {
                                             return stub_->ReportProgress(context, request, out);
                                           });
}

absl::StatusOr<v1::BlobRef> WorkerClient::UploadOutput(const JobLease& lease, v1::ContentVariant variant,
                                                       absl::string_view content_type, const std::string& path) {
  CF_ASSIGN_OR_RETURN(const FileDigest digest, DigestFile(path));
  v1::UploadOutputHeader header;
  header.set_request_id(ids_.Next());
  header.set_job_id(lease.job_id);
  header.set_lease_epoch(lease.epoch);
  header.set_variant(variant);
  header.set_content_type(std::string(content_type));
  header.set_size_bytes(digest.size_bytes);
  header.set_sha256(digest.sha256_hex);
  absl::Status last;
  for (int attempt = 0; attempt < std::max(1, options_.attempts); ++attempt) {
    if (attempt > 0) PauseBeforeRetry(attempt, nullptr);
    absl::StatusOr<v1::BlobRef> blob = UploadOnce(header, path);
    if (blob.ok()) return blob;
    last = blob.status();
    if (!IsTransient(last)) break;
  }
  return last;
}

absl::StatusOr<v1::BlobRef> WorkerClient::UploadOnce(const v1::UploadOutputHeader& header, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  grpc::ClientContext context;
  Prepare(context, header.request_id(), options_.transfer_timeout);
  v1::UploadOutputResponse response;
  std::unique_ptr<grpc::ClientWriterInterface<v1::UploadOutputRequest>> writer =
      stub_->UploadOutput(&context, &response);
  v1::UploadOutputRequest message;
  *message.mutable_header() = header;
  // A failed Write means the server ended the call early: its status, from
  // Finish, says why.
  bool open = writer->Write(message);
  absl::Status local;
  std::vector<char> buffer(kUploadChunkBytes);
  while (open) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const std::streamsize got = in.gcount();
    if (got <= 0) break;
    message.set_data(buffer.data(), static_cast<size_t>(got));
    open = writer->Write(message);
  }
  if (in.bad()) {
    local = absl::DataLossError(absl::StrCat("read error in ", path));
    context.TryCancel();
  }
  if (open) writer->WritesDone();
  const grpc::Status status = writer->Finish();
  if (!local.ok()) return local;
  if (!status.ok()) return StatusFromRpc(status, context);
  return response.blob();
}

absl::StatusOr<std::string> WorkerClient::DownloadInput(const JobLease& lease, absl::string_view sha256,
                                                        int64_t max_bytes) {
  std::string data;
  absl::Status last;
  for (int attempt = 0; attempt < std::max(1, options_.attempts); ++attempt) {
    if (attempt > 0) PauseBeforeRetry(attempt, nullptr);
    last = DownloadOnce(lease, sha256, max_bytes, data);
    if (last.ok() || !IsTransient(last)) break;
  }
  if (!last.ok()) return last;
  if (base::Sha256Hex(data) != absl::AsciiStrToLower(sha256)) {
    return absl::DataLossError(absl::StrCat("input ", sha256, ": the downloaded bytes do not match its SHA-256"));
  }
  return data;
}

absl::Status WorkerClient::DownloadOnce(const JobLease& lease, absl::string_view sha256, int64_t max_bytes,
                                        std::string& data) {
  v1::DownloadInputRequest request;
  request.set_job_id(lease.job_id);
  request.set_lease_epoch(lease.epoch);
  request.set_sha256(std::string(sha256));
  request.set_offset(static_cast<int64_t>(data.size()));
  grpc::ClientContext context;
  Prepare(context, ids_.Next(), options_.transfer_timeout);
  std::unique_ptr<grpc::ClientReaderInterface<v1::DataChunk>> reader = stub_->DownloadInput(&context, request);
  v1::DataChunk chunk;
  bool final_chunk = false;
  absl::Status local;
  while (local.ok() && reader->Read(&chunk)) {
    if (final_chunk || chunk.offset() != static_cast<int64_t>(data.size())) {
      local = absl::DataLossError(absl::StrCat("input ", sha256, ": chunk at offset ", chunk.offset(),
                                               " where ", data.size(), " was expected"));
    } else if (static_cast<int64_t>(data.size() + chunk.data().size()) > max_bytes) {
      local = absl::ResourceExhaustedError(absl::StrCat("input ", sha256, ": larger than ", max_bytes, " bytes"));
    } else {
      data.append(chunk.data());
      final_chunk = chunk.final_chunk();
    }
  }
  if (!local.ok()) {
    context.TryCancel();
    Drain(*reader);
  }
  const grpc::Status status = reader->Finish();
  if (!local.ok()) return local;
  if (!status.ok()) return StatusFromRpc(status, context);
  if (!final_chunk) return absl::DataLossError(absl::StrCat("input ", sha256, ": the stream ended before its final chunk"));
  return absl::OkStatus();
}

absl::StatusOr<v1::CompleteJobResponse> WorkerClient::CompleteJob(const JobLease& lease, const v1::JobOutputs& outputs,
                                                                  const v1::RenderStats& stats) {
  v1::CompleteJobRequest request;
  request.set_request_id(ids_.Next());
  request.set_job_id(lease.job_id);
  request.set_lease_epoch(lease.epoch);
  *request.mutable_outputs() = outputs;
  *request.mutable_stats() = stats;
  return Unary<v1::CompleteJobResponse>(request.request_id(), options_.call_timeout, nullptr,
                                        [&](grpc::ClientContext* context, v1::CompleteJobResponse* out) {
                                          return stub_->CompleteJob(context, request, out);
                                        });
}

absl::StatusOr<v1::FailJobResponse> WorkerClient::FailJob(const JobLease& lease, v1::GenerationFailureCode code,
                                                          absl::string_view message, bool retryable) {
  v1::FailJobRequest request;
  request.set_request_id(ids_.Next());
  request.set_job_id(lease.job_id);
  request.set_lease_epoch(lease.epoch);
  request.set_code(code);
  request.set_message(std::string(message));
  request.set_retryable(retryable);
  return Unary<v1::FailJobResponse>(request.request_id(), options_.call_timeout, nullptr,
                                    [&](grpc::ClientContext* context, v1::FailJobResponse* out) {
                                      return stub_->FailJob(context, request, out);
                                    });
}

}  // namespace clipforge::worker
