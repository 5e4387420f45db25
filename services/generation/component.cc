#include "services/generation/component.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/status_macros.h"
#include "services/generation/account_deletions.h"
#include "services/generation/review_decisions.h"

namespace clipforge::generation_service {
namespace {

absl::Status WriteSecretFile(const std::string& path, const std::string& contents) {
  std::error_code error;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, error);
  const std::string temporary = absl::StrCat(path, ".tmp");
  const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::PermissionDeniedError(absl::StrCat("cannot write ", temporary));
  const std::string line = absl::StrCat(contents, "\n");
  const bool written = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && fsync(fd) == 0;
  close(fd);
  if (!written) return absl::InternalError(absl::StrCat("cannot write ", temporary));
  std::filesystem::rename(temporary, path, error);
  if (error) return absl::InternalError(absl::StrCat("cannot move ", temporary, " into place"));
  return absl::OkStatus();
}

// The gate's view of the API key verifier.
class ApiKeyTokens final : public kit::TokenVerifier {
 public:
  explicit ApiKeyTokens(const ApiKeyVerifier& keys) : keys_(keys) {}
  absl::StatusOr<kit::Caller> Verify(absl::string_view token) const override { return keys_.Verify(token); }

 private:
  const ApiKeyVerifier& keys_;
};

// The bus events this service applies: moderators' decisions on prompts
// held for review, and deleted accounts.
struct ConsumerSpec {
  kit::ConsumerOptions (*options)();
  kit::EventHandler (*handler)(JobLogic&);
};
constexpr ConsumerSpec kConsumers[] = {{ReviewDecisionsConsumer, ReviewDecisionHandler},
                                       {AccountDeletionsConsumer, AccountDeletionHandler}};

// The store's statements and the consumers'.
std::vector<kit::PreparedStatement> AllStatements() {
  std::vector<kit::PreparedStatement> statements = PgGenerationStore::Statements();
  for (const ConsumerSpec& consumer : kConsumers) {
    for (kit::PreparedStatement& s : kit::EventConsumer::Statements(consumer.options())) {
      statements.push_back(std::move(s));
    }
  }
  return statements;
}

}  // namespace

GenerationComponent::~GenerationComponent() { consumers_.Stop(); }

std::vector<kit::SettingSpec> GenerationComponent::Flags() {
  return {
      {"generation-lease", "30s", "how long a worker's lease on a job lasts without a heartbeat"},
      {"generation-max-attempts", "3", "attempts a generation job gets (lapsed leases and retryable failures)"},
      {"generation-sweep-interval", "5s", "how often lapsed worker leases are looked for"},
      {"generation-lease-waiters", "16", "LeaseJob long polls that may wait at once on this instance"},
      {"generation-local-worker-credential", "",
       "keep a worker credential for a local `clipforged worker` in this file (created 0600 when absent)"},
      {"media-url-key-file", "",
       "the HMAC key of signed media URLs (32 random bytes, created 0600 when absent); every instance serving "
       "or signing URLs needs the same file; empty: GetSignedUrl is refused"},
      {"media-http-addr", "",
       "where this instance serves signed media URLs over HTTP with Range (host:port; empty: not here)"},
      {"media-url-base", "",
       "the origin signed URLs name, e.g. https://media.example.com (empty: http://<media-http-addr>)"},
      {"generation-api-key-rate", "120",
       "calls a minute one API key may make to the generation API on this instance (bursts of a quarter)"},
  };
}

absl::StatusOr<GenerationConfig> GenerationComponent::ConfigFrom(const kit::Settings& s) {
  GenerationConfig config;
  config.blob_dir = s.Get("blob-dir");
  if (config.blob_dir.empty()) return absl::InvalidArgumentError("--blob-dir must name a directory");
  CF_ASSIGN_OR_RETURN(config.lease.lease_length, s.GetDuration("generation-lease"));
  if (config.lease.lease_length < absl::Seconds(3)) {
    return absl::InvalidArgumentError("--generation-lease must be at least 3s");
  }
  config.lease.heartbeat_interval = config.lease.lease_length / 3;
  CF_ASSIGN_OR_RETURN(const int64_t attempts, s.GetInt("generation-max-attempts", 1, 10));
  config.jobs.max_attempts = static_cast<int32_t>(attempts);
  CF_ASSIGN_OR_RETURN(config.sweep_interval, s.GetDuration("generation-sweep-interval"));
  if (config.sweep_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--generation-sweep-interval must be positive");
  }
  CF_ASSIGN_OR_RETURN(const int64_t waiters, s.GetInt("generation-lease-waiters", 1, 1024));
  config.lease_waiters = static_cast<int>(waiters);
  config.local_worker_credential_file = s.Get("generation-local-worker-credential");
  config.media_url_key_file = s.Get("media-url-key-file");
  config.media_http_addr = s.Get("media-http-addr");
  config.media_url_base = s.Get("media-url-base");
  CF_ASSIGN_OR_RETURN(const int64_t key_rate, s.GetInt("generation-api-key-rate", 1, 100000));
  config.api_keys.calls_per_minute = static_cast<double>(key_rate);
  config.api_keys.burst = std::max(1.0, static_cast<double>(key_rate) / 4);
  if (!config.media_http_addr.empty() && config.media_url_key_file.empty()) {
    return absl::InvalidArgumentError("--media-http-addr needs --media-url-key-file (the URLs' key)");
  }
  return config;
}

absl::StatusOr<std::unique_ptr<GenerationComponent>> GenerationComponent::Create(const kit::ServiceDatabase& database,
                                                                                 const GenerationConfig& config,
                                                                                 kit::ServiceDeps deps,
                                                                                 ContentChecks& checks,
                                                                                 RemixSource* remixes,
                                                                                 kit::NatsClient* nats) {
  if (database.url.empty()) {
    return absl::InvalidArgumentError("--database-url is required to run the generation service");
  }
  std::unique_ptr<GenerationComponent> component(new GenerationComponent(database, config, deps, checks, remixes));
  CF_RETURN_IF_ERROR(component->StartMediaUrls(deps.clock));
  if (nats != nullptr) {
    for (const ConsumerSpec& spec : kConsumers) {
      CF_RETURN_IF_ERROR(component->consumers_.Start(component->pool_, *nats, spec.options(),
                                                     spec.handler(component->jobs_), deps.logger));
    }
  }
  if (!config.local_worker_credential_file.empty()) {
    CF_RETURN_IF_ERROR(EnsureLocalWorkerCredential(component->store_, component->credentials_, deps.ids,
                                                   deps.random, deps.clock, config.local_worker_credential_file));
  }
  return component;
}

GenerationComponent::GenerationComponent(const kit::ServiceDatabase& database, const GenerationConfig& config,
                                         kit::ServiceDeps deps, ContentChecks& checks, RemixSource* remixes)
    : config_(config),
      logger_(deps.logger),
      pool_({.dsn = database.url,
             .size = database.pool_size,
             .role = "cf_generation",
             .statement_timeout = database.statement_timeout,
             .statements = AllStatements()}),
      store_(pool_),
      events_(deps.events),
      jobs_(store_, deps.clock, deps.ids, events_, checks, config.jobs),
      workers_(store_, deps.clock, events_, checks, config.lease),
      credentials_(store_, deps.clock),
      api_key_verifier_(store_, deps.clock, config.api_keys),
      auth_(deps.auth.With(std::string(kApiKeyPrefix), std::make_shared<ApiKeyTokens>(api_key_verifier_))),
      runner_(deps.executor, auth_, deps.logger),
      api_keys_(store_, deps.clock, deps.ids, deps.random),
      blobs_(config.blob_dir),
      watches_(store_, config.watch_poll_interval, static_cast<size_t>(config.max_watch_streams)),
      lease_waits_(static_cast<size_t>(config.lease_waiters), 0),
      creation_(jobs_, remixes, config_.renderers, deps.random, lease_signal_),
      service_({.jobs = jobs_,
                .creation = creation_,
                .checks = checks,
                .api_keys = api_keys_,
                .api_key_verifier = api_key_verifier_,
                .watches = watches_,
                .blobs = blobs_,
                .media_urls = media_urls_,
                .clock = deps.clock,
                .auth = auth_,
                .runner = runner_,
                .executor = deps.executor,
                .streams = {.write_timeout = deps.stream_write_timeout}}),
      worker_service_({.logic = workers_,
                       .credentials = credentials_,
                       .lease_signal = lease_signal_,
                       .watches = watches_,
                       .blobs = blobs_,
                       .runner = deps.runner,
                       .executor = deps.executor,
                       .lease_waits = lease_waits_,
                       .streams = {.write_timeout = deps.stream_write_timeout}}),
      sweeper_(config.sweep_interval, [this] { SweepLeases(); }) {}

absl::Status GenerationComponent::StartMediaUrls(const base::Clock& clock) {
  if (config_.media_url_key_file.empty()) return absl::OkStatus();
  absl::StatusOr<kit::UrlSigner> signer = kit::LoadOrCreateUrlSigner(config_.media_url_key_file);
  if (!signer.ok()) {
    return absl::Status(signer.status().code(), absl::StrCat("--media-url-key-file: ", signer.status().message()));
  }
  url_signer_.emplace(*std::move(signer));
  media_urls_.signer = &*url_signer_;
  media_urls_.base = config_.media_url_base;
  if (config_.media_http_addr.empty()) return absl::OkStatus();
  const size_t colon = config_.media_http_addr.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(config_.media_http_addr.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError("--media-http-addr must be host:port");
  }
  const std::string host = config_.media_http_addr.substr(0, colon);
  media_http_ = std::make_unique<kit::BlobHttpServer>(*url_signer_, blobs_, clock,
                                                      kit::BlobHttpServerOptions{.logger = &logger_});
  CF_RETURN_IF_ERROR(media_http_->Start(host, port));
  if (media_urls_.base.empty()) media_urls_.base = absl::StrCat("http://", host, ":", media_http_->port());
  logger_.Info("media_urls_serving", {{"addr", absl::StrCat(host, ":", media_http_->port())}});
  return absl::OkStatus();
}

std::vector<kit::HostedService> GenerationComponent::hosted() {
  return {{std::string(v1::GenerationService::service_full_name()), &service_},
          {std::string(v1::WorkerService::service_full_name()), &worker_service_}};
}

void GenerationComponent::SweepLeases() {
  absl::StatusOr<int> handled = workers_.ExpireLeases();
  if (!handled.ok()) {
    logger_.Warn("lease_sweep_failed", {{"error", handled.status().message()}});
  } else if (*handled > 0) {
    logger_.Info("leases_expired", {{"jobs", static_cast<int64_t>(*handled)}});
    lease_signal_.Notify();
  }
}

absl::Status EnsureLocalWorkerCredential(GenerationStore& store, WorkerCredentialVerifier& verifier,
                                         base::UuidV7Generator& ids, base::RandomSource& random,
                                         const base::Clock& clock, const std::string& path) {
  std::ifstream in(path);
  if (in) {
    std::stringstream contents;
    contents << in.rdbuf();
    if (verifier.Verify(absl::StripAsciiWhitespace(contents.str())).ok()) return absl::OkStatus();
  }
  const std::string id_prefix = ids.Next().substr(24);
  CF_ASSIGN_OR_RETURN(const IssuedCredential issued,
                      IssueWorkerCredential(store, ids, random, clock, absl::StrCat("local-", id_prefix)));
  return WriteSecretFile(path, issued.credential);
}

}  // namespace clipforge::generation_service
