#include "services/tipping/component.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/tipping/consumers.h"

namespace clipforge::tipping_service {
namespace {

// Between attempts to start the writer while the database is away.
constexpr absl::Duration kStartRetry = absl::Seconds(1);

std::vector<kit::PreparedStatement> AllStatements() {
  std::vector<kit::PreparedStatement> statements = PgTippingStore::Statements();
  for (kit::PreparedStatement& s : PgEarningsStore::Statements()) statements.push_back(std::move(s));
  for (const kit::ConsumerOptions& options : {TippingClipEventsConsumer(), TippingUserEventsConsumer()}) {
    for (kit::PreparedStatement& s : kit::EventConsumer::Statements(options)) statements.push_back(std::move(s));
  }
  return statements;
}

}  // namespace

std::vector<kit::SettingSpec> TippingComponent::Flags() {
  return {
      {"tipping-currency", "USD", "the one currency the ledger books (ISO 4217)"},
      {"tipping-max-batch", "2048", "at most this many requests per group commit of the ledger writer"},
      {"tipping-release-interval", "1m",
       "how often tip earnings that waited out their hold move from pending earnings to the tip jar"},
  };
}

absl::StatusOr<TippingConfig> TippingComponent::ConfigFrom(const kit::Settings& s) {
  TippingConfig config;
  absl::StatusOr<ledger::Currency> currency = ledger::Currency::FromCode(s.Get("tipping-currency"));
  if (!currency.ok()) return absl::InvalidArgumentError(absl::StrCat("--tipping-currency: ", currency.status().message()));
  config.currency = *currency;
  CF_ASSIGN_OR_RETURN(const int64_t max_batch, s.GetInt("tipping-max-batch", 1, 65536));
  config.max_batch_requests = static_cast<int>(max_batch);
  CF_ASSIGN_OR_RETURN(config.release_interval, s.GetDuration("tipping-release-interval"));
  if (config.release_interval < absl::Seconds(1) || config.release_interval > absl::Hours(24)) {
    return absl::InvalidArgumentError("--tipping-release-interval must be 1s to 24h");
  }
  return config;
}

absl::StatusOr<std::unique_ptr<TippingComponent>> TippingComponent::Create(const kit::ServiceDatabase& database,
                                                                           TippingConfig config,
                                                                           kit::ServiceDeps deps,
                                                                           kit::NatsClient* nats) {
  if (database.url.empty()) return absl::InvalidArgumentError("--database-url is required to run the tipping service");
  std::unique_ptr<TippingComponent> component(new TippingComponent(database, std::move(config), deps, nats));
  TippingComponent* self = component.get();
  component->starter_ = std::thread([self] { self->StartWriter(); });
  return component;
}

TippingComponent::TippingComponent(const kit::ServiceDatabase& database, TippingConfig config,
                                   kit::ServiceDeps deps, kit::NatsClient* nats)
    : logger_(deps.logger),
      clock_(deps.clock),
      nats_(nats),
      pool_({.dsn = database.url,
             .size = database.pool_size,
             .role = "cf_tipping",
             .statement_timeout = database.statement_timeout,
             .statements = AllStatements()}),
      store_(pool_),
      writer_(store_, deps.clock, {.max_batch_requests = config.max_batch_requests}),
      events_(deps.events),
      logic_(store_, writer_, providers_, events_, deps.clock, config),
      health_(store_, writer_, deps.clock),
      service_(logic_, health_, deps.runner, deps.auth, deps.executor, deps.clock,
               {.write_timeout = deps.stream_write_timeout}),
      earnings_store_(pool_),
      earnings_release_(earnings_store_, writer_, config.currency),
      release_timer_(config.release_interval, [this] { ReleaseEarnings(); }) {
  providers_.Add(std::make_unique<SandboxPaymentProvider>());
}

void TippingComponent::ReleaseEarnings() {
  if (!ready()) return;
  const absl::StatusOr<EarningsReleaseRun> run = earnings_release_.ReleaseDue(clock_.Now());
  if (!run.ok()) {
    logger_.Warn("tipping_earnings_release_failed", {{"error", run.status().message()}});
    return;
  }
  if (run->released > 0 || run->skipped > 0) {
    logger_.Info("tipping_earnings_released", {{"released", static_cast<int64_t>(run->released)},
                                               {"skipped", static_cast<int64_t>(run->skipped)}});
  }
}

TippingComponent::~TippingComponent() {
  stop_.Notify();
  if (starter_.joinable()) starter_.join();
  consumers_.Stop();
  writer_.Stop();
}

std::vector<kit::HostedService> TippingComponent::hosted() {
  return {{std::string(v1::TippingService::service_full_name()), &service_}};
}

void TippingComponent::StartWriter() {
  while (!stop_.HasBeenNotified()) {
    const absl::Status started = writer_.Start();
    if (started.ok()) break;
    logger_.Warn("tipping_writer_start_failed", {{"error", started.message()}});
    // Backoff while the database is away; a stop ends the wait.
    if (stop_.WaitForNotificationWithTimeout(kStartRetry)) return;
  }
  if (stop_.HasBeenNotified()) return;
  if (nats_ != nullptr) {
    for (const kit::ConsumerOptions& options : {TippingClipEventsConsumer(), TippingUserEventsConsumer()}) {
      if (absl::Status consumer = consumers_.Start(pool_, *nats_, options, DirectoryEventsHandler(store_), logger_);
          !consumer.ok()) {
        logger_.Error("tipping_consumer_failed", {{"error", consumer.message()}});
        return;  // never ready: the readiness check says so
      }
    }
  }
  ready_.Notify();
  logger_.Info("tipping_ready", {{"last_batch", writer_.last_batch_sequence()}});
}

}  // namespace clipforge::tipping_service
