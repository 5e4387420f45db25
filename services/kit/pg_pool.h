// A fixed-size pool of libpqxx connections. Connections open lazily and are
// replaced after they break, so the process survives a Postgres outage: calls
// fail with UNAVAILABLE meanwhile and succeed again once it is back.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <pqxx/connection>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace clipforge::kit {

// A named prepared statement: `sql` uses $1, $2... and never user input.
struct PreparedStatement {
  std::string name;
  std::string sql;
};

struct PgPoolOptions {
  std::string dsn;
  int size = 8;
  // When set, every connection runs `SET ROLE <role>`: the service's role can
  // touch only its own schema (and insert into bus.outbox).
  std::string role;
  absl::Duration statement_timeout = absl::Seconds(5);
  // Commits on these connections do not wait for the WAL flush (the session
  // runs with synchronous_commit = off): a crash can lose the last few
  // hundred milliseconds of them, never corrupt them. Only for a pool that
  // writes state cheap to lose, such as login sessions (the client logs in
  // again); never for money or events.
  bool async_commit = false;
  // Every prepared statement is planned for its parameters each time
  // (plan_cache_mode = force_custom_plan). For a pool whose statements meet
  // skewed data: after five runs Postgres may settle on a generic plan made
  // for the average value, and the average root of a fork tree has one
  // clip, while a viral one has 100,000 (a 0.1 ms page became 540 ms).
  bool custom_plans = false;
  absl::Duration acquire_timeout = absl::Seconds(2);
  std::vector<PreparedStatement> statements;
};

class PgPool {
 public:
  explicit PgPool(PgPoolOptions options);
  ~PgPool();

  // Exclusive use of one connection; returns it to the pool when destroyed.
  class Lease {
   public:
    Lease(Lease&& other) noexcept : pool_(std::exchange(other.pool_, nullptr)), conn_(std::move(other.conn_)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    pqxx::connection& operator*() { return *conn_; }
    pqxx::connection* operator->() { return conn_.get(); }
    // Drop the connection instead of returning it (after a broken_connection
    // or an in-doubt commit).
    void Discard() { conn_.reset(); }

   private:
    friend class PgPool;
    Lease(PgPool* pool, std::unique_ptr<pqxx::connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    PgPool* pool_;
    std::unique_ptr<pqxx::connection> conn_;
  };

  // UNAVAILABLE when Postgres cannot be reached, RESOURCE_EXHAUSTED when no
  // connection frees up within acquire_timeout.
  absl::StatusOr<Lease> Acquire();

  // OK when a connection answers SELECT 1 (readiness checks).
  absl::Status Ping();

  const PgPoolOptions& options() const { return options_; }

 private:
  absl::StatusOr<std::unique_ptr<pqxx::connection>> Open();
  void Return(std::unique_ptr<pqxx::connection> conn);

  const PgPoolOptions options_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_ ABSL_GUARDED_BY(mu_);
  int leased_or_opening_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace clipforge::kit
