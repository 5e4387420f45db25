#include "services/moderation/bank_reloader.h"

#include "base/status_macros.h"

namespace clipforge::moderation_service {

BankReloader::BankReloader(ModerationStore& store, ActiveBanksHolder& holder, kit::Logger& logger,
                           absl::Duration poll_every)
    : store_(store), holder_(holder), logger_(logger), periodic_(poll_every, [this] {
        if (const absl::Status status = Refresh(); !status.ok()) {
          logger_.Warn("hash_banks_not_reloaded", {{"error", status.message()}});
        }
      }) {
  periodic_.RunSoon();  // The first load: at once, not one interval in.
}

absl::Status BankReloader::Refresh() {
  absl::MutexLock serialized(&refresh_mu_);
  const std::shared_ptr<const ActiveBanks> current = holder_.Get();
  CF_ASSIGN_OR_RETURN(const int64_t stored, store_.BanksVersion());
  if (current != nullptr && current->version() == stored) return absl::OkStatus();
  const absl::Time started = absl::Now();
  CF_ASSIGN_OR_RETURN(const BankSnapshot snapshot, store_.LoadBanks());
  CF_ASSIGN_OR_RETURN(std::shared_ptr<const ActiveBanks> banks, ActiveBanks::Build(snapshot));
  logger_.Info("hash_banks_loaded", {{"version", banks->version()},
                                     {"entries", static_cast<int64_t>(banks->entry_count())},
                                     {"build_ms", absl::ToInt64Milliseconds(absl::Now() - started)}});
  const int64_t version = banks->version();
  holder_.Set(std::move(banks));
  absl::MutexLock lock(&loaded_mu_);
  loaded_version_ = version;
  return absl::OkStatus();
}

bool BankReloader::AwaitVersion(int64_t version, absl::Duration timeout) {
  absl::MutexLock lock(&loaded_mu_);
  const auto reached = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(loaded_mu_) { return loaded_version_ >= version; };
  return loaded_mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
}

}  // namespace clipforge::moderation_service
