// The moderation service as `clipforged serve` wires it
// (ModerationComponent), and optionally the generation and clips services
// beside it, on the kit's GrpcServer, over a real migrated
// Postgres and a real JetStream nats-server with the outbox relay, for the
// moderation integration tests and benchmarks. Access tokens are minted
// here for any user id and roles (the users service is not needed).
#pragma once

#include <memory>
#include <string>

#include "base/random.h"
#include "base/role.h"
#include "base/uuid.h"
#include "clipforge/v1/moderation.grpc.pb.h"
#include "services/kit/access_token.h"
#include "services/kit/grpc_server.h"
#include "services/kit/keyring_token_verifier.h"
#include "clipforge/v1/generation.grpc.pb.h"
#include "clipforge/v1/clips.grpc.pb.h"
#include "clipforge/v1/feed.grpc.pb.h"
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
#include "tests/support/bus_fixture.h"

namespace clipforge::testing {

struct ModerationTestServerOptions {
  // How often the policy version is polled; long, to show that the
  // rule_changed event alone brings a change.
  absl::Duration policy_poll_interval = absl::Hours(1);
  // Compaction only when a test calls Compact.
  absl::Duration policy_compact_interval = absl::Hours(1);
  bool subscribe_to_changes = true;
  // CheckPrompt's per-user limit; 0 (none) lets tests and benchmarks check
  // as fast as they can.
  double checks_per_second = 0;
  moderation_service::RuleLimits limits;
  size_t executor_threads = 4;
  // A second instance of the service over the same Postgres and NATS (not
  // served; its policy is read directly), to see changes travel.
  bool with_peer = false;
  // Also host the generation service (GenerationService and WorkerService)
  // beside moderation, as `clipforged serve` does, with these settings
  // (the blob directory is the server's own).
  bool with_generation = false;
  generation_service::GenerationConfig generation;
  // Sign media URLs with a key the server makes in its own directory (and
  // removes with it), unless generation.media_url_key_file names one.
  bool media_urls = false;
  // Also host the clips service (needs with_generation), reading jobs from
  // the generation service in process.
  bool with_clips = false;
  clips_service::ClipsConfig clips;
  // Also host the feed service, its pools fed by the bus; the server
  // starts serving once they are rebuilt.
  bool with_feed = false;
  feed_service::FeedConfig feed;
  // Also host the tipping service, its clip directory fed by the bus; the
  // server starts serving once the ledger writer holds the fence.
  bool with_tipping = false;
  tipping_service::TippingConfig tipping;
};

class ModerationTestServer {
 public:
  explicit ModerationTestServer(ModerationTestServerOptions options = {});
  ~ModerationTestServer();

  std::unique_ptr<v1::ModerationService::Stub> NewStub() const;
  // A valid access token for a new user (or `user_id`) with `roles`.
  std::string Token(base::RoleSet roles, const std::string& user_id = "");

  BusFixture& bus() { return bus_; }
  moderation_service::ModerationComponent& component() { return *component_; }
  // With options.with_peer only.
  moderation_service::ModerationComponent& peer() { return *peer_; }
  // The blob store's directory (a fresh temporary one, removed after).
  const std::string& blob_dir() const { return blob_dir_; }
  // With options.with_generation only.
  generation_service::GenerationComponent& generation() { return *generation_; }
  std::unique_ptr<v1::GenerationService::Stub> NewGenerationStub() const;
  std::unique_ptr<v1::WorkerService::Stub> NewWorkerStub() const;
  // With options.with_clips only.
  clips_service::ClipsComponent& clips() { return *clips_; }
  std::unique_ptr<v1::ClipsService::Stub> NewClipsStub() const;
  // With options.with_feed only.
  feed_service::FeedComponent& feed() { return *feed_; }
  std::unique_ptr<v1::FeedService::Stub> NewFeedStub() const;
  // Another feed instance over the same Postgres, as a restarted process
  // builds it (not served, no bus consumers): its pools rebuild from the
  // store alone.
  std::unique_ptr<feed_service::FeedComponent> NewFeedInstance();
  // With options.with_tipping only.
  tipping_service::TippingComponent& tipping() { return *tipping_; }
  std::unique_ptr<v1::TippingService::Stub> NewTippingStub() const;
  // Another tipping instance over the same Postgres, as a second process
  // builds it (not served, no bus consumers): its writer takes the fence.
  std::unique_ptr<tipping_service::TippingComponent> NewTippingInstance();

 private:
  kit::ServiceDeps Deps();

 public:
  // "host:port" of the gRPC server.
  std::string address() const;
  // Publishes every outbox row (as the relay in clipforged does).
  int PublishEvents() { return bus_.Drain(*relay_); }

 private:
  BusFixture bus_;
  // The server's own files (blobs, the media URL key), removed with it.
  std::string state_dir_;
  std::string blob_dir_;
  base::SystemClock clock_;
  base::SecureRandom random_;
  base::UuidV7Generator ids_{clock_, random_};
  kit::EventFactory events_{ids_, clock_};
  kit::ClientAddresses addresses_;
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  kit::RpcMetrics metrics_{*registry_};
  std::optional<kit::AccessTokenSigner> signer_;
  std::shared_ptr<kit::AccessTokenKeyring> keyring_ = std::make_shared<kit::AccessTokenKeyring>();
  std::unique_ptr<kit::AuthGate> auth_;
  std::unique_ptr<kit::BlockingExecutor> executor_;
  std::unique_ptr<kit::CallRunner> runner_;
  std::unique_ptr<kit::ComputeSlots> compute_;
  std::unique_ptr<kit::OutboxRelay> relay_;
  std::unique_ptr<moderation_service::ModerationComponent> component_;
  std::unique_ptr<moderation_service::ModerationComponent> peer_;
  std::unique_ptr<generation_service::LocalModeration> generation_checks_;
  clips_service::LocalRemixSource remix_source_;
  std::unique_ptr<generation_service::GenerationComponent> generation_;
  std::unique_ptr<clips_service::LocalJobSource> clips_jobs_;
  std::unique_ptr<clips_service::LocalTextFilter> clips_text_;
  std::unique_ptr<clips_service::LocalProvenanceReader> clips_provenance_;
  std::unique_ptr<clips_service::ClipsComponent> clips_;
  std::unique_ptr<feed_service::FeedComponent> feed_;
  feed_service::FeedConfig feed_config_;
  std::unique_ptr<tipping_service::TippingComponent> tipping_;
  tipping_service::TippingConfig tipping_config_;
  std::unique_ptr<kit::GrpcServer> server_;
};

}  // namespace clipforge::testing
