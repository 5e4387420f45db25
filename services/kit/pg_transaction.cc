#include "services/kit/pg_transaction.h"

#include <algorithm>
#include <random>

#include <pqxx/nontransaction>

#include "absl/time/clock.h"
#include "services/kit/pg_errors.h"

namespace clipforge::kit {
namespace {

const char* BeginStatement(const TxnOptions& options) {
  switch (options.isolation) {
    case Isolation::kSerializable:
      return options.read_only ? "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE READ ONLY"
                               : "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE";
    case Isolation::kRepeatableRead:
      return options.read_only ? "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"
                               : "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ";
    case Isolation::kReadCommitted:
      return options.read_only ? "SET TRANSACTION READ ONLY" : nullptr;
  }
  return nullptr;
}

bool Retryable(const absl::Status& status) {
  // In a transaction, UNAVAILABLE means the connection broke before COMMIT
  // was sent (an in-doubt commit maps to UNKNOWN), so nothing was applied.
  // Outside one (RunAutocommit) earlier statements may have committed: its
  // callers promise that running again is safe.
  return absl::IsAborted(status) || absl::IsUnavailable(status);
}

// Runs `attempt` on a leased connection, retrying transient failures with
// jittered exponential backoff.
absl::Status WithRetries(PgPool& pool, const TxnOptions& options,
                         absl::FunctionRef<absl::Status(pqxx::connection&)> attempt) {
  thread_local std::minstd_rand jitter(std::random_device{}());
  absl::Duration backoff = options.initial_backoff;
  absl::Status status;
  for (int n = 1; n <= options.max_attempts; ++n) {
    absl::StatusOr<PgPool::Lease> lease = pool.Acquire();
    if (!lease.ok()) {
      status = lease.status();
    } else {
      status = CatchPqxx([&] { return attempt(**lease); });
      if (absl::IsUnavailable(status) || absl::IsUnknown(status)) lease->Discard();
    }
    if (status.ok() || !Retryable(status) || n == options.max_attempts) break;
    std::uniform_int_distribution<int64_t> spread(0, absl::ToInt64Microseconds(backoff));
    absl::SleepFor(backoff / 2 + absl::Microseconds(spread(jitter)) / 2);
    backoff = std::min(backoff * 2, options.max_backoff);
  }
  return status;
}

}  // namespace

absl::Status RunInTransaction(PgPool& pool, const TxnOptions& options,
                              absl::FunctionRef<absl::Status(pqxx::work&)> work) {
  return WithRetries(pool, options, [&](pqxx::connection& conn) -> absl::Status {
    pqxx::work txn(conn);
    if (const char* begin = BeginStatement(options)) txn.exec(begin);
    absl::Status result = work(txn);
    if (!result.ok()) return result;  // ~work rolls back.
    txn.commit();
    return absl::OkStatus();
  });
}

absl::Status RunAutocommit(PgPool& pool, absl::FunctionRef<absl::Status(pqxx::transaction_base&)> work) {
  return WithRetries(pool, TxnOptions{}, [&](pqxx::connection& conn) {
    pqxx::nontransaction statements(conn);
    return work(statements);
  });
}

}  // namespace clipforge::kit
