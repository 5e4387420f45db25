#include "services/moderation/component.h"

#include "absl/strings/numbers.h"
#include "base/status_macros.h"

namespace clipforge::moderation_service {

std::vector<kit::SettingSpec> ModerationComponent::Flags() {
  return {
      {"moderation-policy-poll-interval", "1s",
       "how often the moderation service compares its prompt policy with the stored one (rule_changed events "
       "reload it at once besides)"},
      {"moderation-policy-compact-interval", "30s",
       "how often a prompt policy extended by small rule changes is recompiled in full (in the background)"},
      {"moderation-check-rate", "50",
       "CheckPrompt calls one user may make per second on one instance, in bursts of twice that (0: no limit)"},
      {"blob-dir", "blobs",
       "the blob store's directory (content-addressed media files); CheckVideo reads the blobs it names there"},
  };
}

absl::StatusOr<ModerationConfig> ModerationComponent::ConfigFrom(const kit::Settings& s) {
  ModerationConfig config;
  CF_ASSIGN_OR_RETURN(config.policy_poll_interval, s.GetDuration("moderation-policy-poll-interval"));
  if (config.policy_poll_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--moderation-policy-poll-interval must be positive");
  }
  CF_ASSIGN_OR_RETURN(config.policy_compact_interval, s.GetDuration("moderation-policy-compact-interval"));
  if (config.policy_compact_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--moderation-policy-compact-interval must be positive");
  }
  if (!absl::SimpleAtod(s.Get("moderation-check-rate"), &config.checks_per_second) || config.checks_per_second < 0) {
    return absl::InvalidArgumentError("--moderation-check-rate must be a number of checks a second, 0 or more");
  }
  config.blob_dir = s.Get("blob-dir");
  if (config.blob_dir.empty()) return absl::InvalidArgumentError("--blob-dir must name a directory");
  return config;
}

absl::StatusOr<std::unique_ptr<ModerationComponent>> ModerationComponent::Create(const kit::ServiceDatabase& database,
                                                                                 const ModerationConfig& config,
                                                                                 kit::ServiceDeps deps,
                                                                                 kit::NatsClient* nats) {
  if (database.url.empty()) {
    return absl::InvalidArgumentError("--database-url is required to run the moderation service");
  }
  std::unique_ptr<ModerationComponent> component(new ModerationComponent(database, config, deps));
  if (nats != nullptr) {
    PolicyReloader* reloader = &component->reloader_;
    absl::StatusOr<std::unique_ptr<ChangeListener>> listener =
        ChangeListener::Start(*nats, kRuleChangedSubject, [reloader] { reloader->RunSoon(); });
    // Not fatal: polling still brings every change, only later.
    if (!listener.ok()) {
      deps.logger.Warn("prompt_rule_changes_not_subscribed", {{"error", listener.status().message()}});
    } else {
      component->listener_ = *std::move(listener);
    }
    BankReloader* bank_reloader = &component->bank_reloader_;
    absl::StatusOr<std::unique_ptr<ChangeListener>> bank_listener =
        ChangeListener::Start(*nats, kBankChangedSubject, [bank_reloader] { bank_reloader->RunSoon(); });
    if (!bank_listener.ok()) {
      deps.logger.Warn("hash_bank_changes_not_subscribed", {{"error", bank_listener.status().message()}});
    } else {
      component->bank_listener_ = *std::move(bank_listener);
    }
  }
  return component;
}

ModerationComponent::ModerationComponent(const kit::ServiceDatabase& database, const ModerationConfig& config,
                                         kit::ServiceDeps deps)
    : pool_({.dsn = database.url,
             .size = database.pool_size,
             .role = "cf_moderation",
             .statement_timeout = database.statement_timeout,
             .statements = PgModerationStore::Statements()}),
      store_(pool_),
      events_(deps.events),
      rules_(store_, deps.clock, deps.ids, events_, config.limits),
      audit_(store_),
      reports_(store_, deps.clock, deps.ids, events_),
      review_(store_, deps.clock, deps.ids, events_),
      appeals_(store_, deps.clock, deps.ids, events_),
      reloader_(store_, policy_, deps.logger, config.policy_poll_interval, config.policy_compact_interval),
      banks_(store_, deps.clock, deps.ids, events_),
      blobs_(config.blob_dir),
      bank_reloader_(store_, active_banks_, deps.logger, config.policy_poll_interval),
      screening_(active_banks_, blobs_, deps.compute, review_),
      check_limiter_(config.checks_per_second > 0
                         ? std::make_unique<base::KeyedRateLimiter>(base::KeyedRateLimiter::Options{
                               .per_second = config.checks_per_second, .burst = 2 * config.checks_per_second})
                         : nullptr),
      service_(policy_, reloader_, {rules_, audit_, reports_, review_, appeals_, banks_},
               {screening_, bank_reloader_}, {check_limiter_.get(), deps.clock},
               deps.runner) {}

}  // namespace clipforge::moderation_service
