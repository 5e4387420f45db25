#include "services/feed/component.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/feed/consumers.h"
#include "services/kit/signed_url.h"

namespace clipforge::feed_service {
namespace {

// Clips read per statement while rebuilding: small enough to stay far
// inside the statement timeout.
constexpr int kRebuildBatch = 5000;
// Between rebuild attempts while the database is away.
constexpr absl::Duration kRebuildRetry = absl::Seconds(1);
constexpr size_t kCursorKeyBytes = 32;

struct ConsumerSpec {
  kit::ConsumerOptions (*options)();
  kit::EventHandler (*handler)(EventLogic&);
};
constexpr ConsumerSpec kConsumers[] = {{ClipEventsConsumer, ClipEventsHandler},
                                       {UserEventsConsumer, UserEventsHandler}};

std::vector<kit::PreparedStatement> AllStatements() {
  std::vector<kit::PreparedStatement> statements = PgFeedStore::Statements();
  for (const ConsumerSpec& consumer : kConsumers) {
    for (kit::PreparedStatement& s : kit::EventConsumer::Statements(consumer.options())) {
      statements.push_back(std::move(s));
    }
  }
  return statements;
}

}  // namespace

std::vector<kit::SettingSpec> FeedComponent::Flags() {
  return {
      {"feed-cursor-key-file", "",
       "the feed page tokens' HMAC key (32 bytes, created when missing; replicas share it); empty: one per process"},
      {"feed-cursor-max-age", "24h", "how long a feed page token stays good"},
      {"feed-echo-refit-interval", "5m", "how often the Echo Chambers' bridging scores are refit"},
  };
}

absl::StatusOr<FeedConfig> FeedComponent::ConfigFrom(const kit::Settings& s) {
  FeedConfig config;
  config.cursor_key_file = s.Get("feed-cursor-key-file");
  CF_ASSIGN_OR_RETURN(config.rules.cursor_max_age, s.GetDuration("feed-cursor-max-age"));
  if (config.rules.cursor_max_age < absl::Minutes(5) || config.rules.cursor_max_age > absl::Hours(24 * 7)) {
    return absl::InvalidArgumentError("--feed-cursor-max-age must be 5m to 168h");
  }
  CF_ASSIGN_OR_RETURN(config.echo_refit_interval, s.GetDuration("feed-echo-refit-interval"));
  if (config.echo_refit_interval < absl::Seconds(10) || config.echo_refit_interval > absl::Hours(24)) {
    return absl::InvalidArgumentError("--feed-echo-refit-interval must be 10s to 24h");
  }
  return config;
}

absl::StatusOr<std::unique_ptr<FeedComponent>> FeedComponent::Create(const kit::ServiceDatabase& database,
                                                                     FeedConfig config, kit::ServiceDeps deps,
                                                                     kit::NatsClient* nats) {
  if (database.url.empty()) return absl::InvalidArgumentError("--database-url is required to run the feed service");
  if (config.rules.cursor_keys.empty()) {
    if (config.cursor_key_file.empty()) {
      std::string key(kCursorKeyBytes, '\0');
      deps.random.Fill(key.data(), key.size());
      config.rules.cursor_keys.push_back(std::move(key));
    } else {
      absl::StatusOr<std::string> key = kit::LoadOrCreateKeyFile(config.cursor_key_file);
      if (!key.ok()) return absl::InvalidArgumentError(absl::StrCat("--feed-cursor-key-file: ", key.status().message()));
      config.rules.cursor_keys.push_back(*std::move(key));
    }
  }
  std::unique_ptr<FeedComponent> component(new FeedComponent(database, std::move(config), deps, nats));
  FeedComponent* self = component.get();
  component->rebuild_ = std::thread([self] { self->Rebuild(); });
  return component;
}

FeedComponent::FeedComponent(const kit::ServiceDatabase& database, FeedConfig config, kit::ServiceDeps deps,
                             kit::NatsClient* nats)
    : logger_(deps.logger),
      clock_(deps.clock),
      nats_(nats),
      pool_({.dsn = database.url,
             .size = database.pool_size,
             .role = "cf_feed",
             .statement_timeout = database.statement_timeout,
             .statements = AllStatements()}),
      store_(pool_),
      logic_(store_, state_, deps.clock, deps.ids, std::move(config.rules)),
      event_factory_(deps.ids, deps.clock),
      event_logic_(state_, deps.clock, event_factory_),
      service_(logic_, deps.runner, deps.clock),
      echo_refit_(config.echo_refit_interval, [this] { RefitEchoes(); }) {}

void FeedComponent::RefitEchoes() {
  if (!state_.ready()) return;  // the rebuild refits when it is done
  const absl::Time started = absl::Now();
  const size_t echoed = logic_.RefitEchoes();
  // Upkeep on the same timer: ended reach penalties cost every request a
  // lookup per candidate until they go.
  const size_t pruned = state_.PruneEndedReachPenalties(clock_.Now());
  logger_.Info("feed_echoes_refit", {{"echoed_clips", static_cast<int64_t>(echoed)},
                                     {"ended_reach_penalties_pruned", static_cast<int64_t>(pruned)},
                                     {"elapsed_ms", absl::ToInt64Milliseconds(absl::Now() - started)}});
}

FeedComponent::~FeedComponent() {
  stop_.Notify();
  if (rebuild_.joinable()) rebuild_.join();
  consumers_.Stop();
}

std::vector<kit::HostedService> FeedComponent::hosted() {
  return {{std::string(v1::FeedService::service_full_name()), &service_}};
}

absl::Status FeedComponent::LoadPools() {
  return store_.Transact(TxMode::kReadOnly, [&](FeedTx& tx) -> absl::Status {
    state_.LoadThemes(tx.ListThemes());
    std::string after;
    for (std::vector<FeedClipRecord> batch = tx.ClipsAfter(after, kRebuildBatch); !batch.empty();
         batch = tx.ClipsAfter(after, kRebuildBatch)) {
      for (const FeedClipRecord& clip : batch) state_.AddClip(clip);
      after = batch.back().clip_id;
      if (stop_.HasBeenNotified()) return absl::CancelledError("stopping");
    }
    state_.LoadViewers(tx.LoadViewers());
    state_.LoadReachPenalties(tx.UnliftedReachPenalties(), clock_.Now());
    return absl::OkStatus();
  });
}

void FeedComponent::Rebuild() {
  const absl::Time started = absl::Now();
  while (!stop_.HasBeenNotified()) {
    const absl::Status loaded = LoadPools();
    if (loaded.ok()) break;
    logger_.Warn("feed_rebuild_failed", {{"error", loaded.message()}});
    // Backoff while the database is away; a stop ends the wait.
    if (stop_.WaitForNotificationWithTimeout(kRebuildRetry)) return;
  }
  if (stop_.HasBeenNotified()) return;
  // Events from here on change the pools; the consumers' durable
  // positions hold every event the store has not seen.
  if (nats_ != nullptr) {
    for (const ConsumerSpec& spec : kConsumers) {
      if (absl::Status started_consumer =
              consumers_.Start(pool_, *nats_, spec.options(), spec.handler(event_logic_), logger_);
          !started_consumer.ok()) {
        logger_.Error("feed_consumer_failed", {{"error", started_consumer.message()}});
        return;  // never ready: the readiness check says so
      }
    }
  }
  logic_.RefitEchoes();
  state_.MarkReady();
  logger_.Info("feed_pools_ready", {{"clips", static_cast<int64_t>(state_.clip_count())},
                                    {"elapsed_ms", absl::ToInt64Milliseconds(absl::Now() - started)}});
}

}  // namespace clipforge::feed_service
