#include "services/kit/pg_errors.h"

#include <gtest/gtest.h>

#include <pqxx/except>

#include "services/kit/grpc_status.h"

namespace clipforge::kit {
namespace {

TEST(PgErrorsTest, MapsLibpqxxExceptionsToCanonicalCodes) {
  EXPECT_EQ(StatusFromPqxx(pqxx::unique_violation("dup", "INSERT", "23505")).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(StatusFromPqxx(pqxx::foreign_key_violation("fk", "INSERT", "23503")).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(StatusFromPqxx(pqxx::check_violation("chk", "INSERT", "23514")).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(StatusFromPqxx(pqxx::serialization_failure("ser")).code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(StatusFromPqxx(pqxx::deadlock_detected("dl")).code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(StatusFromPqxx(pqxx::broken_connection("gone")).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(StatusFromPqxx(pqxx::in_doubt_error("commit?")).code(), absl::StatusCode::kUnknown);
  EXPECT_EQ(StatusFromPqxx(pqxx::statement_completion_unknown("?")).code(),
            absl::StatusCode::kUnknown);
  EXPECT_EQ(StatusFromPqxx(pqxx::sql_error("canceling statement", "SELECT", "57014")).code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(StatusFromPqxx(pqxx::sql_error("terminating", "SELECT", "57P01")).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(StatusFromPqxx(std::runtime_error("other")).code(), absl::StatusCode::kInternal);
}

TEST(PgErrorsTest, TheServersWordsAreAPrivateDetailOfItsFirstLine) {
  const absl::Status status = StatusFromPqxx(pqxx::unique_violation(
      "duplicate key value violates unique constraint \"accounts_email_key\"\nDETAIL: Key (email)=(a@b.c)", "",
      "23505"));
  EXPECT_EQ(status.message(), "database: conflicts with an existing row");
  EXPECT_EQ(PrivateDetailOf(status), "duplicate key value violates unique constraint \"accounts_email_key\"");
  const absl::Status down = StatusFromPqxx(
      pqxx::broken_connection("could not connect to server: Connection refused on host \"db.internal\""));
  EXPECT_EQ(down.message(), "database unavailable");
  EXPECT_NE(PrivateDetailOf(down)->find("db.internal"), std::string::npos);
}

}  // namespace
}  // namespace clipforge::kit
