#include "services/kit/pg_idempotency.h"

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"

namespace clipforge::kit {

PgIdempotencyLog::PgIdempotencyLog(std::string schema)
    : schema_(std::move(schema)),
      find_(absl::StrCat(schema_, "_find_idempotency")),
      save_(absl::StrCat(schema_, "_save_idempotency")),
      expire_(absl::StrCat(schema_, "_expire_idempotency")),
      forget_(absl::StrCat(schema_, "_forget_idempotency")) {}

std::vector<PreparedStatement> PgIdempotencyLog::Statements() const {
  // The schema is a constant of the service, never input.
  const std::string table = absl::StrCat(schema_, ".idempotency");
  return {
      {find_, absl::StrCat("SELECT method, fingerprint, response FROM ", table,
                           " WHERE caller_id = $1::uuid AND request_id = $2::uuid "
                           "AND created_at > now() - interval '24 hours'")},
      {save_, absl::StrCat("INSERT INTO ", table, " (caller_id, request_id, method, fingerprint, response) "
                           "VALUES ($1::uuid, $2::uuid, $3, $4, $5) ON CONFLICT DO NOTHING")},
      {expire_, absl::StrCat("DELETE FROM ", table,
                             " WHERE caller_id = $1::uuid AND created_at < now() - interval '24 hours'")},
      {forget_, absl::StrCat("DELETE FROM ", table, " WHERE caller_id = $1::uuid")},
  };
}

std::optional<IdempotencyRecord> PgIdempotencyLog::Find(pqxx::work& txn, const std::string& caller_id,
                                                        const std::string& request_id) const {
  const pqxx::result r = txn.exec_prepared(find_, caller_id, request_id);
  if (r.empty()) return std::nullopt;
  return IdempotencyRecord{r[0][0].as<std::string>(), r[0][1].as<std::string>(),
                           pqxx::binarystring(r[0][2]).str()};
}

void PgIdempotencyLog::Save(pqxx::work& txn, const IdempotencyKey& key, const std::string& result) const {
  txn.exec_prepared(expire_, key.caller_id);
  if (txn.exec_prepared(save_, key.caller_id, key.request_id, key.method, key.fingerprint,
                        pqxx::binarystring(result.data(), result.size()))
          .affected_rows() == 0) {
    throw pqxx::serialization_failure("a concurrent request with the same request_id finished first");
  }
}

void PgIdempotencyLog::ForgetCaller(pqxx::work& txn, const std::string& caller_id) const {
  txn.exec_prepared(forget_, caller_id);
}

}  // namespace clipforge::kit
