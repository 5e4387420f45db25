#include "services/moderation/policy_reloader.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace clipforge::moderation_service {

PolicyReloader::PolicyReloader(ModerationStore& store, ActivePolicyHolder& holder, kit::Logger& logger,
                               absl::Duration poll_every, absl::Duration compact_every)
    : store_(store),
      holder_(holder),
      logger_(logger),
      compactor_(compact_every,
                 [this] {
                   if (const absl::Status status = Compact(); !status.ok()) {
                     logger_.Warn("prompt_policy_not_compacted", {{"error", status.message()}});
                   }
                 }),
      periodic_(poll_every, [this] {
        if (const absl::Status status = Refresh(); !status.ok()) {
          logger_.Warn("prompt_policy_not_reloaded", {{"error", status.message()}});
        }
      }) {
  // The first load: at once, not one interval in.
  periodic_.RunSoon();
}

void PolicyReloader::Install(std::shared_ptr<const ActivePolicy> policy, absl::Time started, const char* how) {
  const int64_t version = policy->version();
  logger_.Info("prompt_policy_loaded", {{"version", version},
                                        {"how", how},
                                        {"rules", static_cast<int64_t>(policy->rule_count())},
                                        {"delta_rules", static_cast<int64_t>(policy->delta_rule_count())},
                                        {"compile_ms", absl::ToInt64Milliseconds(absl::Now() - started)}});
  holder_.Set(std::move(policy));
  absl::MutexLock lock(&loaded_mu_);
  loaded_version_ = version;
}

absl::Status PolicyReloader::Refresh() {
  absl::MutexLock serialized(&refresh_mu_);
  const std::shared_ptr<const ActivePolicy> current = holder_.Get();
  CF_ASSIGN_OR_RETURN(const int64_t stored, store_.PolicyVersion());
  if (current != nullptr && current->version() == stored) return absl::OkStatus();
  const absl::Time started = absl::Now();
  if (stored == failed_version_ && started - failed_at_ < kRetryFailedAfter) {
    return absl::FailedPreconditionError(
        absl::StrCat("the rule set at version ", stored, " failed to compile; retrying later"));
  }
  // A few changed rules since the base: compile just those.
  std::optional<PolicyChanges> changes;
  if (current != nullptr) {
    CF_ASSIGN_OR_RETURN(changes, store_.LoadPolicyChanges(current->base_version()));
    if (ActivePolicy::RulesToCompile(*changes) > kMaxDeltaRules) changes.reset();
  }
  absl::StatusOr<std::shared_ptr<const ActivePolicy>> built;
  int64_t version = 0;
  if (changes) {
    version = changes->version;
    built = ActivePolicy::Extend(*current, *changes);
  } else {
    CF_ASSIGN_OR_RETURN(const PolicySnapshot snapshot, store_.LoadPolicy());
    version = snapshot.version;
    built = ActivePolicy::Build(snapshot);
  }
  if (!built.ok()) {
    logger_.Error("prompt_policy_compile_failed", {{"version", version}, {"error", built.status().message()}});
    failed_version_ = version;
    failed_at_ = started;
    return built.status();
  }
  Install(*std::move(built), started, changes ? "delta" : "full");
  return absl::OkStatus();
}

absl::Status PolicyReloader::Compact() {
  const std::shared_ptr<const ActivePolicy> live = holder_.Get();
  if (live == nullptr || !live->layered()) return absl::OkStatus();
  CF_ASSIGN_OR_RETURN(const PolicySnapshot snapshot, store_.LoadPolicy());
  const absl::Time started = absl::Now();
  // The long part, while Refresh goes on serving changes.
  CF_ASSIGN_OR_RETURN(std::shared_ptr<const ActivePolicy> full, ActivePolicy::Build(snapshot));
  absl::MutexLock serialized(&refresh_mu_);
  const std::shared_ptr<const ActivePolicy> now_live = holder_.Get();
  if (now_live->version() != full->version()) {
    // Changes went live meanwhile: they go on top of the new base.
    CF_ASSIGN_OR_RETURN(const PolicyChanges latest, store_.LoadPolicyChanges(full->base_version()));
    // A bulk change meanwhile: Refresh compiles it in full; this compile is
    // not worth a large delta under the lock.
    if (ActivePolicy::RulesToCompile(latest) > kMaxDeltaRules) return absl::OkStatus();
    CF_ASSIGN_OR_RETURN(full, ActivePolicy::Extend(*full, latest));
  }
  Install(std::move(full), started, "compacted");
  return absl::OkStatus();
}

bool PolicyReloader::AwaitVersion(int64_t version, absl::Duration timeout) {
  absl::MutexLock lock(&loaded_mu_);
  const auto reached = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(loaded_mu_) { return loaded_version_ >= version; };
  return loaded_mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
}

}  // namespace clipforge::moderation_service
