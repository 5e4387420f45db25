#include "services/generation/worker_service.h"

#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/validation.h"
#include "services/generation/convert.h"
#include "services/generation/job_inputs.h"
#include "services/generation/output_upload.h"
#include "services/generation/request_parsing.h"
#include "services/kit/idempotency.h"
#include "services/kit/proto_time.h"

namespace clipforge::generation_service {
namespace {

constexpr absl::Duration kMaxLeaseWait = absl::Seconds(30);
// How often a waiting LeaseJob looks again without a local signal (jobs
// queued by other instances).
constexpr absl::Duration kLeaseRecheck = absl::Milliseconds(500);
constexpr absl::Duration kRetryAfter = absl::Seconds(1);

// A worker call: authenticate the credential, then run `work` with the
// worker's identity, on the executor (the credential may need a read).
template <typename Work>
grpc::ServerUnaryReactor* WorkerCall(const WorkerServiceDeps& d, grpc::CallbackServerContext* ctx,
                                     std::string instance, Work work) {
  return d.runner.Public(ctx, [&d, ctx, instance = std::move(instance), work = std::move(work)]() mutable
                         -> absl::Status {
    CF_ASSIGN_OR_RETURN(const WorkerIdentity worker, AuthenticateWorker(*ctx, d.credentials, instance));
    return work(worker);
  });
}

absl::Status ValidateProgress(const v1::ReportProgressRequest& r) {
  base::FieldValidator v;
  v.Uuid("request_id", r.request_id());
  v.IntRange("percent", r.percent(), 0, 99);
  v.Check(r.stage().size() <= 32, "stage", "at most 32 characters");
  CF_RETURN_IF_ERROR(v.status());
  return ValidateLeaseRef(r.job_id(), r.lease_epoch());
}

// frame_hashes is not checked: WorkerLogic::Complete drops the worker's
// and keeps the media filter's.
absl::Status ValidateOutputs(const v1::JobOutputs& o) {
  base::FieldValidator v;
  v.Check(kit::IsBlobName(o.video().sha256()), "outputs.video.sha256", "must name an uploaded blob");
  v.Check(kit::IsBlobName(o.thumbnail().sha256()), "outputs.thumbnail.sha256", "must name an uploaded blob");
  v.Check(kit::IsBlobName(o.provenance().sha256()), "outputs.provenance.sha256", "must name an uploaded blob");
  v.Check(o.spritesheet().sha256().empty() || kit::IsBlobName(o.spritesheet().sha256()),
          "outputs.spritesheet.sha256", "must name an uploaded blob");
  v.IntRange("outputs.width", o.width(), 16, 7680);
  v.IntRange("outputs.height", o.height(), 16, 7680);
  v.Check(o.renderer().size() <= 64, "outputs.renderer", "at most 64 characters");
  v.IntRange("outputs.duration.seconds", o.duration().seconds(), 0, 3600);
  return v.status();
}

}  // namespace

absl::StatusOr<WorkerIdentity> AuthenticateWorker(const grpc::ServerContextBase& ctx,
                                                  WorkerCredentialVerifier& credentials,
                                                  const std::string& instance) {
  const auto& metadata = ctx.client_metadata();
  auto it = metadata.find("authorization");
  absl::string_view value = it == metadata.end() ? absl::string_view()
                                                 : absl::string_view(it->second.data(), it->second.size());
  if (!absl::ConsumePrefix(&value, "Worker ")) {
    return absl::UnauthenticatedError("authorization: a worker credential is required (\"Worker cfw_...\")");
  }
  CF_ASSIGN_OR_RETURN(std::string credential_id, credentials.Verify(value));
  return WorkerIdentity{.credential_id = std::move(credential_id), .instance = instance};
}

grpc::ServerUnaryReactor* WorkerServiceImpl::LeaseJob(grpc::CallbackServerContext* ctx,
                                                      const v1::LeaseJobRequest* request,
                                                      v1::LeaseJobResponse* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  // Everything runs on a lease-wait thread: a long poll holds it, never a
  // database executor thread.
  const absl::Status submitted = d_.lease_waits.Submit([this, ctx, reactor, request, response] {
    const absl::Status status = [&]() -> absl::Status {
      CF_ASSIGN_OR_RETURN(const WorkerIdentity worker,
                          AuthenticateWorker(*ctx, d_.credentials, request->worker_instance()));
      base::FieldValidator v;
      v.Uuid("request_id", request->request_id());
      v.Check(!request->worker_instance().empty() && request->worker_instance().size() <= 128, "worker_instance",
              "must be 1-128 characters");
      const absl::Duration wait = kit::FromDuration(request->wait());
      v.Check(wait >= absl::ZeroDuration() && wait <= kMaxLeaseWait, "wait", "must be 0-30 seconds");
      CF_RETURN_IF_ERROR(v.status());
      CF_ASSIGN_OR_RETURN(const LeaseFilter filter, ParseCapabilities(request->capabilities()));
      const absl::Time deadline = absl::Now() + wait;
      for (;;) {
        const uint64_t seen = d_.lease_signal.Current();
        CF_ASSIGN_OR_RETURN(const std::optional<JobRecord> job,
                            d_.logic.Lease(worker, request->request_id(), filter));
        if (job) {
          d_.watches.Poke();
          FillAssignment(*job, d_.logic.rules(), response->mutable_assignment());
          return absl::OkStatus();
        }
        const absl::Time now = absl::Now();
        if (now >= deadline || ctx->IsCancelled()) break;
        d_.lease_signal.WaitPast(seen, std::min(kLeaseRecheck, deadline - now));
      }
      *response->mutable_retry_after() = kit::ToDuration(kRetryAfter);
      return absl::OkStatus();
    }();
    reactor->Finish(d_.runner.ClientStatus(*ctx, status));
  });
  if (!submitted.ok()) {
    // Every wait thread is busy: no job now, ask again shortly.
    *response->mutable_retry_after() = kit::ToDuration(kRetryAfter);
    reactor->Finish(grpc::Status::OK);
  }
  return reactor;
}

grpc::ServerUnaryReactor* WorkerServiceImpl::Heartbeat(grpc::CallbackServerContext* ctx,
                                                       const v1::HeartbeatRequest* request,
                                                       v1::HeartbeatResponse* response) {
  return WorkerCall(d_, ctx, "", [this, request, response](const WorkerIdentity& worker) -> absl::Status {
    base::FieldValidator v;
    v.Uuid("request_id", request->request_id());
    CF_RETURN_IF_ERROR(v.status());
    CF_RETURN_IF_ERROR(ValidateLeaseRef(request->job_id(), request->lease_epoch()));
    CF_ASSIGN_OR_RETURN(const LeaseState state,
                        d_.logic.Renew(worker, request->job_id(), request->lease_epoch(), std::nullopt, ""));
    *response->mutable_lease_expire_time() = kit::ToTimestamp(state.expires);
    response->set_cancel_requested(state.cancel_requested);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* WorkerServiceImpl::ReportProgress(grpc::CallbackServerContext* ctx,
                                                            const v1::ReportProgressRequest* request,
                                                            v1::ReportProgressResponse* response) {
  return WorkerCall(d_, ctx, "", [this, request, response](const WorkerIdentity& worker) -> absl::Status {
    CF_RETURN_IF_ERROR(ValidateProgress(*request));
    CF_ASSIGN_OR_RETURN(const LeaseState state, d_.logic.Renew(worker, request->job_id(), request->lease_epoch(),
                                                               request->percent(), request->stage()));
    *response->mutable_lease_expire_time() = kit::ToTimestamp(state.expires);
    response->set_cancel_requested(state.cancel_requested);
    d_.watches.Poke();
    return absl::OkStatus();
  });
}

grpc::ServerReadReactor<v1::UploadOutputRequest>* WorkerServiceImpl::UploadOutput(
    grpc::CallbackServerContext* ctx, v1::UploadOutputResponse* response) {
  return new OutputUpload(ctx, d_, response);
}

grpc::ServerWriteReactor<v1::DataChunk>* WorkerServiceImpl::DownloadInput(grpc::CallbackServerContext* ctx,
                                                                          const v1::DownloadInputRequest* request) {
  auto* writer = new kit::FileChunkWriter(ctx, d_.streams);
  const absl::Status submitted = d_.executor.Submit([this, ctx, writer, request] {
    const absl::Status status = [&]() -> absl::Status {
      CF_ASSIGN_OR_RETURN(const WorkerIdentity worker, AuthenticateWorker(*ctx, d_.credentials, ""));
      CF_RETURN_IF_ERROR(ValidateLeaseRef(request->job_id(), request->lease_epoch()));
      base::FieldValidator v;
      v.Check(kit::IsBlobName(request->sha256()), "sha256", "must be 64 lowercase hex characters");
      v.IntRange("offset", request->offset(), 0, int64_t{1} << 40);
      CF_RETURN_IF_ERROR(v.status());
      CF_ASSIGN_OR_RETURN(const JobRecord job, d_.logic.Leased(worker, request->job_id(), request->lease_epoch()));
      // The lease opens exactly the blobs its job reads, nothing else of
      // the store (a worker credential is not a key to every upload).
      for (const v1::BlobRef& input : LeaseInputs(job)) {
        if (input.sha256() != request->sha256()) continue;
        CF_ASSIGN_OR_RETURN(kit::BlobFile file, d_.blobs.Open(input.sha256()));
        writer->Send(std::move(file), request->offset(), 0, input.content_type(), input.sha256());
        return absl::OkStatus();
      }
      return absl::NotFoundError("sha256: not an input of this job");
    }();
    if (!status.ok()) writer->Fail(d_.runner.ClientStatus(*ctx, status));
  });
  if (!submitted.ok()) writer->Fail(d_.runner.ClientStatus(*ctx, submitted));
  return writer;
}

grpc::ServerUnaryReactor* WorkerServiceImpl::CompleteJob(grpc::CallbackServerContext* ctx,
                                                         const v1::CompleteJobRequest* request,
                                                         v1::CompleteJobResponse* response) {
  return WorkerCall(d_, ctx, "", [this, request, response](const WorkerIdentity& worker) -> absl::Status {
    base::FieldValidator v;
    v.Uuid("request_id", request->request_id());
    CF_RETURN_IF_ERROR(v.status());
    CF_RETURN_IF_ERROR(ValidateLeaseRef(request->job_id(), request->lease_epoch()));
    CF_RETURN_IF_ERROR(ValidateOutputs(request->outputs()));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(worker.credential_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const v1::JobStatus status, d_.logic.Complete(worker, key, request->job_id(),
                                                                      request->lease_epoch(),
                                                                      Completion{.outputs = request->outputs()}));
    response->set_status(status);
    d_.watches.Poke();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* WorkerServiceImpl::FailJob(grpc::CallbackServerContext* ctx,
                                                     const v1::FailJobRequest* request,
                                                     v1::FailJobResponse* response) {
  return WorkerCall(d_, ctx, "", [this, request, response](const WorkerIdentity& worker) -> absl::Status {
    base::FieldValidator v;
    v.Uuid("request_id", request->request_id());
    v.Check(request->code() > v1::GENERATION_FAILURE_CODE_UNSPECIFIED &&
                v1::GenerationFailureCode_IsValid(request->code()),
            "code", "a failure code is required");
    v.Check(request->message().size() <= 1000, "message", "at most 1000 characters");
    CF_RETURN_IF_ERROR(v.status());
    CF_RETURN_IF_ERROR(ValidateLeaseRef(request->job_id(), request->lease_epoch()));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(worker.credential_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const FailOutcome outcome,
                        d_.logic.Fail(worker, key, request->job_id(), request->lease_epoch(), request->code(),
                                      request->message(), request->retryable()));
    if (outcome.will_retry) d_.lease_signal.Notify();
    d_.watches.Poke();
    response->set_will_retry(outcome.will_retry);
    response->set_status(outcome.status);
    return absl::OkStatus();
  });
}

}  // namespace clipforge::generation_service
