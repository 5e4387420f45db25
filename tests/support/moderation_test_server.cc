#include "tests/support/moderation_test_server.h"

#include <stdlib.h>

#include <filesystem>

#include <grpcpp/create_channel.h>

namespace clipforge::testing {

ModerationTestServer::ModerationTestServer(ModerationTestServerOptions options) {
  signer_.emplace(kit::AccessTokenSigner::FromSeed("test1", kit::GenerateSigningKeySeed(random_)).value());
  if (!keyring_->AddPublicKey(signer_->key_id(), signer_->public_key()).ok()) std::abort();
  auth_ = std::make_unique<kit::AuthGate>(std::make_shared<kit::KeyringTokenVerifier>(keyring_, clock_));
  executor_ = std::make_unique<kit::BlockingExecutor>(options.executor_threads, 1024);
  compute_ = std::make_unique<kit::ComputeSlots>(kit::ComputeSlotsOptions{});
  runner_ = std::make_unique<kit::CallRunner>(*executor_, *auth_, bus_.logger());
  relay_ = bus_.NewRelay();
  const kit::ServiceDeps deps = Deps();
  std::string state_dir = (std::filesystem::temp_directory_path() / "cf-test-server-XXXXXX").string();
  if (mkdtemp(state_dir.data()) == nullptr) std::abort();
  state_dir_ = state_dir;
  blob_dir_ = state_dir_ + "/blobs";
  std::filesystem::create_directories(blob_dir_);
  const auto create = [&] {
    return moderation_service::ModerationComponent::Create(
               {.url = bus_.pg().dsn(), .pool_size = static_cast<int>(options.executor_threads)},
               {.policy_poll_interval = options.policy_poll_interval,
                .policy_compact_interval = options.policy_compact_interval,
                .checks_per_second = options.checks_per_second,
                .blob_dir = blob_dir_,
                .limits = options.limits},
               deps, options.subscribe_to_changes ? &bus_.nats_client() : nullptr)
        .value();
  };
  component_ = create();
  if (options.with_peer) peer_ = create();
  // Serve only once the first policy is in: checks never see "not loaded".
  if (!component_->reloader().AwaitVersion(0, absl::Seconds(30))) std::abort();
  if (peer_ && !peer_->reloader().AwaitVersion(0, absl::Seconds(30))) std::abort();
  if (!component_->bank_reloader().AwaitVersion(0, absl::Seconds(30))) std::abort();
  std::vector<kit::HostedService> hosted = {component_->hosted()};
  if (options.with_generation) {
    generation_checks_ =
        std::make_unique<generation_service::LocalModeration>(component_->policy(), component_->screening(),
                                                               component_->review());
    generation_service::GenerationConfig config = options.generation;
    config.blob_dir = blob_dir_;
    if (options.media_urls && config.media_url_key_file.empty()) {
      config.media_url_key_file = state_dir_ + "/media-url.key";
    }
    generation_ = generation_service::GenerationComponent::Create(
                      {.url = bus_.pg().dsn(), .pool_size = static_cast<int>(options.executor_threads)}, config,
                      deps, *generation_checks_, options.with_clips ? &remix_source_ : nullptr,
                      options.subscribe_to_changes ? &bus_.nats_client() : nullptr)
                      .value();
    for (const kit::HostedService& service : generation_->hosted()) hosted.push_back(service);
  }
  if (options.with_clips) {
    if (!generation_) std::abort();
    clips_jobs_ = std::make_unique<clips_service::LocalJobSource>(generation_->jobs(), generation_->creation());
    clips_text_ = std::make_unique<clips_service::LocalTextFilter>(component_->policy());
    clips_provenance_ = std::make_unique<clips_service::LocalProvenanceReader>(generation_->blobs());
    clips_ = clips_service::ClipsComponent::Create(
                 {.url = bus_.pg().dsn(), .pool_size = static_cast<int>(options.executor_threads)}, options.clips,
                 deps, *clips_jobs_, *clips_text_, *clips_provenance_, generation_->media_urls(),
                 options.subscribe_to_changes ? &bus_.nats_client() : nullptr)
                 .value();
    remix_source_.Bind(&clips_->clips());
    for (const kit::HostedService& service : clips_->hosted()) hosted.push_back(service);
  }
  if (options.with_feed) {
    feed_config_ = options.feed;
    if (feed_config_.cursor_key_file.empty()) feed_config_.cursor_key_file = state_dir_ + "/feed-cursor.key";
    feed_ = feed_service::FeedComponent::Create(
                {.url = bus_.pg().dsn(), .pool_size = static_cast<int>(options.executor_threads)}, feed_config_,
                deps, &bus_.nats_client())
                .value();
    // Serve once the pools are rebuilt, as clipforged's readiness does.
    if (!feed_->state().AwaitReady(absl::Seconds(30))) std::abort();
    for (const kit::HostedService& service : feed_->hosted()) hosted.push_back(service);
  }
  if (options.with_tipping) {
    tipping_config_ = options.tipping;
    tipping_ = tipping_service::TippingComponent::Create(
                   {.url = bus_.pg().dsn(), .pool_size = static_cast<int>(options.executor_threads)},
                   tipping_config_, deps, &bus_.nats_client())
                   .value();
    if (!tipping_->AwaitReady(absl::Seconds(30))) std::abort();
    for (const kit::HostedService& service : tipping_->hosted()) hosted.push_back(service);
  }
  auto started = kit::GrpcServer::Start({.address = "127.0.0.1:0"}, hosted, bus_.logger(), metrics_, ids_, clock_);
  if (!started.ok()) std::abort();
  server_ = *std::move(started);
}

ModerationTestServer::~ModerationTestServer() {
  server_->Shutdown(absl::Seconds(1));
  executor_->Drain();
  std::error_code ignored;
  std::filesystem::remove_all(state_dir_, ignored);
}

std::unique_ptr<v1::ModerationService::Stub> ModerationTestServer::NewStub() const {
  return v1::ModerationService::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                                            grpc::InsecureChannelCredentials()));
}

kit::ServiceDeps ModerationTestServer::Deps() {
  return {clock_, random_, ids_, *auth_, *runner_, *executor_, *compute_, events_, addresses_, bus_.logger()};
}

std::unique_ptr<v1::FeedService::Stub> ModerationTestServer::NewFeedStub() const {
  return v1::FeedService::NewStub(grpc::CreateChannel(address(), grpc::InsecureChannelCredentials()));
}

std::unique_ptr<feed_service::FeedComponent> ModerationTestServer::NewFeedInstance() {
  return feed_service::FeedComponent::Create({.url = bus_.pg().dsn(), .pool_size = 2}, feed_config_, Deps(), nullptr)
      .value();
}

std::unique_ptr<v1::TippingService::Stub> ModerationTestServer::NewTippingStub() const {
  return v1::TippingService::NewStub(grpc::CreateChannel(address(), grpc::InsecureChannelCredentials()));
}

std::unique_ptr<tipping_service::TippingComponent> ModerationTestServer::NewTippingInstance() {
  return tipping_service::TippingComponent::Create({.url = bus_.pg().dsn(), .pool_size = 2}, tipping_config_, Deps(),
                                                   nullptr)
      .value();
}

std::string ModerationTestServer::address() const { return "127.0.0.1:" + std::to_string(server_->port()); }

std::unique_ptr<v1::GenerationService::Stub> ModerationTestServer::NewGenerationStub() const {
  return v1::GenerationService::NewStub(grpc::CreateChannel(address(), grpc::InsecureChannelCredentials()));
}

std::unique_ptr<v1::ClipsService::Stub> ModerationTestServer::NewClipsStub() const {
  return v1::ClipsService::NewStub(grpc::CreateChannel(address(), grpc::InsecureChannelCredentials()));
}

std::unique_ptr<v1::WorkerService::Stub> ModerationTestServer::NewWorkerStub() const {
  return v1::WorkerService::NewStub(grpc::CreateChannel(address(), grpc::InsecureChannelCredentials()));
}

std::string ModerationTestServer::Token(base::RoleSet roles, const std::string& user_id) {
  const absl::Time now = clock_.Now();
  return signer_->Sign({.user_id = user_id.empty() ? ids_.Next() : user_id,
                        .session_id = ids_.Next(),
                        .roles = roles,
                        .issued_at = now,
                        .expires_at = now + absl::Minutes(15)});
}

}  // namespace clipforge::testing
