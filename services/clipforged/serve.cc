// `clipforged serve`: wires the kit and the selected services together, then
// waits for SIGINT/SIGTERM and shuts down gracefully.
#include <signal.h>
#include <sodium.h>

#include <atomic>
#include <optional>
#include <cstdio>
#include <thread>

#include "absl/strings/str_join.h"
#include "services/clipforged/auth_setup.h"
#include "services/clipforged/commands.h"
#include "services/clipforged/flags.h"
#include "services/clipforged/service_catalog.h"
#include "services/clipforged/tls_setup.h"
#include "services/kit/compute_slots.h"
#include "services/kit/grpc_server.h"
#include "services/kit/keyring_token_verifier.h"
#include "services/kit/logger.h"
#include "services/kit/metrics.h"
#include "services/kit/open_file_limit.h"
#include "services/kit/outbox_relay.h"
#include "services/kit/pg_pool.h"
#include "services/kit/revocation_listener.h"
#include "services/kit/revocation_set.h"
#include "services/kit/memory_trimmer.h"
#include "services/kit/readiness.h"
#include "services/kit/service_deps.h"
#include "services/clips/component.h"
#include "services/clips/local_job_source.h"
#include "services/clips/local_provenance_reader.h"
#include "services/clips/local_remix_source.h"
#include "services/clips/local_text_filter.h"
#include "services/feed/component.h"
#include "services/tipping/component.h"
#include "services/generation/component.h"
#include "services/generation/local_moderation.h"
#include "services/moderation/component.h"
#include "services/users/component.h"
#include "base/status_macros.h"
#include "base/random.h"

namespace clipforge::clipforged {
namespace {

std::vector<kit::SettingSpec> ServeSpecs() {
  return {
      {"services", "all", "services to host: all, or a comma-separated list of users, "
                          "generation, clips, feed, tipping, moderation, party, relay"},
      {"grpc-addr", "127.0.0.1:50051", "gRPC listen address (host:port)"},
      {"tls-cert-file", "", "PEM certificate chain: serve gRPC over TLS (with --tls-key-file)"},
      {"tls-key-file", "", "PEM private key of --tls-cert-file (mode 0600)"},
      {"metrics-addr", "127.0.0.1:9464", "Prometheus /metrics listen address (host:port)"},
      DatabaseUrlSpec(),
      {"nats-url", "nats://127.0.0.1:4222", "NATS server URL (JetStream enabled)"},
      {"db-statement-timeout", "5s", "statement_timeout on every database connection"},
      {"max-receive-bytes", "4194304", "largest request message accepted (bytes)"},
      {"max-unary-deadline", "30s", "server-side cap on a unary call's deadline"},
      {"max-stream-deadline", "15m", "server-side cap on a streaming call's deadline"},
      {"malloc-trim-interval", "10s", "how often freed heap memory (over 32 MiB) is given back to the system; 0: never"},
      {"readiness-threshold", "5s", "a service reports NOT_SERVING once Postgres or NATS has been unreachable this long"},
      {"stream-write-timeout", "30s", "a server-stream message the client has not taken this long ends the call"},
      {"shutdown-grace", "10s", "time in-flight calls get to finish on SIGTERM"},
      {"max-concurrent-streams", "100", "HTTP/2 streams one client connection may have open at once"},
      {"max-connection-idle", "5m", "a client connection with no call open this long is closed"},
      {"max-connection-age", "30m", "every client connection is asked to go away after this long"},
      {"max-connection-age-grace", "1m", "time an aged connection's open calls get to finish"},
      {"grpc-memory-quota", "1073741824", "bytes the gRPC transport may hold in buffers and streams"},
      {"grpc-max-threads", "256", "threads the gRPC transport may run (reflection and other sync handlers)"},
      {"reflection", "false", "serve gRPC server reflection (a map of every method: for local tools like grpcurl)"},
      {"outbox-retention", "10m", "how long published outbox rows are kept for redrive"},
      {"relay-batch-size", "2000", "outbox rows the relay publishes per batch"},
      {"token-signing-key-file", "", "access-token signing key (users service); create with `clipforged keys generate`",
       /*secret=*/true},
      {"token-verify-keys", "", "extra public keys that verify access tokens: comma-separated cf-ed25519-pub:KID:KEY "
                                "(older signing keys during rotation, or the users service's key in other pods)"},
      {"db-pool-size", "8", "database connections per service (and blocking-executor threads)"},
      {"executor-queue", "256", "blocking work allowed to wait beyond the running threads before RESOURCE_EXHAUSTED"},
      {"compute-slots", "0", "CPU-heavy sections (password hashing) run at once; 0: one per usable CPU"},
      {"compute-pin", "true", "run each CPU-heavy section pinned to its slot's CPU"},
      {"compute-queue", "256", "calls doing CPU-heavy work (password checks) allowed to wait beyond the running "
                               "ones before RESOURCE_EXHAUSTED; they wait apart from other calls"},
      {"trusted-proxies", "", "comma-separated networks (CIDR) of the proxies in front (ingress, edge): only "
                              "their x-forwarded-for names the client; empty trusts none"},
      {"log-level", "info", "debug, info, warn or error"},
  };
}

// The generic flags, then each service's own.
std::vector<kit::SettingSpec> AllServeSpecs() {
  std::vector<kit::SettingSpec> specs = ServeSpecs();
  for (kit::SettingSpec& spec : users::UsersComponent::Flags()) specs.push_back(std::move(spec));
  for (kit::SettingSpec& spec : moderation_service::ModerationComponent::Flags()) specs.push_back(std::move(spec));
  for (kit::SettingSpec& spec : generation_service::GenerationComponent::Flags()) specs.push_back(std::move(spec));
  for (kit::SettingSpec& spec : clips_service::ClipsComponent::Flags()) specs.push_back(std::move(spec));
  for (kit::SettingSpec& spec : feed_service::FeedComponent::Flags()) specs.push_back(std::move(spec));
  for (kit::SettingSpec& spec : tipping_service::TippingComponent::Flags()) specs.push_back(std::move(spec));
  return specs;
}

struct ServeConfig {
  std::set<std::string> services;
  kit::GrpcServerOptions grpc;
  std::string metrics_addr;
  std::string database_url;
  std::string nats_url;
  absl::Duration statement_timeout;
  absl::Duration shutdown_grace;
  absl::Duration stream_write_timeout;
  kit::MemoryTrimmerOptions memory_trim;
  kit::ReadinessOptions readiness;
  kit::RelayOptions relay;
  kit::LogLevel log_level = kit::LogLevel::kInfo;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string token_signing_key_file;
  std::string token_verify_keys;
  int db_pool_size = 8;
  int executor_queue = 256;
  kit::ComputeSlotsOptions compute;
  users::UsersConfig users;
  moderation_service::ModerationConfig moderation;
  generation_service::GenerationConfig generation;
  clips_service::ClipsConfig clips;
  feed_service::FeedConfig feed;
  tipping_service::TippingConfig tipping;
  kit::ClientAddresses addresses;
  int compute_queue = 256;
};

absl::StatusOr<ServeConfig> ConfigFrom(const kit::Settings& s) {
  ServeConfig c;
  CF_ASSIGN_OR_RETURN(c.services, ParseServiceList(s.Get("services")));
  c.grpc.address = s.Get("grpc-addr");
  c.metrics_addr = s.Get("metrics-addr");
  c.database_url = s.Get("database-url");
  c.nats_url = s.Get("nats-url");
  CF_ASSIGN_OR_RETURN(c.statement_timeout, s.GetDuration("db-statement-timeout"));
  CF_ASSIGN_OR_RETURN(const int64_t max_bytes, s.GetInt("max-receive-bytes", 1024, 64 << 20));
  c.grpc.max_receive_message_bytes = static_cast<int>(max_bytes);
  CF_ASSIGN_OR_RETURN(c.grpc.observer.max_unary_deadline, s.GetDuration("max-unary-deadline"));
  CF_ASSIGN_OR_RETURN(c.grpc.observer.max_stream_deadline, s.GetDuration("max-stream-deadline"));
  CF_ASSIGN_OR_RETURN(c.stream_write_timeout, s.GetDuration("stream-write-timeout"));
  CF_ASSIGN_OR_RETURN(c.memory_trim.interval, s.GetDuration("malloc-trim-interval"));
  CF_ASSIGN_OR_RETURN(c.readiness.threshold, s.GetDuration("readiness-threshold"));
  CF_ASSIGN_OR_RETURN(c.shutdown_grace, s.GetDuration("shutdown-grace"));
  CF_ASSIGN_OR_RETURN(c.grpc.reflection, s.GetBool("reflection"));
  CF_ASSIGN_OR_RETURN(const int64_t streams, s.GetInt("max-concurrent-streams", 1, 100000));
  c.grpc.transport.max_concurrent_streams = static_cast<int>(streams);
  CF_ASSIGN_OR_RETURN(c.grpc.transport.max_connection_idle, s.GetDuration("max-connection-idle"));
  CF_ASSIGN_OR_RETURN(c.grpc.transport.max_connection_age, s.GetDuration("max-connection-age"));
  CF_ASSIGN_OR_RETURN(c.grpc.transport.max_connection_age_grace,
                      s.GetDuration("max-connection-age-grace"));
  CF_ASSIGN_OR_RETURN(c.grpc.transport.memory_quota_bytes,
                      s.GetInt("grpc-memory-quota", 16 << 20, int64_t{1} << 40));
  CF_ASSIGN_OR_RETURN(const int64_t threads, s.GetInt("grpc-max-threads", 8, 65536));
  c.grpc.transport.max_threads = static_cast<int>(threads);
  CF_ASSIGN_OR_RETURN(c.relay.retention, s.GetDuration("outbox-retention"));
  CF_ASSIGN_OR_RETURN(const int64_t batch, s.GetInt("relay-batch-size", 1, 100000));
  c.relay.batch_size = static_cast<int>(batch);
  // JetStream must remember message ids for as long as rows can be redriven.
  c.relay.stream.duplicate_window = std::max(c.relay.retention, absl::Minutes(2));
  const std::string level = s.Get("log-level");
  if (level == "debug") c.log_level = kit::LogLevel::kDebug;
  else if (level == "info") c.log_level = kit::LogLevel::kInfo;
  else if (level == "warn") c.log_level = kit::LogLevel::kWarn;
  else if (level == "error") c.log_level = kit::LogLevel::kError;
  else return absl::InvalidArgumentError("--log-level: expected debug, info, warn or error");
  c.tls_cert_file = s.Get("tls-cert-file");
  c.tls_key_file = s.Get("tls-key-file");
  c.token_signing_key_file = s.Get("token-signing-key-file");
  c.token_verify_keys = s.Get("token-verify-keys");
  CF_ASSIGN_OR_RETURN(const int64_t pool_size, s.GetInt("db-pool-size", 1, 256));
  c.db_pool_size = static_cast<int>(pool_size);
  CF_ASSIGN_OR_RETURN(const int64_t queue, s.GetInt("executor-queue", 0, 100000));
  c.executor_queue = static_cast<int>(queue);
  CF_ASSIGN_OR_RETURN(const int64_t compute_slots, s.GetInt("compute-slots", 0, 1024));
  c.compute.slots = static_cast<int>(compute_slots);
  CF_ASSIGN_OR_RETURN(c.compute.pin, s.GetBool("compute-pin"));
  CF_ASSIGN_OR_RETURN(const int64_t compute_queue, s.GetInt("compute-queue", 0, 100000));
  c.compute_queue = static_cast<int>(compute_queue);
  CF_ASSIGN_OR_RETURN(c.addresses, kit::ClientAddresses::Parse(s.Get("trusted-proxies")));
  CF_ASSIGN_OR_RETURN(c.users, users::UsersComponent::ConfigFrom(s));
  CF_ASSIGN_OR_RETURN(c.moderation, moderation_service::ModerationComponent::ConfigFrom(s));
  CF_ASSIGN_OR_RETURN(c.generation, generation_service::GenerationComponent::ConfigFrom(s));
  CF_ASSIGN_OR_RETURN(c.clips, clips_service::ClipsComponent::ConfigFrom(s));
  CF_ASSIGN_OR_RETURN(c.feed, feed_service::FeedComponent::ConfigFrom(s));
  CF_ASSIGN_OR_RETURN(c.tipping, tipping_service::TippingComponent::ConfigFrom(s));
  if (c.services.contains("relay") && c.database_url.empty()) {
    return absl::InvalidArgumentError("--database-url is required to run the relay");
  }
  return c;
}

// Blocks SIGINT/SIGTERM in this thread (and every thread it starts), so
// that only sigwait in main sees them.
sigset_t BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

}  // namespace

int Serve(const std::vector<std::string>& args) {
  const auto specs = AllServeSpecs();
  auto settings = LoadOrExplain("serve", specs, args);
  if (!settings.ok()) return ExitCodeFor(settings.status());
  auto config = ConfigFrom(*settings);
  if (!config.ok()) return Fail(config.status().message());
  auto tls = LoadServerTls(config->tls_cert_file, config->tls_key_file);
  if (!tls.ok()) return Fail(tls.status().message());
  config->grpc.credentials = *std::move(tls);
  if (sodium_init() < 0) return Fail("libsodium failed to initialize");
  const sigset_t signals = BlockShutdownSignals();

  base::SystemClock clock;
  base::SecureRandom random;
  base::UuidV7Generator ids(clock, random);
  kit::Logger logger(stdout, clock, config->log_level);

  auto registry = std::make_shared<prometheus::Registry>();
  auto metrics_endpoint = kit::MetricsEndpoint::Create(config->metrics_addr, registry);
  if (!metrics_endpoint.ok()) return Fail(metrics_endpoint.status().message());
  kit::RpcMetrics rpc_metrics(*registry);

  // The relay: a background loop over bus.outbox, under the cf_bus role.
  std::atomic<bool> stop{false};
  std::unique_ptr<kit::PgPool> relay_pool;
  std::unique_ptr<kit::NatsClient> nats;
  std::unique_ptr<kit::OutboxRelay> relay;
  std::thread relay_thread;
  // Stops and joins the relay on every way out of this function, early
  // error returns included (a joinable std::thread must never be destroyed).
  struct RelayJoiner {
    std::atomic<bool>& stop;
    std::thread& thread;
    ~RelayJoiner() {
      stop = true;
      if (thread.joinable()) thread.join();
    }
  } relay_joiner{stop, relay_thread};
  if (config->services.contains("relay")) {
    relay_pool = std::make_unique<kit::PgPool>(kit::PgPoolOptions{
        .dsn = config->database_url, .size = 1, .role = "cf_bus",
        .statement_timeout = config->statement_timeout,
        .statements = kit::OutboxRelay::Statements(config->relay)});
    auto connected = kit::NatsClient::Connect({.url = config->nats_url, .client_name = "clipforged-relay"});
    if (!connected.ok()) return Fail(connected.status().message());
    nats = *std::move(connected);
    auto created = kit::OutboxRelay::Create(*relay_pool, nats->connection(), config->relay, logger, *registry);
    if (!created.ok()) return Fail(created.status().message());
    relay = *std::move(created);
    relay_thread = std::thread([&] { relay->Run(stop); });
  }

  // Every hosted service verifies access tokens with the same keyring, and
  // refuses tokens of sessions that ended anywhere: the users service
  // announces them on the bus, and this process listens.
  auto keys = LoadTokenKeys(config->token_signing_key_file, config->token_verify_keys);
  if (!keys.ok()) return Fail(keys.status().message());
  kit::RevocationSet revocations(clock, kit::kDefaultAccessTokenLifetime);
  auto revocation_nats = kit::NatsClient::Connect(
      {.url = config->nats_url, .client_name = "clipforged-revocations", .wait_for_server = false});
  if (!revocation_nats.ok()) return Fail(revocation_nats.status().message());
  kit::RevocationListener revocation_listener(**revocation_nats, revocations, clock, logger,
                                              kit::kDefaultAccessTokenLifetime);
  std::shared_ptr<const kit::TokenVerifier> verifier;
  if (keys->keyring->size() > 0) {
    verifier = std::make_shared<kit::KeyringTokenVerifier>(keys->keyring, clock, &revocations);
  } else {
    logger.Warn("no_token_keys", {{"detail", "no signing or verify keys configured: every token is refused"}});
    verifier = std::make_shared<kit::DenyAllVerifier>();
  }
  kit::AuthGate auth(verifier);
  kit::BlockingExecutor executor(static_cast<size_t>(config->db_pool_size),
                                 static_cast<size_t>(config->executor_queue));
  kit::ComputeSlots compute(config->compute);
  // Password checks wait in a lane of their own (kit::Lane::kCompute).
  kit::BlockingExecutor compute_executor(static_cast<size_t>(compute.slots()) + 2,
                                         static_cast<size_t>(config->compute_queue));
  kit::CallRunner runner(executor, auth, logger, &compute_executor);
  kit::EventFactory events(ids, clock);
  const kit::ServiceDeps shared{clock,  random,  ids,    auth,   runner,
                                executor, compute, events, config->addresses, logger,
                                config->stream_write_timeout};
  const kit::ServiceDatabase database{config->database_url, config->db_pool_size, config->statement_timeout};

  std::map<std::string, std::vector<kit::HostedService>> implemented;
  std::unique_ptr<users::UsersComponent> users_service;
  if (config->services.contains("users")) {
    auto created = users::UsersComponent::Create(database, config->users, shared,
                                                 keys->signer ? &*keys->signer : nullptr);
    if (!created.ok()) return Fail(created.status().message());
    users_service = *std::move(created);
    implemented["users"] = {users_service->hosted()};
  }
  std::unique_ptr<moderation_service::ModerationComponent> moderation;
  if (config->services.contains("moderation")) {
    // Rule changes arrive on the revocations' connection: both are a
    // handful of small broadcast messages.
    auto created = moderation_service::ModerationComponent::Create(database, config->moderation, shared,
                                                                   revocation_nats->get());
    if (!created.ok()) return Fail(created.status().message());
    moderation = *std::move(created);
    implemented["moderation"] = {moderation->hosted()};
  }
  std::unique_ptr<generation_service::LocalModeration> generation_checks;
  std::unique_ptr<generation_service::GenerationComponent> generation;
  // Remixes ask the clips service, built after generation (it reads
  // generation's jobs): bound to it below.
  clips_service::LocalRemixSource remix_source;
  if (config->services.contains("generation")) {
    // Every prompt and every rendered video goes through moderation, which
    // this process must host (a gRPC client for a remote one is not built).
    if (!moderation) return Fail("--services: generation needs moderation in the same process");
    generation_checks =
        std::make_unique<generation_service::LocalModeration>(moderation->policy(), moderation->screening(),
                                                                  moderation->review());
    // Review decisions arrive on the revocations' connection, as rule
    // changes do.
    auto created = generation_service::GenerationComponent::Create(database, config->generation, shared,
                                                                   *generation_checks,
                                                                   config->services.contains("clips") ? &remix_source
                                                                                                      : nullptr,
                                                                   revocation_nats->get());
    if (!created.ok()) return Fail(created.status().message());
    generation = *std::move(created);
    implemented["generation"] = generation->hosted();
  }
  std::unique_ptr<clips_service::LocalJobSource> clips_jobs;
  std::unique_ptr<clips_service::LocalTextFilter> clips_text;
  std::unique_ptr<clips_service::LocalProvenanceReader> clips_provenance;
  std::unique_ptr<clips_service::ClipsComponent> clips;
  if (config->services.contains("clips")) {
    // Clips are published from generation jobs and share its signed media
    // URLs: this process must host generation (a gRPC client for a remote
    // one is not built).
    if (!generation) return Fail("--services: clips needs generation in the same process");
    clips_jobs = std::make_unique<clips_service::LocalJobSource>(generation->jobs(), generation->creation());
    // Titles, captions and comments pass moderation's text policy.
    clips_text = std::make_unique<clips_service::LocalTextFilter>(moderation->policy());
    // Published videos' manifests are read from generation's blob store.
    clips_provenance = std::make_unique<clips_service::LocalProvenanceReader>(generation->blobs());
    // Other services' events arrive on the revocations' connection too.
    auto created = clips_service::ClipsComponent::Create(database, config->clips, shared, *clips_jobs, *clips_text,
                                                         *clips_provenance, generation->media_urls(),
                                                         revocation_nats->get());
    if (!created.ok()) return Fail(created.status().message());
    clips = *std::move(created);
    remix_source.Bind(&clips->clips());
    implemented["clips"] = clips->hosted();
  }
  std::unique_ptr<feed_service::FeedComponent> feed;
  if (config->services.contains("feed")) {
    // Clips and follows arrive on the revocations' connection too. The
    // pools rebuild in the background; readiness waits for them below.
    auto created = feed_service::FeedComponent::Create(database, config->feed, shared, revocation_nats->get());
    if (!created.ok()) return Fail(created.status().message());
    feed = *std::move(created);
    implemented["feed"] = feed->hosted();
  }
  std::unique_ptr<tipping_service::TippingComponent> tipping;
  if (config->services.contains("tipping")) {
    // Clip and user events (the clip directory) arrive on the revocations'
    // connection too. The ledger writer starts in the background;
    // readiness waits for it below.
    auto created =
        tipping_service::TippingComponent::Create(database, config->tipping, shared, revocation_nats->get());
    if (!created.ok()) return Fail(created.status().message());
    tipping = *std::move(created);
    implemented["tipping"] = tipping->hosted();
  }

  // After a flood, the freed memory goes back to the system.
  const kit::MemoryTrimmer trimmer(config->memory_trim);
  // Before listening: a connection flood must not hit the default 1,024.
  auto open_files = kit::RaiseOpenFileLimit();
  if (!open_files.ok()) return Fail(open_files.status().message());
  ServiceCatalog catalog(config->services, implemented);
  auto server = kit::GrpcServer::Start(config->grpc, catalog.hosted(), logger, rpc_metrics, ids, clock);
  if (!server.ok()) return Fail(server.status().message());
  logger.Info("serving", {{"grpc_port", (*server)->port()},
                          {"tls", config->grpc.credentials != nullptr},
                          {"metrics_port", (*metrics_endpoint)->port()},
                          {"open_files_limit", static_cast<int64_t>(*open_files)},
                          {"services", absl::StrJoin(config->services, ",")},
                          {"database", kit::RedactDsn(config->database_url)},
                          {"nats", kit::RedactDsn(config->nats_url)}});

  // Readiness: the hosted services need Postgres, and NATS for session
  // revocations; NOT_SERVING while either has been gone too long.
  kit::PgPool readiness_pool({.dsn = kit::WithConnectTimeout(config->database_url, 2), .size = 1,
                              .statement_timeout = absl::Seconds(1), .acquire_timeout = absl::Seconds(1)});
  std::optional<kit::ReadinessMonitor> readiness;
  if (!implemented.empty()) {
    std::vector<kit::ReadinessDependency> dependencies = {
        {"postgres", [&] { return readiness_pool.Ping(); }},
        {"nats", [&] { return (*revocation_nats)->Connected(); }}};
    // Until its first compile is in, the moderation service answers every
    // CheckPrompt UNAVAILABLE (half a minute at 50,000 rich rules).
    if (moderation) {
      dependencies.push_back({"prompt_policy", [&] {
                                return moderation->policy().Get() != nullptr
                                           ? absl::OkStatus()
                                           : absl::UnavailableError("the prompt policy is not loaded yet");
                              }});
    }
    // Until its pools are rebuilt from Postgres, the feed has nothing to
    // serve.
    if (feed) {
      dependencies.push_back({"feed_pools", [&] {
                                return feed->ready() ? absl::OkStatus()
                                                     : absl::UnavailableError("the feed pools are still rebuilding");
                              }});
    }
    // Until the ledger writer holds the fence with the books loaded, no
    // money can move.
    if (tipping) {
      dependencies.push_back({"ledger_writer", [&] {
                                return tipping->ready() ? absl::OkStatus()
                                                        : absl::UnavailableError("the ledger writer is starting");
                              }});
    }
    readiness.emplace(config->readiness, std::move(dependencies), [&](bool ready) { (*server)->SetServing(ready); },
                      logger);
  }

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  logger.Info("shutting_down", {{"signal", signal_number},
                                {"grace_ms", absl::ToInt64Milliseconds(config->shutdown_grace)}});
  readiness.reset();  // No more SetServing once shutting down.
  (*server)->Shutdown(config->shutdown_grace);
  compute_executor.Drain();
  executor.Drain();
  stop = true;
  if (relay_thread.joinable()) relay_thread.join();
  logger.Info("stopped");
  return 0;
}

}  // namespace clipforge::clipforged
