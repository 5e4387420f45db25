// What every service's Postgres transaction object implements the same
// way over its pqxx::work: the outbox append and the idempotency log. A
// store's transaction class derives from PgTxBase<ItsTxInterface> and adds
// its own statements on `txn_`.
#pragma once

#include <optional>
#include <string>

#include <pqxx/transaction>

#include "clipforge/v1/events.pb.h"
#include "services/kit/outbox.h"
#include "services/kit/pg_idempotency.h"

namespace clipforge::kit {

// `Tx` declares AppendEvent and derives from IdempotencyLog.
template <typename Tx>
class PgTxBase : public Tx {
 public:
  // Neither is owned.
  PgTxBase(pqxx::work& txn, const PgIdempotencyLog& idempotency) : txn_(txn), idempotency_(idempotency) {}

  absl::Status AppendEvent(const v1::EventEnvelope& event) override { return OutboxWriter::Append(txn_, event); }
  std::optional<IdempotencyRecord> FindIdempotency(const std::string& caller_id,
                                                   const std::string& request_id) override {
    return idempotency_.Find(txn_, caller_id, request_id);
  }
  void SaveIdempotency(const IdempotencyKey& key, const std::string& result) override {
    idempotency_.Save(txn_, key, result);
  }

 protected:
  pqxx::work& txn_;

 private:
  const PgIdempotencyLog& idempotency_;
};

}  // namespace clipforge::kit
