// The generation service with what it owns (its pool, store, events, logic,
// the lease sweeper, WatchJob's poller and both gRPC adapters) and its
// flags: one wiring used by `clipforged serve` and the test server alike.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/generation/content_checks.h"
#include "services/generation/events.h"
#include "services/generation/job_creation.h"
#include "services/generation/job_logic.h"
#include "services/generation/job_watch.h"
#include "services/generation/lease_signal.h"
#include "services/generation/request_parsing.h"
#include "services/generation/service.h"
#include "services/generation/store.h"
#include "services/generation/worker_credentials.h"
#include "services/generation/worker_logic.h"
#include "services/generation/worker_service.h"
#include "services/kit/blob_http_server.h"
#include "services/kit/consumer_group.h"
#include "services/kit/nats_client.h"
#include "services/kit/grpc_server.h"
#include "services/kit/local_blob_store.h"
#include "services/kit/periodic.h"
#include "services/kit/pg_pool.h"
#include "services/kit/service_deps.h"
#include "services/kit/settings.h"
#include "services/kit/signed_url.h"

namespace clipforge::generation_service {

struct GenerationConfig {
  // Where outputs are stored (kit/local_blob_store.h); the --blob-dir flag.
  std::string blob_dir = "blobs";
  LeaseRules lease;
  JobRules jobs;
  // How often lapsed leases are looked for.
  absl::Duration sweep_interval = absl::Seconds(5);
  // LeaseJob long polls waiting at once on this instance.
  int lease_waiters = 16;
  // WatchJob streams at once on this instance, and how often they poll.
  int max_watch_streams = 10000;
  absl::Duration watch_poll_interval = absl::Milliseconds(250);
  // When set, a worker credential for a local worker is kept in this file
  // (created, 0600, when absent or no longer valid): scripts/run's worker.
  std::string local_worker_credential_file;
  RendererCatalog renderers{{{"procedural-1", "1.0.0"}}};
  // Signed media URLs: the HMAC key's file (created 0600 when absent;
  // empty: GetSignedUrl is FAILED_PRECONDITION), where this instance
  // serves them ("host:port", port 0 picks one; empty: not here), and the
  // URLs' origin (empty: http:// and the served address).
  std::string media_url_key_file;
  std::string media_http_addr;
  std::string media_url_base;
  // Each API key's rate on this instance, and how long a revoke may take
  // to reach it.
  ApiKeyLimits api_keys;
};

class GenerationComponent {
 public:
  // The flags only the generation service reads (`clipforged serve --help`).
  static std::vector<kit::SettingSpec> Flags();
  static absl::StatusOr<GenerationConfig> ConfigFrom(const kit::Settings& settings);

  // `checks` (moderation) and `deps` must outlive the component.
  // INVALID_ARGUMENT when the database URL is missing.
  // `nats` (may be null: then jobs that wait for review wait until a
  // process with it applies the decision) brings moderators' decisions.
  // `remixes` (may be null: then remixes are refused) tells about the
  // clips jobs remix.
  static absl::StatusOr<std::unique_ptr<GenerationComponent>> Create(const kit::ServiceDatabase& database,
                                                                     const GenerationConfig& config,
                                                                     kit::ServiceDeps deps, ContentChecks& checks,
                                                                     RemixSource* remixes, kit::NatsClient* nats);
  ~GenerationComponent();

  std::vector<kit::HostedService> hosted();
  GenerationStore& store() { return store_; }
  JobLogic& jobs() { return jobs_; }
  // CreateJob's whole path, for in-process callers.
  JobCreation& creation() { return creation_; }
  WorkerLogic& workers() { return workers_; }
  const kit::BlobStore& blobs() const { return blobs_; }
  // How this instance signs media URLs (no signer when not configured).
  const kit::MediaUrls& media_urls() const { return media_urls_; }
  // The media HTTP server's port (0 when it does not run here).
  int media_http_port() const { return media_http_ ? media_http_->port() : 0; }

 private:
  GenerationComponent(const kit::ServiceDatabase& database, const GenerationConfig& config, kit::ServiceDeps deps,
                      ContentChecks& checks, RemixSource* remixes);
  // Loads the URL key and starts the media HTTP server as configured.
  absl::Status StartMediaUrls(const base::Clock& clock);
  void SweepLeases();

  const GenerationConfig config_;
  kit::Logger& logger_;
  kit::PgPool pool_;
  PgGenerationStore store_;
  GenerationEvents events_;
  JobLogic jobs_;
  WorkerLogic workers_;
  WorkerCredentialVerifier credentials_;
  // GenerationService's gate takes access tokens and this service's API
  // keys; its calls run through a runner with that gate.
  ApiKeyVerifier api_key_verifier_;
  kit::AuthGate auth_;
  kit::CallRunner runner_;
  ApiKeyLogic api_keys_;
  kit::LocalBlobStore blobs_;
  std::optional<kit::UrlSigner> url_signer_;
  std::unique_ptr<kit::BlobHttpServer> media_http_;
  MediaUrls media_urls_;
  LeaseSignal lease_signal_;
  JobWatchHub watches_;
  kit::BlockingExecutor lease_waits_;
  JobCreation creation_;
  GenerationServiceImpl service_;
  WorkerServiceImpl worker_service_;
  // Last: it stops before what it calls goes.
  kit::Periodic sweeper_;
  // The bus consumers (review decisions, account deletions), each on a
  // thread of its own (stopped first).
  kit::ConsumerGroup consumers_;
};

// Keeps a valid worker credential in `path` for a worker on this machine:
// the one there when it still verifies, else a new one (named
// "local-<id prefix>") written with mode 0600.
absl::Status EnsureLocalWorkerCredential(GenerationStore& store, WorkerCredentialVerifier& verifier,
                                         base::UuidV7Generator& ids, base::RandomSource& random,
                                         const base::Clock& clock, const std::string& path);

}  // namespace clipforge::generation_service
