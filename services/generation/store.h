// The generation service's Postgres store: GenerationStore
// (store_interface.h) over the service's pool (role cf_generation), every
// statement a named constant prepared once per connection.
#pragma once

#include <vector>

#include <pqxx/transaction>

#include "services/generation/store_interface.h"
#include "services/kit/pg_pool.h"

namespace clipforge::generation_service {

class PgGenerationStore final : public GenerationStore {
 public:
  // Every statement of the service (outbox and idempotency included).
  static std::vector<kit::PreparedStatement> Statements();

  // `pool` is not owned.
  explicit PgGenerationStore(kit::PgPool& pool) : pool_(pool) {}

  absl::Status Transact(TxMode mode, absl::FunctionRef<absl::Status(GenerationTx&)> work) override;
  // Runs `work` in a transaction someone else opened (an event consumer's,
  // which records the event in the same commit).
  static absl::Status InTransaction(pqxx::work& txn, absl::FunctionRef<absl::Status(GenerationTx&)> work);

 private:
  kit::PgPool& pool_;
};

}  // namespace clipforge::generation_service
