// Migrations against a real Postgres: ordering, checksums, the advisory
// lock, rollback of a failing migration, and the per-service roles.
#include "services/kit/migrator.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/match.h"
#include "services/kit/grpc_status.h"

#include <pqxx/pqxx>

#include "services/kit/pg_pool.h"
#include "services/kit/pg_transaction.h"
#include "tests/support/test_servers.h"

namespace clipforge::kit {
namespace {

using clipforge::testing::TempDir;
using clipforge::testing::TestPostgres;

void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

int64_t Count(const std::string& dsn, const std::string& sql) {
  pqxx::connection conn(dsn);
  pqxx::nontransaction txn(conn);
  return txn.exec1(sql)[0].as<int64_t>();
}

TEST(MigratorTest, AppliesProjectMigrationsOnceAndRerunIsANoOp) {
  auto pg = TestPostgres::Start();
  auto migrations = LoadMigrations(CF_MIGRATIONS_DIR);
  ASSERT_TRUE(migrations.ok()) << migrations.status();
  ASSERT_FALSE(migrations->empty());

  auto first = ApplyMigrations(pg->dsn(), *migrations);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->applied.size(), migrations->size());
  EXPECT_EQ(first->already_applied, 0);

  auto second = ApplyMigrations(pg->dsn(), *migrations);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->applied.empty());
  EXPECT_EQ(second->already_applied, static_cast<int>(migrations->size()));
  EXPECT_EQ(Count(pg->dsn(), "SELECT count(*) FROM public.schema_migrations"),
            static_cast<int64_t>(migrations->size()));
}

TEST(MigratorTest, RefusesAnAppliedMigrationThatWasEdited) {
  auto pg = TestPostgres::Start();
  TempDir dir;
  Write(dir.path() + "/0001_create.sql", "CREATE TABLE t (id int);");
  ASSERT_TRUE(ApplyMigrations(pg->dsn(), LoadMigrations(dir.path()).value()).ok());

  Write(dir.path() + "/0001_create.sql", "CREATE TABLE t (id bigint);");
  const auto result = ApplyMigrations(pg->dsn(), LoadMigrations(dir.path()).value());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(result.status().message().find("0001_create.sql was changed after it was applied"),
            std::string::npos)
      << result.status();
}

TEST(MigratorTest, AFailingMigrationLeavesNothingBehindAndStopsTheRun) {
  auto pg = TestPostgres::Start();
  TempDir dir;
  Write(dir.path() + "/0001_ok.sql", "CREATE TABLE a (id int);");
  Write(dir.path() + "/0002_broken.sql", "CREATE TABLE b (id int); SELECT no_such_function();");
  Write(dir.path() + "/0003_later.sql", "CREATE TABLE c (id int);");
  const auto result = ApplyMigrations(pg->dsn(), LoadMigrations(dir.path()).value());
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(Count(pg->dsn(), "SELECT count(*) FROM public.schema_migrations"), 1);
  EXPECT_EQ(Count(pg->dsn(), "SELECT count(*) FROM pg_tables WHERE tablename IN ('b', 'c')"), 0);

  Write(dir.path() + "/0002_broken.sql", "CREATE TABLE b (id int);");
  const auto fixed = ApplyMigrations(pg->dsn(), LoadMigrations(dir.path()).value());
  ASSERT_TRUE(fixed.ok()) << fixed.status();
  EXPECT_EQ(fixed->applied, (std::vector<std::string>{"0002_broken.sql", "0003_later.sql"}));
}

TEST(MigratorTest, ConcurrentRunsApplyEachMigrationExactlyOnce) {
  auto pg = TestPostgres::Start();
  TempDir dir;
  // Slow enough that the two runs overlap without the lock.
  Write(dir.path() + "/0001_slow.sql", "SELECT pg_sleep(0.5); CREATE TABLE once (id int);");
  const auto migrations = LoadMigrations(dir.path()).value();
  absl::StatusOr<MigrationReport> a, b;
  std::thread ta([&] { a = ApplyMigrations(pg->dsn(), migrations); });
  std::thread tb([&] { b = ApplyMigrations(pg->dsn(), migrations); });
  ta.join();
  tb.join();
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(a->applied.size() + b->applied.size(), 1u);
}

TEST(MigratorTest, RejectsBadlyNamedFiles) {
  TempDir dir;
  Write(dir.path() + "/create_things.sql", "SELECT 1;");
  EXPECT_EQ(LoadMigrations(dir.path()).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(MigratorTest, EachServiceRoleReachesOnlyItsSchemaAndAppendsToTheOutbox) {
  auto pg = TestPostgres::Start();
  ASSERT_TRUE(ApplyMigrations(pg->dsn(), LoadMigrations(CF_MIGRATIONS_DIR).value()).ok());
  PgPool feed({.dsn = pg->dsn(), .size = 1, .role = "cf_feed"});

  EXPECT_TRUE(RunInTransaction(feed, [](pqxx::work& txn) {
                txn.exec("INSERT INTO feed.inbox (consumer, event_id) VALUES ('t', gen_random_uuid())");
                txn.exec("INSERT INTO bus.outbox (event_id, subject, aggregate_id, envelope) "
                         "VALUES (gen_random_uuid(), 'clipforge.feed.ping', 'a', '\\x00')");
                return absl::OkStatus();
              }).ok());
  // Only its own subjects: the feed cannot publish the users' events.
  const absl::Status forged = RunInTransaction(feed, [](pqxx::work& txn) {
    txn.exec("INSERT INTO bus.outbox (event_id, subject, aggregate_id, envelope) "
             "VALUES (gen_random_uuid(), 'clipforge.user.deleted', 'a', '\\x00')");
    return absl::OkStatus();
  });
  EXPECT_EQ(forged.code(), absl::StatusCode::kInternal) << forged;
  EXPECT_TRUE(absl::StrContains(PrivateDetailOf(forged).value_or(""), "may not publish")) << forged;
  EXPECT_EQ(RunInTransaction(feed, [](pqxx::work& txn) {
              txn.exec("SELECT count(*) FROM users.inbox");
              return absl::OkStatus();
            }).code(),
            absl::StatusCode::kInternal);  // permission denied for schema users
  EXPECT_EQ(RunInTransaction(feed, [](pqxx::work& txn) {
              txn.exec("SELECT count(*) FROM bus.outbox");
              return absl::OkStatus();
            }).code(),
            absl::StatusCode::kInternal);  // producers may only append
}

}  // namespace
}  // namespace clipforge::kit
