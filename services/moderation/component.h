// The moderation service with what it owns (its pool, store, events, the
// live prompt policy and its reloader, logic and gRPC adapter) and its
// flags: one wiring used by `clipforged serve` and the test server alike.
#pragma once

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "services/kit/grpc_server.h"
#include "services/kit/local_blob_store.h"
#include "services/kit/nats_client.h"
#include "services/kit/pg_pool.h"
#include "services/kit/service_deps.h"
#include "services/kit/settings.h"
#include "services/moderation/active_policy.h"
#include "services/moderation/events.h"
#include "services/moderation/change_listener.h"
#include "services/moderation/policy_reloader.h"
#include "services/moderation/rule_logic.h"
#include "services/moderation/service.h"
#include "services/moderation/store.h"

namespace clipforge::moderation_service {

struct ModerationConfig {
  // How often each instance compares its policy version with the stored
  // one, besides reacting to rule_changed events.
  absl::Duration policy_poll_interval = absl::Seconds(1);
  // How often a policy extended by small changes is recompiled in full.
  absl::Duration policy_compact_interval = absl::Seconds(30);
  // CheckPrompt calls one user may make a second on one instance (bursts
  // of twice that); 0: no limit.
  double checks_per_second = 50;
  // Where media blobs live (kit/local_blob_store.h), read by CheckVideo.
  std::string blob_dir = "blobs";
  RuleLimits limits;
};

class ModerationComponent {
 public:
  // The flags only the moderation service reads (`clipforged serve --help`).
  static std::vector<kit::SettingSpec> Flags();
  static absl::StatusOr<ModerationConfig> ConfigFrom(const kit::Settings& settings);

  // `nats` (may be null: polling only) delivers rule_changed events; it
  // and `deps` must outlive the component. INVALID_ARGUMENT when the
  // database URL is missing.
  static absl::StatusOr<std::unique_ptr<ModerationComponent>> Create(const kit::ServiceDatabase& database,
                                                                     const ModerationConfig& config,
                                                                     kit::ServiceDeps deps, kit::NatsClient* nats);

  kit::HostedService hosted() { return {std::string(v1::ModerationService::service_full_name()), &service_}; }
  PolicyReloader& reloader() { return reloader_; }
  BankReloader& bank_reloader() { return bank_reloader_; }
  const kit::BlobStore& blobs() const { return blobs_; }
  // The media filter, for services hosted in the same process.
  MediaScreening& screening() { return screening_; }
  // The review queue, for filter findings of services in the same process.
  ReviewLogic& review() { return review_; }
  const ActivePolicyHolder& policy() const { return policy_; }

 private:
  ModerationComponent(const kit::ServiceDatabase& database, const ModerationConfig& config, kit::ServiceDeps deps);

  kit::PgPool pool_;
  PgModerationStore store_;
  ModerationEvents events_;
  ActivePolicyHolder policy_;
  RuleLogic rules_;
  AuditLogic audit_;
  ReportLogic reports_;
  ReviewLogic review_;
  AppealLogic appeals_;
  PolicyReloader reloader_;
  BankLogic banks_;
  ActiveBanksHolder active_banks_;
  kit::LocalBlobStore blobs_;
  BankReloader bank_reloader_;
  MediaScreening screening_;
  std::unique_ptr<base::KeyedRateLimiter> check_limiter_;  // Null: no limit.
  ModerationServiceImpl service_;
  // Last: it stops calling into the reloader before the reloader goes.
  std::unique_ptr<ChangeListener> listener_;
  std::unique_ptr<ChangeListener> bank_listener_;
};

}  // namespace clipforge::moderation_service
