// Runs a unit of work in one transaction, retrying transient failures.
#pragma once

#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/kit/pg_pool.h"

namespace clipforge::kit {

enum class Isolation { kReadCommitted, kRepeatableRead, kSerializable };

struct TxnOptions {
  Isolation isolation = Isolation::kReadCommitted;
  bool read_only = false;
  int max_attempts = 5;
  absl::Duration initial_backoff = absl::Milliseconds(5);
  absl::Duration max_backoff = absl::Milliseconds(200);
};

// Opens a transaction, runs `work` and commits when it returns OK (rolls
// back otherwise, returning its status). Serialization failures, deadlocks
// and connections that broke before the commit are retried with jittered
// exponential backoff, so `work` must be safe to run again (no side effects
// outside the transaction). A commit whose outcome is unknown is never
// retried: it returns UNKNOWN and the caller re-reads by idempotency key.
absl::Status RunInTransaction(PgPool& pool, const TxnOptions& options,
                              absl::FunctionRef<absl::Status(pqxx::work&)> work);

inline absl::Status RunInTransaction(PgPool& pool,
                                     absl::FunctionRef<absl::Status(pqxx::work&)> work) {
  return RunInTransaction(pool, TxnOptions{}, work);
}

// Runs `work` on a pooled connection outside any transaction block: each
// statement commits by itself, so one statement costs one round trip instead
// of three or four (BEGIN, SET ..., the statement, COMMIT). For a single read
// (each statement sees its own snapshot) or a single write that is safe to
// send again: a broken connection is retried like RunInTransaction's, and a
// write may have committed before the connection broke.
absl::Status RunAutocommit(PgPool& pool, absl::FunctionRef<absl::Status(pqxx::transaction_base&)> work);

}  // namespace clipforge::kit
