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
  // Commit without waiting for the WAL flush (SET LOCAL synchronous_commit
  // = off): a crash can lose the last few hundred milliseconds of such
  // commits, never corrupt them. Only for state that is cheap to lose, such
  // as a login session (the client logs in again); never for money.
  bool async_commit = false;
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

// Runs `read` on a pooled connection outside any transaction block, so a
// single SELECT costs one round trip instead of four (BEGIN, SET TRANSACTION
// READ ONLY, the query, COMMIT). Only for work that reads, with one statement
// (each statement sees its own snapshot). Broken connections are retried
// like RunInTransaction's.
absl::Status RunSingleRead(PgPool& pool, absl::FunctionRef<absl::Status(pqxx::transaction_base&)> read);

}  // namespace clipforge::kit
