#include "tests/unit/worker/fake_worker_service.h"

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/error_reason.h"
#include "base/sha256.h"
#include "services/kit/grpc_status.h"

namespace clipforge::worker::testing {
namespace {

// LEASE_LOST as a ClipForge server sends it: the ErrorDetail trailer.
grpc::Status LeaseLostWithDetail(grpc::ServerContext& context) {
  v1::ErrorDetail detail;
  detail.set_reason("LEASE_LOST");
  context.AddTrailingMetadata("clipforge-error-bin", detail.SerializeAsString());
  return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "the lease was lost");
}

// LEASE_LOST through the kit's edge conversion: ErrorInfo only.
grpc::Status LeaseLostWithErrorInfo() {
  return kit::ToGrpcStatus(
      base::WithReason(absl::FailedPreconditionError("the lease was lost"), "LEASE_LOST"));
}

}  // namespace

void FakeWorkerService::Queue(v1::JobAssignment assignment) {
  absl::MutexLock lock(&mu_);
  queue_.push_back(std::move(assignment));
}

std::string FakeWorkerService::AddInput(const std::string& bytes) {
  const std::string sha256 = base::Sha256Hex(bytes);
  absl::MutexLock lock(&mu_);
  inputs_[sha256] = bytes;
  return sha256;
}

void FakeWorkerService::SetProgressAnswer(ProgressAnswer answer) {
  absl::MutexLock lock(&mu_);
  progress_answer_ = answer;
}

void FakeWorkerService::SetLeaseError(grpc::StatusCode code) {
  absl::MutexLock lock(&mu_);
  lease_error_ = code;
}

void FakeWorkerService::SetHoldEmptyLeases(bool hold) {
  absl::MutexLock lock(&mu_);
  hold_empty_leases_ = hold;
}

void FakeWorkerService::OnProgress(std::function<void(const v1::ReportProgressRequest&)> hook) {
  absl::MutexLock lock(&mu_);
  on_progress_ = std::move(hook);
}

int FakeWorkerService::lease_calls() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(leases_.size());
}

std::vector<v1::LeaseJobRequest> FakeWorkerService::leases() const {
  absl::MutexLock lock(&mu_);
  return leases_;
}

std::vector<v1::ReportProgressRequest> FakeWorkerService::progress() const {
  absl::MutexLock lock(&mu_);
  return progress_;
}

std::vector<v1::HeartbeatRequest> FakeWorkerService::heartbeats() const {
  absl::MutexLock lock(&mu_);
  return heartbeats_;
}

std::map<v1::ContentVariant, FakeWorkerService::Upload> FakeWorkerService::uploads() const {
  absl::MutexLock lock(&mu_);
  return uploads_;
}

std::vector<v1::CompleteJobRequest> FakeWorkerService::completions() const {
  absl::MutexLock lock(&mu_);
  return completions_;
}

std::vector<v1::FailJobRequest> FakeWorkerService::failures() const {
  absl::MutexLock lock(&mu_);
  return failures_;
}

std::vector<std::string> FakeWorkerService::authorizations() const {
  absl::MutexLock lock(&mu_);
  return authorizations_;
}

void FakeWorkerService::NoteAuthorization(const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find("authorization");
  absl::MutexLock lock(&mu_);
  authorizations_.push_back(it == metadata.end() ? "" : std::string(it->second.data(), it->second.size()));
}

grpc::Status FakeWorkerService::LeaseJob(grpc::ServerContext* context, const v1::LeaseJobRequest* request,
                                         v1::LeaseJobResponse* response) {
  NoteAuthorization(*context);
  bool hold = false;
  {
    absl::MutexLock lock(&mu_);
    leases_.push_back(*request);
    if (lease_error_ != grpc::StatusCode::OK) return grpc::Status(lease_error_, "scripted lease failure");
    if (!queue_.empty()) {
      *response->mutable_assignment() = queue_.front();
      queue_.erase(queue_.begin());
      return grpc::Status::OK;
    }
    hold = hold_empty_leases_;
  }
  if (hold) {
    const absl::Time until = absl::Now() + absl::Seconds(request->wait().seconds());
    while (absl::Now() < until && !context->IsCancelled()) absl::SleepFor(absl::Milliseconds(10));
  }
  response->mutable_retry_after()->set_nanos(10'000'000);  // 10 ms
  return grpc::Status::OK;
}

grpc::Status FakeWorkerService::Heartbeat(grpc::ServerContext* context, const v1::HeartbeatRequest* request,
                                          v1::HeartbeatResponse* response) {
  NoteAuthorization(*context);
  absl::MutexLock lock(&mu_);
  heartbeats_.push_back(*request);
  if (progress_answer_ == ProgressAnswer::kLeaseLost) return LeaseLostWithErrorInfo();
  response->set_cancel_requested(progress_answer_ == ProgressAnswer::kCancelRequested);
  return grpc::Status::OK;
}

grpc::Status FakeWorkerService::ReportProgress(grpc::ServerContext* context,
                                               const v1::ReportProgressRequest* request,
                                               v1::ReportProgressResponse* response) {
  NoteAuthorization(*context);
  std::function<void(const v1::ReportProgressRequest&)> hook;
  {
    absl::MutexLock lock(&mu_);
    progress_.push_back(*request);
    hook = on_progress_;
  }
  if (hook) hook(*request);
  absl::MutexLock lock(&mu_);
  if (progress_answer_ == ProgressAnswer::kLeaseLost) return LeaseLostWithDetail(*context);
  response->set_cancel_requested(progress_answer_ == ProgressAnswer::kCancelRequested);
  return grpc::Status::OK;
}

grpc::Status FakeWorkerService::UploadOutput(grpc::ServerContext* context,
                                             grpc::ServerReader<v1::UploadOutputRequest>* reader,
                                             v1::UploadOutputResponse* response) {
  NoteAuthorization(*context);
  v1::UploadOutputRequest message;
  if (!reader->Read(&message) || !message.has_header()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the first message must be the header");
  }
  Upload upload{.header = message.header(), .data = ""};
  while (reader->Read(&message)) {
    if (message.has_header() || message.data().empty() || message.data().size() > (size_t{1} << 20)) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "data: 1 byte to 1 MiB per message");
    }
    upload.data += message.data();
  }
  if (static_cast<int64_t>(upload.data.size()) != upload.header.size_bytes() ||
      base::Sha256Hex(upload.data) != upload.header.sha256()) {
    return grpc::Status(grpc::StatusCode::DATA_LOSS, "size or sha256 mismatch");
  }
  absl::MutexLock lock(&mu_);
  if (progress_answer_ == ProgressAnswer::kLeaseLost) return LeaseLostWithDetail(*context);
  response->mutable_blob()->set_sha256(upload.header.sha256());
  response->mutable_blob()->set_content_type(upload.header.content_type());
  response->mutable_blob()->set_size_bytes(upload.header.size_bytes());
  uploads_[upload.header.variant()] = std::move(upload);
  return grpc::Status::OK;
}

grpc::Status FakeWorkerService::DownloadInput(grpc::ServerContext* context, const v1::DownloadInputRequest* request,
                                              grpc::ServerWriter<v1::DataChunk>* writer) {
  NoteAuthorization(*context);
  std::string bytes;
  {
    absl::MutexLock lock(&mu_);
    const auto it = inputs_.find(request->sha256());
    if (it == inputs_.end()) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such input");
    bytes = it->second;
  }
  // Small chunks, so that even a manifest store comes in several.
  constexpr size_t kChunk = 4096;
  size_t at = static_cast<size_t>(request->offset());
  do {
    v1::DataChunk chunk;
    chunk.set_data(bytes.substr(at, kChunk));
    chunk.set_offset(static_cast<int64_t>(at));
    chunk.set_content_type("application/c2pa");
    chunk.set_total_bytes(static_cast<int64_t>(bytes.size()));
    at += chunk.data().size();
    if (at >= bytes.size()) {
      chunk.set_final_chunk(true);
      chunk.set_sha256(base::Sha256Hex(bytes));
    }
    if (!writer->Write(chunk)) break;
  } while (at < bytes.size());
  return grpc::Status::OK;
}

grpc::Status FakeWorkerService::CompleteJob(grpc::ServerContext* context, const v1::CompleteJobRequest* request,
                                            v1::CompleteJobResponse* response) {
  NoteAuthorization(*context);
  absl::MutexLock lock(&mu_);
  completions_.push_back(*request);
  response->set_status(v1::JOB_STATUS_COMPLETED);
  return grpc::Status::OK;
}

grpc::Status FakeWorkerService::FailJob(grpc::ServerContext* context, const v1::FailJobRequest* request,
                                        v1::FailJobResponse* response) {
  NoteAuthorization(*context);
  absl::MutexLock lock(&mu_);
  failures_.push_back(*request);
  response->set_will_retry(request->retryable());
  response->set_status(request->retryable() ? v1::JOB_STATUS_QUEUED : v1::JOB_STATUS_FAILED);
  return grpc::Status::OK;
}

FakeWorkerServer::FakeWorkerServer() {
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
  builder.RegisterService(&service_);
  server_ = builder.BuildAndStart();
}

FakeWorkerServer::~FakeWorkerServer() {
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
}

std::string FakeWorkerServer::address() const { return absl::StrCat("127.0.0.1:", port_); }

}  // namespace clipforge::worker::testing
