#include "services/kit/pg_errors.h"

#include <gtest/gtest.h>

#include <pqxx/except>

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

TEST(PgErrorsTest, KeepsOnlyTheFirstLineOfServerMessages) {
  const absl::Status status =
      StatusFromPqxx(pqxx::unique_violation("duplicate key\nDETAIL: Key (email)=(a@b.c)", "", "23505"));
  EXPECT_EQ(status.message(), "database: duplicate key");
}

}  // namespace
}  // namespace clipforge::kit
