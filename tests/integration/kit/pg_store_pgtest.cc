// The pool and the transaction helper against a real Postgres, including an
// outage: calls fail with UNAVAILABLE and the same pool recovers by itself.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "services/kit/pg_pool.h"
#include "services/kit/pg_transaction.h"
#include "tests/support/test_servers.h"

namespace clipforge::kit {
namespace {

using clipforge::testing::TestPostgres;

absl::Status Exec(PgPool& pool, const std::string& sql) {
  return RunInTransaction(pool, [&](pqxx::work& txn) {
    txn.exec(sql);
    return absl::OkStatus();
  });
}

int64_t Scalar(PgPool& pool, const std::string& sql) {
  int64_t value = -1;
  EXPECT_TRUE(RunInTransaction(pool, [&](pqxx::work& txn) {
                value = txn.exec1(sql)[0].as<int64_t>();
                return absl::OkStatus();
              }).ok());
  return value;
}

TEST(PgStoreTest, CommitsOnOkAndRollsBackOnError) {
  auto pg = TestPostgres::Start();
  PgPool pool({.dsn = pg->dsn(), .size = 2});
  ASSERT_TRUE(Exec(pool, "CREATE TABLE t (id int PRIMARY KEY)").ok());
  ASSERT_TRUE(Exec(pool, "INSERT INTO t VALUES (1)").ok());
  const absl::Status failed = RunInTransaction(pool, [](pqxx::work& txn) {
    txn.exec("INSERT INTO t VALUES (2)");
    return absl::FailedPreconditionError("domain said no");
  });
  EXPECT_EQ(failed.message(), "domain said no");
  EXPECT_EQ(Scalar(pool, "SELECT count(*) FROM t"), 1);
  EXPECT_EQ(Exec(pool, "INSERT INTO t VALUES (1)").code(), absl::StatusCode::kAlreadyExists);
}

TEST(PgStoreTest, SerializationFailuresAreRetriedUntilEveryIncrementLands) {
  auto pg = TestPostgres::Start();
  PgPool pool({.dsn = pg->dsn(), .size = 4});
  ASSERT_TRUE(Exec(pool, "CREATE TABLE counter (n int); INSERT INTO counter VALUES (0)").ok());
  TxnOptions options{.isolation = Isolation::kSerializable, .max_attempts = 50};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        const absl::Status s = RunInTransaction(pool, options, [](pqxx::work& txn) {
          const int n = txn.exec1("SELECT n FROM counter")[0].as<int>();
          txn.exec("UPDATE counter SET n = " + std::to_string(n + 1));
          return absl::OkStatus();
        });
        if (!s.ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Scalar(pool, "SELECT n FROM counter"), 100);
}

TEST(PgStoreTest, OutageGivesUnavailableAndThePoolRecoversByItself) {
  auto pg = TestPostgres::Start();
  PgPool pool({.dsn = pg->dsn(), .size = 2, .acquire_timeout = absl::Seconds(1)});
  ASSERT_EQ(Scalar(pool, "SELECT 1"), 1);  // The pool now holds an open connection.

  pg->Stop();
  const absl::Status down = Exec(pool, "SELECT 1");
  EXPECT_EQ(down.code(), absl::StatusCode::kUnavailable) << down;

  pg->Restart();
  EXPECT_TRUE(Exec(pool, "SELECT 1").ok());
}

TEST(PgStoreTest, CrashedPostgresGivesUnavailableNotACrash) {
  auto pg = TestPostgres::Start();
  PgPool pool({.dsn = pg->dsn(), .size = 1});
  ASSERT_EQ(Scalar(pool, "SELECT 1"), 1);
  pg->Crash();
  EXPECT_EQ(Exec(pool, "SELECT 1").code(), absl::StatusCode::kUnavailable);
  pg->Restart();
  EXPECT_TRUE(Exec(pool, "SELECT 1").ok());
}

TEST(PgStoreTest, StatementTimeoutIsDeadlineExceeded) {
  auto pg = TestPostgres::Start();
  PgPool pool({.dsn = pg->dsn(), .size = 1, .statement_timeout = absl::Milliseconds(100)});
  EXPECT_EQ(Exec(pool, "SELECT pg_sleep(2)").code(), absl::StatusCode::kDeadlineExceeded);
}

TEST(PgStoreTest, ExhaustedPoolIsResourceExhaustedAfterTheAcquireTimeout) {
  auto pg = TestPostgres::Start();
  PgPool pool({.dsn = pg->dsn(), .size = 1, .acquire_timeout = absl::Milliseconds(100)});
  auto held = pool.Acquire();
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(pool.Acquire().status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(PgStoreTest, PreparedStatementsAreAvailableOnEveryConnection) {
  auto pg = TestPostgres::Start();
  PgPool pool({.dsn = pg->dsn(), .size = 2,
               .statements = {{"add", "SELECT $1::int + $2::int"}}});
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(RunInTransaction(pool, [](pqxx::work& txn) {
                  EXPECT_EQ(txn.exec_prepared1("add", 2, 3)[0].as<int>(), 5);
                  return absl::OkStatus();
                }).ok());
  }
}

std::string Setting(PgPool& pool, const std::string& name) {
  std::string value;
  EXPECT_TRUE(RunAutocommit(pool, [&](pqxx::transaction_base& statements) {
                value = statements.exec1("SHOW " + statements.quote_name(name))[0].as<std::string>();
                return absl::OkStatus();
              }).ok());
  return value;
}

TEST(PgStoreTest, AutocommitRunsEachStatementInItsOwnTransaction) {
  auto pg = TestPostgres::Start();
  PgPool pool({.dsn = pg->dsn(), .size = 1});
  ASSERT_TRUE(Exec(pool, "CREATE TABLE t (id int PRIMARY KEY)").ok());
  int64_t first_txid = 0, second_txid = 0;
  const absl::Status second_failed = RunAutocommit(pool, [&](pqxx::transaction_base& statements) {
    first_txid = statements.exec1("INSERT INTO t VALUES (1) RETURNING txid_current()")[0].as<int64_t>();
    second_txid = statements.exec1("INSERT INTO t VALUES (2) RETURNING txid_current()")[0].as<int64_t>();
    statements.exec("INSERT INTO t VALUES (1)");  // A unique violation: only this statement fails.
    return absl::OkStatus();
  });
  EXPECT_EQ(second_failed.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(first_txid, second_txid);
  EXPECT_EQ(Scalar(pool, "SELECT count(*) FROM t"), 2);
}

TEST(PgStoreTest, AsyncCommitPoolsSkipTheFlushWaitAndOthersDoNot) {
  auto pg = TestPostgres::Start(/*durable=*/true);
  PgPool durable({.dsn = pg->dsn(), .size = 1});
  PgPool async({.dsn = pg->dsn(), .size = 1, .async_commit = true});
  EXPECT_EQ(Setting(durable, "synchronous_commit"), "on");
  EXPECT_EQ(Setting(async, "synchronous_commit"), "off");
  // Still a commit: visible to other connections at once.
  ASSERT_TRUE(Exec(durable, "CREATE TABLE t (id int PRIMARY KEY)").ok());
  ASSERT_TRUE(RunAutocommit(async, [](pqxx::transaction_base& statements) {
                statements.exec("INSERT INTO t VALUES (1)");
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(Scalar(durable, "SELECT count(*) FROM t"), 1);
}

TEST(PgStoreTest, AConnectionTheServerDroppedComesBackWithItsRoleAndSettings) {
  auto pg = TestPostgres::Start();
  PgPool admin({.dsn = pg->dsn(), .size = 1});
  ASSERT_TRUE(Exec(admin, "CREATE ROLE tester NOLOGIN; GRANT tester TO CURRENT_USER").ok());
  PgPool pool({.dsn = pg->dsn(), .size = 1, .role = "tester", .statement_timeout = absl::Seconds(7)});
  const int64_t pid = Scalar(pool, "SELECT pg_backend_pid()");
  ASSERT_EQ(Scalar(admin, absl::StrCat("SELECT pg_terminate_backend(", pid, ")::int")), 1);
  // libpqxx would reconnect such a connection by itself, without the pool's
  // SET ROLE: the next call must get a connection set up like the first.
  std::string user, timeout;
  ASSERT_TRUE(RunAutocommit(pool, [&](pqxx::transaction_base& statements) {
                user = statements.exec1("SELECT current_user")[0].as<std::string>();
                timeout = statements.exec1("SHOW statement_timeout")[0].as<std::string>();
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(user, "tester");
  EXPECT_EQ(timeout, "7s");
  EXPECT_NE(Scalar(pool, "SELECT pg_backend_pid()"), pid);
}

}  // namespace
}  // namespace clipforge::kit
