// The feed service with what it owns (its pool, store, pools in memory,
// logic, the rebuild at start and the bus consumers) and its flags: one
// wiring used by `clipforged serve` and the test server alike.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "services/feed/event_logic.h"
#include "services/feed/feed_logic.h"
#include "services/feed/feed_state.h"
#include "services/feed/service.h"
#include "services/feed/store.h"
#include "services/kit/consumer_group.h"
#include "services/kit/grpc_server.h"
#include "services/kit/nats_client.h"
#include "services/kit/periodic.h"
#include "services/kit/pg_pool.h"
#include "services/kit/service_deps.h"
#include "services/kit/settings.h"

namespace clipforge::feed_service {

struct FeedConfig {
  FeedRules rules;
  // The page tokens' HMAC key file, created when missing (every replica
  // must share it); empty: a key made at start, so tokens do not outlive
  // the process.
  std::string cursor_key_file;
  // How often the Echo Chambers' bridging scores are refit (also once
  // right after the rebuild).
  absl::Duration echo_refit_interval = absl::Minutes(5);
};

class FeedComponent {
 public:
  static std::vector<kit::SettingSpec> Flags();
  static absl::StatusOr<FeedConfig> ConfigFrom(const kit::Settings& settings);

  // Starts rebuilding the pools from the store at once (ready() says when
  // done), then the bus consumers on `nats` (may be null: then the pools
  // change only by this service's own writes). INVALID_ARGUMENT when the
  // database URL is missing or the key file cannot be read.
  static absl::StatusOr<std::unique_ptr<FeedComponent>> Create(const kit::ServiceDatabase& database,
                                                               FeedConfig config, kit::ServiceDeps deps,
                                                               kit::NatsClient* nats);
  ~FeedComponent();

  std::vector<kit::HostedService> hosted();
  // The pools are rebuilt and the consumers started: the service may
  // report ready.
  bool ready() const { return state_.ready(); }
  FeedState& state() { return state_; }
  FeedLogic& logic() { return logic_; }
  FeedStore& store() { return store_; }

 private:
  FeedComponent(const kit::ServiceDatabase& database, FeedConfig config, kit::ServiceDeps deps, kit::NatsClient* nats);
  void RefitEchoes();
  // Loads the pools, retrying while the database is away, then starts the
  // consumers and marks the pools ready.
  void Rebuild();
  absl::Status LoadPools();

  kit::Logger& logger_;
  const base::Clock& clock_;
  kit::NatsClient* nats_;
  kit::PgPool pool_;
  PgFeedStore store_;
  FeedState state_;
  FeedLogic logic_;
  kit::EventFactory event_factory_;
  EventLogic event_logic_;
  FeedServiceImpl service_;
  kit::ConsumerGroup consumers_;
  absl::Notification stop_;
  kit::Periodic echo_refit_;
  // Last: joined before what it uses goes.
  std::thread rebuild_;
};

}  // namespace clipforge::feed_service
