// The feed service's Postgres store: FeedStore (store_interface.h) over the
// service's pool (role cf_feed, schema feed: migrations/0022), every
// statement a named constant prepared once per connection.
#pragma once

#include <vector>

#include <pqxx/transaction>

#include "services/feed/store_interface.h"
#include "services/kit/pg_pool.h"

namespace clipforge::feed_service {

class PgFeedStore final : public FeedStore {
 public:
  // Every statement of the service (outbox and idempotency included).
  static std::vector<kit::PreparedStatement> Statements();

  // `pool` is not owned.
  explicit PgFeedStore(kit::PgPool& pool) : pool_(pool) {}

  absl::Status Transact(TxMode mode, absl::FunctionRef<absl::Status(FeedTx&)> work) override;
  // Runs `work` in a transaction someone else opened (an event consumer's,
  // which records the event in the same commit).
  static absl::Status InTransaction(pqxx::work& txn, absl::FunctionRef<absl::Status(FeedTx&)> work);

 private:
  kit::PgPool& pool_;
};

}  // namespace clipforge::feed_service
