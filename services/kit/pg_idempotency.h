// The Postgres side of idempotency.h: every service keeps its records in a
// table `<schema>.idempotency` of the same shape (caller_id uuid, request_id
// uuid, method text, fingerprint text, response bytea, created_at
// timestamptz, primary key (caller_id, request_id)), created by the
// service's migration. Records older than a day are forgotten: a caller's
// own old records go whenever it saves a new one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "services/kit/idempotency.h"
#include "services/kit/pg_pool.h"

namespace clipforge::kit {

class PgIdempotencyLog {
 public:
  // `schema` is the service's schema, e.g. "users"; statement names start
  // with it.
  explicit PgIdempotencyLog(std::string schema);

  // The statements to register on the service's pool.
  std::vector<PreparedStatement> Statements() const;

  std::optional<IdempotencyRecord> Find(pqxx::work& txn, const std::string& caller_id,
                                        const std::string& request_id) const;
  // Throws pqxx::serialization_failure when a concurrent transaction saved
  // the same (caller, request_id) first: RunInTransaction retries, and the
  // retry replays that record.
  void Save(pqxx::work& txn, const IdempotencyKey& key, const std::string& result) const;
  // Forgets every record of `caller_id` (account deletion).
  void ForgetCaller(pqxx::work& txn, const std::string& caller_id) const;

 private:
  std::string schema_;
  std::string find_;
  std::string save_;
  std::string expire_;
  std::string forget_;
};

}  // namespace clipforge::kit
