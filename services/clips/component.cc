#include "services/clips/component.h"

#include "base/status_macros.h"
#include "services/clips/consumers.h"

namespace clipforge::clips_service {
namespace {

// View marks forgotten per sweep transaction.
constexpr int kViewSweepBatch = 10'000;

// The bus events this service applies.
struct ConsumerSpec {
  kit::ConsumerOptions (*options)();
  kit::EventHandler (*handler)(EventLogic&);
};
constexpr ConsumerSpec kConsumers[] = {{UserEventsConsumer, UserEventsHandler},
                                       {ModerationDecisionsConsumer, ModerationDecisionsHandler}};

// The store's statements and the consumers'.
std::vector<kit::PreparedStatement> AllStatements() {
  std::vector<kit::PreparedStatement> statements = PgClipsStore::Statements();
  for (const ConsumerSpec& consumer : kConsumers) {
    for (kit::PreparedStatement& s : kit::EventConsumer::Statements(consumer.options())) {
      statements.push_back(std::move(s));
    }
  }
  return statements;
}

}  // namespace

ClipsComponent::~ClipsComponent() { consumers_.Stop(); }

std::vector<kit::SettingSpec> ClipsComponent::Flags() {
  return {
      {"clips-view-window", "1h", "a viewer's views of a clip count once in this window"},
  };
}

absl::StatusOr<ClipsConfig> ClipsComponent::ConfigFrom(const kit::Settings& s) {
  ClipsConfig config;
  CF_ASSIGN_OR_RETURN(config.clips.view_window, s.GetDuration("clips-view-window"));
  if (config.clips.view_window < absl::Minutes(1) || config.clips.view_window > absl::Hours(24 * 7)) {
    return absl::InvalidArgumentError("--clips-view-window must be 1m to 168h");
  }
  return config;
}

absl::StatusOr<std::unique_ptr<ClipsComponent>> ClipsComponent::Create(const kit::ServiceDatabase& database,
                                                                       const ClipsConfig& config,
                                                                       kit::ServiceDeps deps, JobSource& jobs,
                                                                       TextFilter& text_filter,
                                                                       ProvenanceReader& provenance,
                                                                       const kit::MediaUrls& media_urls,
                                                                       kit::NatsClient* nats) {
  if (database.url.empty()) return absl::InvalidArgumentError("--database-url is required to run the clips service");
  std::unique_ptr<ClipsComponent> component(
      new ClipsComponent(database, config, deps, jobs, text_filter, provenance, media_urls));
  if (nats != nullptr) {
    for (const ConsumerSpec& spec : kConsumers) {
      CF_RETURN_IF_ERROR(component->consumers_.Start(component->pool_, *nats, spec.options(),
                                                     spec.handler(component->event_logic_), deps.logger));
    }
  }
  return component;
}

ClipsComponent::ClipsComponent(const kit::ServiceDatabase& database, const ClipsConfig& config,
                               kit::ServiceDeps deps, JobSource& jobs, TextFilter& text_filter,
                               ProvenanceReader& provenance, const kit::MediaUrls& media_urls)
    : logger_(deps.logger),
      pool_({.dsn = database.url,
             .size = database.pool_size,
             .role = "cf_clips",
             .statement_timeout = database.statement_timeout,
             .custom_plans = true,
             .statements = AllStatements()}),
      store_(pool_),
      events_(deps.events),
      clips_(store_, deps.clock, deps.ids, events_, jobs, text_filter, provenance, config.clips),
      comments_(store_, deps.clock, deps.ids, events_, text_filter),
      graph_(store_, config.graph),
      event_logic_(events_, deps.clock),
      service_({.clips = clips_,
                .comments = comments_,
                .graph = graph_,
                .media_urls = media_urls,
                .clock = deps.clock,
                .runner = deps.runner}),
      sweeper_(config.view_sweep_interval, [this] { SweepViewMarks(); }) {}

std::vector<kit::HostedService> ClipsComponent::hosted() {
  return {{std::string(v1::ClipsService::service_full_name()), &service_}};
}

void ClipsComponent::SweepViewMarks() {
  absl::StatusOr<int> swept = clips_.SweepViewMarks(kViewSweepBatch);
  if (!swept.ok()) logger_.Warn("view_mark_sweep_failed", {{"error", swept.status().message()}});
}

}  // namespace clipforge::clips_service
