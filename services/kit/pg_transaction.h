// Runs database work on a pooled connection, retrying transient failures: in
// one transaction (RunInTransaction), or statement by statement outside any
// transaction block (RunAutocommit).
#pragma once

#include <pqxx/transaction>
#include <pqxx/transaction_base>

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
// of three or four (BEGIN, SET ..., the statement, COMMIT). After a broken
// connection `work` runs again from the start, and what it wrote before the
// break may have committed: use it for one read (each statement sees its own
// snapshot) or one write that is safe to repeat (keyed by a request id, say),
// never for several writes that belong together.
absl::Status RunAutocommit(PgPool& pool, absl::FunctionRef<absl::Status(pqxx::transaction_base&)> work);

}  // namespace clipforge::kit
