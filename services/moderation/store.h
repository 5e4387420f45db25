// The moderation service's Postgres store: ModerationStore
// (store_interface.h) over the service's pool (role cf_moderation), every
// statement a named constant prepared once per connection.
#pragma once

#include <vector>

#include "services/kit/pg_pool.h"
#include "services/moderation/store_interface.h"

namespace clipforge::moderation_service {

class PgModerationStore final : public ModerationStore {
 public:
  // Every statement of the service (outbox and idempotency included).
  static std::vector<kit::PreparedStatement> Statements();

  // `pool` is not owned.
  explicit PgModerationStore(kit::PgPool& pool) : pool_(pool) {}

  absl::Status Transact(TxMode mode, absl::FunctionRef<absl::Status(ModerationTx&)> work) override;
  absl::StatusOr<int64_t> PolicyVersion() override;
  absl::StatusOr<PolicySnapshot> LoadPolicy() override;
  absl::StatusOr<PolicyChanges> LoadPolicyChanges(int64_t since) override;
  absl::Status ScanAudit(int64_t first, int64_t last,
                         absl::FunctionRef<void(const AuditEntryRecord&)> visit) override;
  absl::StatusOr<AuditHead> ReadAuditHead() override;
  absl::StatusOr<int64_t> BanksVersion() override;
  absl::StatusOr<BankSnapshot> LoadBanks() override;

 private:
  kit::PgPool& pool_;
};

}  // namespace clipforge::moderation_service
