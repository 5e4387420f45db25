// The GenerationService gRPC adapter: validate, convert, call the logic,
// convert. Every RPC needs an access token or an API key (the gate in
// `runner` takes both; the key RPCs refuse keys); a user sees only their
// jobs.
#pragma once

#include "clipforge/v1/generation.grpc.pb.h"
#include "services/generation/api_key_logic.h"
#include "services/generation/api_key_verifier.h"
#include "services/generation/job_creation.h"
#include "services/generation/job_logic.h"
#include "services/generation/job_watch.h"
#include "services/generation/request_parsing.h"
#include "services/kit/blob_store.h"
#include "services/kit/call_runner.h"
#include "services/kit/chunk_writer.h"
#include "services/kit/signed_url.h"

namespace clipforge::generation_service {

// How GetSignedUrl makes URLs: signer null when none is configured.
using MediaUrls = kit::MediaUrls;

// What the adapter borrows; none of it owned.
struct GenerationServiceDeps {
  JobLogic& jobs;
  JobCreation& creation;
  ContentChecks& checks;  // the media filter on uploaded images
  ApiKeyLogic& api_keys;
  ApiKeyVerifier& api_key_verifier;
  JobWatchHub& watches;
  const kit::BlobStore& blobs;
  const MediaUrls& media_urls;
  const base::Clock& clock;
  const kit::AuthGate& auth;
  kit::CallRunner& runner;
  kit::BlockingExecutor& executor;
  kit::ChunkStreamOptions streams;
};

class GenerationServiceImpl final : public v1::GenerationService::CallbackService {
 public:
  explicit GenerationServiceImpl(GenerationServiceDeps deps) : d_(deps) {}

  grpc::ServerUnaryReactor* CreateJob(grpc::CallbackServerContext*, const v1::CreateJobRequest*,
                                      v1::GenerationJob*) override;
  grpc::ServerUnaryReactor* GetJob(grpc::CallbackServerContext*, const v1::GetJobRequest*,
                                   v1::GenerationJob*) override;
  grpc::ServerUnaryReactor* ListJobs(grpc::CallbackServerContext*, const v1::ListJobsRequest*,
                                     v1::ListJobsResponse*) override;
  grpc::ServerUnaryReactor* CancelJob(grpc::CallbackServerContext*, const v1::CancelJobRequest*,
                                      v1::GenerationJob*) override;
  grpc::ServerUnaryReactor* DeleteJob(grpc::CallbackServerContext*, const v1::DeleteJobRequest*,
                                      google::protobuf::Empty*) override;
  grpc::ServerWriteReactor<v1::WatchJobResponse>* WatchJob(grpc::CallbackServerContext*,
                                                           const v1::WatchJobRequest*) override;
  grpc::ServerWriteReactor<v1::DataChunk>* DownloadContent(grpc::CallbackServerContext*,
                                                           const v1::DownloadContentRequest*) override;
  grpc::ServerUnaryReactor* GetSignedUrl(grpc::CallbackServerContext*, const v1::GetSignedUrlRequest*,
                                         v1::SignedUrl*) override;
  grpc::ServerReadReactor<v1::UploadMediaRequest>* UploadMedia(grpc::CallbackServerContext*,
                                                               v1::UploadMediaResponse*) override;
  grpc::ServerUnaryReactor* CreateApiKey(grpc::CallbackServerContext*, const v1::CreateApiKeyRequest*,
                                         v1::CreateApiKeyResponse*) override;
  grpc::ServerUnaryReactor* ListApiKeys(grpc::CallbackServerContext*, const v1::ListApiKeysRequest*,
                                        v1::ListApiKeysResponse*) override;
  grpc::ServerUnaryReactor* RevokeApiKey(grpc::CallbackServerContext*, const v1::RevokeApiKeyRequest*,
                                         v1::ApiKey*) override;

 private:
  GenerationServiceDeps d_;
};

// The output of `outputs` a download names (UNSPECIFIED: the video).
const v1::BlobRef& OutputOf(const v1::JobOutputs& outputs, v1::ContentVariant variant);

}  // namespace clipforge::generation_service
