// The clips service's Postgres store: ClipsStore (store_interface.h) over
// the service's pool (role cf_clips, schema clips: migrations/0017 and
// 0019), every statement a named constant prepared once per connection.
#pragma once

#include <vector>

#include <pqxx/transaction>

#include "services/clips/store_interface.h"
#include "services/kit/pg_pool.h"

namespace clipforge::clips_service {

class PgClipsStore final : public ClipsStore {
 public:
  // Every statement of the service (outbox and idempotency included).
  static std::vector<kit::PreparedStatement> Statements();

  // `pool` is not owned.
  explicit PgClipsStore(kit::PgPool& pool) : pool_(pool) {}

  absl::Status Transact(TxMode mode, absl::FunctionRef<absl::Status(ClipsTx&)> work) override;
  // Runs `work` in a transaction someone else opened (an event consumer's,
  // which records the event in the same commit).
  static absl::Status InTransaction(pqxx::work& txn, absl::FunctionRef<absl::Status(ClipsTx&)> work);

 private:
  kit::PgPool& pool_;
};

}  // namespace clipforge::clips_service
