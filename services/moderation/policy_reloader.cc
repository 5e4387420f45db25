#include "services/moderation/policy_reloader.h"

#include "base/status_macros.h"

namespace clipforge::moderation_service {

PolicyReloader::PolicyReloader(ModerationStore& store, ActivePolicyHolder& holder, kit::Logger& logger,
                               absl::Duration poll_every)
    : store_(store), holder_(holder), logger_(logger), periodic_(poll_every, [this] {
        if (const absl::Status status = Refresh(); !status.ok()) {
          logger_.Warn("prompt_policy_not_reloaded", {{"error", status.message()}});
        }
      }) {
  // The first load: at once, not one interval in.
  periodic_.RunSoon();
}

absl::Status PolicyReloader::Refresh() {
  absl::MutexLock serialized(&refresh_mu_);
  const std::shared_ptr<const ActivePolicy> current = holder_.Get();
  CF_ASSIGN_OR_RETURN(const int64_t stored, store_.PolicyVersion());
  if (current != nullptr && current->version() == stored) return absl::OkStatus();
  CF_ASSIGN_OR_RETURN(const PolicySnapshot snapshot, store_.LoadPolicy());
  const absl::Time started = absl::Now();
  absl::StatusOr<std::shared_ptr<const ActivePolicy>> built = ActivePolicy::Build(snapshot);
  if (!built.ok()) {
    logger_.Error("prompt_policy_compile_failed",
                  {{"version", snapshot.version}, {"error", built.status().message()}});
    return built.status();
  }
  holder_.Set(*built);
  {
    absl::MutexLock lock(&loaded_mu_);
    loaded_version_ = snapshot.version;
  }
  logger_.Info("prompt_policy_loaded", {{"version", snapshot.version},
                                        {"rules", static_cast<int64_t>((*built)->rule_count())},
                                        {"compile_ms", absl::ToInt64Milliseconds(absl::Now() - started)}});
  return absl::OkStatus();
}

bool PolicyReloader::AwaitVersion(int64_t version, absl::Duration timeout) {
  absl::MutexLock lock(&loaded_mu_);
  const auto reached = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(loaded_mu_) { return loaded_version_ >= version; };
  return loaded_mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
}

}  // namespace clipforge::moderation_service
