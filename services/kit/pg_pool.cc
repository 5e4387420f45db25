#include "services/kit/pg_pool.h"

#include <pqxx/nontransaction>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/kit/pg_errors.h"
#include "services/kit/grpc_status.h"

namespace clipforge::kit {

PgPool::PgPool(PgPoolOptions options) : options_(std::move(options)) {}

PgPool::~PgPool() = default;

PgPool::Lease::~Lease() {
  if (pool_ != nullptr) pool_->Return(std::move(conn_));
}

absl::StatusOr<PgPool::Lease> PgPool::Acquire() {
  std::unique_ptr<pqxx::connection> conn;
  {
    absl::MutexLock lock(&mu_);
    const auto slot_free = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || leased_or_opening_ + static_cast<int>(idle_.size()) < options_.size;
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&slot_free), options_.acquire_timeout)) {
      return absl::ResourceExhaustedError("database: no connection available (pool exhausted)");
    }
    ++leased_or_opening_;
    if (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (conn == nullptr || !conn->is_open()) {
    absl::StatusOr<std::unique_ptr<pqxx::connection>> opened = Open();
    if (!opened.ok()) {
      Return(nullptr);
      return opened.status();
    }
    conn = *std::move(opened);
  }
  return Lease(this, std::move(conn));
}

absl::Status PgPool::Ping() {
  absl::StatusOr<Lease> lease = Acquire();
  if (!lease.ok()) return lease.status();
  const absl::Status status = CatchPqxx([&] {
    pqxx::nontransaction(**lease).exec("SELECT 1");
    return absl::OkStatus();
  });
  if (!status.ok()) lease->Discard();  // Broken or in doubt: open a new one next time.
  return status;
}

absl::StatusOr<std::unique_ptr<pqxx::connection>> PgPool::Open() {
  std::unique_ptr<pqxx::connection> conn;
  absl::Status status = CatchPqxx([&] {
    conn = std::make_unique<pqxx::connection>(options_.dsn);
    // libpqxx 6 may reopen a dropped connection by itself, without the SET
    // ROLE and settings below; a dropped connection must fail instead, so
    // that the pool replaces it with one set up here. (Deprecated in 6.x
    // with no replacement; 7.x never reactivates.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    conn->inhibit_reactivation(true);
#pragma GCC diagnostic pop
    pqxx::nontransaction setup(*conn);
    setup.exec(absl::StrCat("SET statement_timeout = ",
                            absl::ToInt64Milliseconds(options_.statement_timeout)));
    // A role name is configuration, never user input; quote it anyway.
    if (!options_.role.empty()) setup.exec("SET ROLE " + setup.quote_name(options_.role));
    if (options_.async_commit) setup.exec("SET synchronous_commit = off");
    if (options_.custom_plans) setup.exec("SET plan_cache_mode = force_custom_plan");
    setup.commit();
    for (const PreparedStatement& statement : options_.statements) {
      conn->prepare(statement.name, statement.sql);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    // Any failure while connecting means the database is not usable now.
    // What libpq said (host, port, role) stays a private detail.
    return WithPrivateDetail(absl::UnavailableError("database unavailable"),
                             PrivateDetailOf(status).value_or(std::string(status.message())));
  }
  return conn;
}

void PgPool::Return(std::unique_ptr<pqxx::connection> conn) {
  absl::MutexLock lock(&mu_);
  --leased_or_opening_;
  if (conn != nullptr && conn->is_open()) idle_.push_back(std::move(conn));
}

}  // namespace clipforge::kit
