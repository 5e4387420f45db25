#include "services/generation/service.h"

#include "base/status_macros.h"
#include "base/validation.h"
#include "services/generation/convert.h"
#include "services/generation/media_upload.h"
#include "services/kit/idempotency.h"
#include "services/kit/media_url.h"
#include "services/kit/proto_time.h"

namespace clipforge::generation_service {
namespace {

absl::Status ValidateJobId(const std::string& job_id) {
  base::FieldValidator v;
  v.Uuid("job_id", job_id);
  return v.status();
}

}  // namespace

const v1::BlobRef& OutputOf(const v1::JobOutputs& outputs, v1::ContentVariant variant) {
  switch (variant) {
    case v1::CONTENT_VARIANT_THUMBNAIL: return outputs.thumbnail();
    case v1::CONTENT_VARIANT_SPRITESHEET: return outputs.spritesheet();
    case v1::CONTENT_VARIANT_PROVENANCE: return outputs.provenance();
    default: return outputs.video();
  }
}

grpc::ServerUnaryReactor* GenerationServiceImpl::CreateJob(grpc::CallbackServerContext* ctx,
                                                           const v1::CreateJobRequest* request,
                                                           v1::GenerationJob* response) {
  CheckOnBehalf who{.authorization = kit::AuthorizationOf(*ctx)};
  return d_.runner.Authenticated(ctx, [this, request, response, who](const kit::Caller& caller) mutable
                                 -> absl::Status {
    who.user_id = caller.user_id;
    // An API key's secret goes no further than this service (no other
    // service would take it anyway).
    if (!caller.api_key_id.empty()) who.authorization.clear();
    CF_ASSIGN_OR_RETURN(const JobView view, d_.creation.Create(caller, who, *request));
    FillJob(view, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* GenerationServiceImpl::GetJob(grpc::CallbackServerContext* ctx,
                                                        const v1::GetJobRequest* request,
                                                        v1::GenerationJob* response) {
  return d_.runner.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(ValidateJobId(request->job_id()));
    CF_ASSIGN_OR_RETURN(const JobView view, d_.jobs.Get(caller, request->job_id()));
    FillJob(view, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* GenerationServiceImpl::ListJobs(grpc::CallbackServerContext* ctx,
                                                          const v1::ListJobsRequest* request,
                                                          v1::ListJobsResponse* response) {
  return d_.runner.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const JobListing listing, ParseListJobs(*request));
    CF_ASSIGN_OR_RETURN(const JobPage page, d_.jobs.List(caller, listing.statuses, listing.cursor, listing.page_size));
    for (const JobRecord& job : page.jobs) FillJob(JobView{.job = job}, response->add_jobs());
    if (page.next) response->set_next_page_token(JobPageToken(*page.next));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* GenerationServiceImpl::CancelJob(grpc::CallbackServerContext* ctx,
                                                           const v1::CancelJobRequest* request,
                                                           v1::GenerationJob* response) {
  return d_.runner.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    base::FieldValidator v;
    v.Uuid("request_id", request->request_id()).Uuid("job_id", request->job_id());
    CF_RETURN_IF_ERROR(v.status());
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const JobView view, d_.jobs.Cancel(caller, key, request->job_id()));
    d_.watches.Poke();
    FillJob(view, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* GenerationServiceImpl::DeleteJob(grpc::CallbackServerContext* ctx,
                                                           const v1::DeleteJobRequest* request,
                                                           google::protobuf::Empty*) {
  return d_.runner.Authenticated(ctx, [this, request](const kit::Caller& caller) -> absl::Status {
    base::FieldValidator v;
    v.Uuid("request_id", request->request_id()).Uuid("job_id", request->job_id());
    CF_RETURN_IF_ERROR(v.status());
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    return d_.jobs.Delete(caller, key, request->job_id());
  });
}

grpc::ServerWriteReactor<v1::WatchJobResponse>* GenerationServiceImpl::WatchJob(grpc::CallbackServerContext* ctx,
                                                                                const v1::WatchJobRequest* request) {
  auto* stream = new JobWatchStream(ctx, d_.watches, d_.streams.write_timeout);
  absl::StatusOr<kit::Caller> caller = d_.auth.Authenticate(*ctx);
  if (!caller.ok()) {
    stream->Fail(d_.runner.ClientStatus(*ctx, caller.status()));
    return stream;
  }
  const absl::Status submitted = d_.executor.Submit([this, ctx, stream, request, caller = *std::move(caller)] {
    const absl::Status valid = ValidateJobId(request->job_id());
    absl::StatusOr<JobView> view = valid.ok() ? d_.jobs.Get(caller, request->job_id()) : valid;
    if (!view.ok()) {
      stream->Fail(d_.runner.ClientStatus(*ctx, view.status()));
      return;
    }
    stream->Start(*view);
  });
  if (!submitted.ok()) stream->Fail(d_.runner.ClientStatus(*ctx, submitted));
  return stream;
}

grpc::ServerWriteReactor<v1::DataChunk>* GenerationServiceImpl::DownloadContent(
    grpc::CallbackServerContext* ctx, const v1::DownloadContentRequest* request) {
  auto* writer = new kit::FileChunkWriter(ctx, d_.streams);
  absl::StatusOr<kit::Caller> caller = d_.auth.Authenticate(*ctx);
  if (!caller.ok()) {
    writer->Fail(d_.runner.ClientStatus(*ctx, caller.status()));
    return writer;
  }
  const absl::Status submitted = d_.executor.Submit([this, ctx, writer, request, caller = *std::move(caller)] {
    const auto fail = [&](const absl::Status& status) { writer->Fail(d_.runner.ClientStatus(*ctx, status)); };
    base::FieldValidator v;
    v.Uuid("job_id", request->job_id());
    v.IntRange("offset", request->offset(), 0, int64_t{1} << 40);
    v.IntRange("length", request->length(), 0, int64_t{1} << 40);
    v.Check(v1::ContentVariant_IsValid(request->variant()), "variant", "unknown value");
    if (!v.status().ok()) return fail(v.status());
    absl::StatusOr<JobView> view = d_.jobs.Get(caller, request->job_id());
    if (!view.ok()) return fail(view.status());
    if (view->job.status != v1::JOB_STATUS_COMPLETED || !view->job.outputs) {
      return fail(absl::FailedPreconditionError("job_id: the job is not completed"));
    }
    const v1::BlobRef& blob = OutputOf(*view->job.outputs, request->variant());
    if (blob.sha256().empty()) return fail(absl::NotFoundError("variant: this job has no such output"));
    absl::StatusOr<kit::BlobFile> file = d_.blobs.Open(blob.sha256());
    if (absl::IsNotFound(file.status())) return fail(absl::NotFoundError("variant: the output is no longer stored"));
    if (!file.ok()) return fail(file.status());
    writer->Send(*std::move(file), request->offset(), request->length(), blob.content_type(), blob.sha256());
  });
  if (!submitted.ok()) writer->Fail(d_.runner.ClientStatus(*ctx, submitted));
  return writer;
}

grpc::ServerUnaryReactor* GenerationServiceImpl::GetSignedUrl(grpc::CallbackServerContext* ctx,
                                                              const v1::GetSignedUrlRequest* request,
                                                              v1::SignedUrl* response) {
  return d_.runner.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    base::FieldValidator v;
    v.Uuid("job_id", request->job_id());
    v.Check(v1::ContentVariant_IsValid(request->variant()), "variant", "unknown value");
    const absl::Duration ttl = request->has_ttl() ? kit::FromDuration(request->ttl()) : absl::Hours(1);
    v.Check(ttl >= absl::Seconds(60) && ttl <= absl::Hours(24), "ttl", "must be 60 seconds to 24 hours");
    CF_RETURN_IF_ERROR(v.status());
    if (d_.media_urls.signer == nullptr) {
      return absl::FailedPreconditionError("signed URLs are not configured on this server; use DownloadContent");
    }
    CF_ASSIGN_OR_RETURN(const JobView view, d_.jobs.Get(caller, request->job_id()));
    if (view.job.status != v1::JOB_STATUS_COMPLETED || !view.job.outputs) {
      return absl::FailedPreconditionError("job_id: the job is not completed");
    }
    const v1::BlobRef& blob = OutputOf(*view.job.outputs, request->variant());
    if (blob.sha256().empty()) return absl::NotFoundError("variant: this job has no such output");
    CF_ASSIGN_OR_RETURN(*response, kit::SignBlobUrl(d_.media_urls, blob, d_.clock.Now() + ttl));
    return absl::OkStatus();
  });
}

grpc::ServerReadReactor<v1::UploadMediaRequest>* GenerationServiceImpl::UploadMedia(
    grpc::CallbackServerContext* ctx, v1::UploadMediaResponse* response) {
  return new MediaUpload(ctx, d_, response);
}

grpc::ServerUnaryReactor* GenerationServiceImpl::CreateApiKey(grpc::CallbackServerContext* ctx,
                                                              const v1::CreateApiKeyRequest* request,
                                                              v1::CreateApiKeyResponse* response) {
  return d_.runner.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    base::FieldValidator v;
    v.Uuid("request_id", request->request_id());
    v.Text("name", request->name(), base::TextRule{.min_chars = 1, .max_chars = 64});
    v.IntRange("daily_seconds", request->daily_seconds(), 0, 86400);
    CF_RETURN_IF_ERROR(v.status());
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(CreatedApiKey created,
                        d_.api_keys.Create(caller, key, {.name = request->name(),
                                                         .daily_seconds = request->daily_seconds()}));
    FillApiKey(created.key, response->mutable_api_key());
    response->set_key(std::move(created.text));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* GenerationServiceImpl::ListApiKeys(grpc::CallbackServerContext* ctx,
                                                             const v1::ListApiKeysRequest* request,
                                                             v1::ListApiKeysResponse* response) {
  return d_.runner.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const std::vector<ApiKeyRecord> keys, d_.api_keys.List(caller, request->include_revoked()));
    for (const ApiKeyRecord& key : keys) FillApiKey(key, response->add_api_keys());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* GenerationServiceImpl::RevokeApiKey(grpc::CallbackServerContext* ctx,
                                                              const v1::RevokeApiKeyRequest* request,
                                                              v1::ApiKey* response) {
  return d_.runner.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    base::FieldValidator v;
    v.Uuid("request_id", request->request_id()).Uuid("key_id", request->key_id());
    CF_RETURN_IF_ERROR(v.status());
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const ApiKeyRecord revoked, d_.api_keys.Revoke(caller, key, request->key_id()));
    // Other instances notice within the verifier's ttl; this one at once.
    d_.api_key_verifier.Forget(revoked.key_id);
    FillApiKey(revoked, response);
    return absl::OkStatus();
  });
}

}  // namespace clipforge::generation_service
