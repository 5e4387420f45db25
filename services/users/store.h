// The users service's Postgres store: UsersStore (store_interface.h) over
// the service's two pools, every statement a named constant prepared once
// per connection.
#pragma once

#include <vector>

#include "services/kit/pg_idempotency.h"
#include "services/kit/pg_pool.h"
#include "services/users/store_interface.h"

namespace clipforge::users {

class PgUsersStore final : public UsersStore {
 public:
  // Every statement of the service (outbox and idempotency included): both
  // pools register them.
  static std::vector<kit::PreparedStatement> Statements();

  // `session_pool` runs with asynchronous commit (PgPoolOptions::async_commit)
  // and takes only the login's session write. Neither pool is owned.
  PgUsersStore(kit::PgPool& pool, kit::PgPool& session_pool) : pool_(pool), session_pool_(session_pool) {}

  absl::Status Transact(TxMode mode, absl::FunctionRef<absl::Status(UsersTx&)> work) override;
  absl::StatusOr<std::optional<Account>> AccountByLogin(const std::string& handle_or_email) override;
  absl::StatusOr<bool> OpenSession(const NewSession& session) override;
  absl::StatusOr<PurgedRows> PurgeEndedSessions(const PurgeCutoffs& cutoffs, int batch) override;
  absl::Status UpgradePasswordHash(const std::string& user_id, const std::string& old_hash,
                                   const std::string& new_hash) override;

 private:
  kit::PgPool& pool_;
  kit::PgPool& session_pool_;
};

}  // namespace clipforge::users
