// gMock matchers for absl::Status and absl::StatusOr, which Debian 12's
// Abseil (20220623) does not ship:
//   EXPECT_THAT(Fn(), IsOk());
//   EXPECT_THAT(Fn(), StatusIs(absl::StatusCode::kNotFound));
//   EXPECT_THAT(Fn(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("handle")));
//   EXPECT_THAT(Parse("1"), IsOkAndHolds(1));
//   ASSERT_OK_AND_ASSIGN(auto value, Parse("1"));
#pragma once

#include <ostream>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"

namespace clipforge::base::testing {
namespace internal {

inline const absl::Status& GetStatus(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

}  // namespace internal

MATCHER(IsOk, negation ? "is not OK" : "is OK") {
  const absl::Status& status = internal::GetStatus(arg);
  if (!status.ok()) *result_listener << "status is " << status;
  return status.ok();
}

MATCHER_P(StatusIs, code,
          std::string(negation ? "does not have" : "has") + " code " + absl::StatusCodeToString(code)) {
  const absl::Status& status = internal::GetStatus(arg);
  *result_listener << "status is " << status;
  return status.code() == code;
}

MATCHER_P2(StatusIs, code, message_matcher,
           std::string(negation ? "does not have" : "has") + " code " + absl::StatusCodeToString(code) +
               " and a message that " + ::testing::DescribeMatcher<std::string>(message_matcher, negation)) {
  const absl::Status& status = internal::GetStatus(arg);
  *result_listener << "status is " << status;
  return status.code() == code &&
         ::testing::ExplainMatchResult(message_matcher, std::string(status.message()), result_listener);
}

MATCHER_P(IsOkAndHolds, value_matcher,
          negation ? "is not OK or holds a value that does not match" : "is OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(value_matcher, *arg, result_listener);
}

}  // namespace clipforge::base::testing

#define CF_TESTING_CONCAT_INNER_(a, b) a##b
#define CF_TESTING_CONCAT_(a, b) CF_TESTING_CONCAT_INNER_(a, b)
// Binds the value of an OK StatusOr, or fails the test (fatally) with its status.
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(CF_TESTING_CONCAT_(cf_statusor_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, expr)              \
  auto statusor = (expr);                                            \
  ASSERT_TRUE(statusor.ok()) << "status is " << statusor.status(); \
  lhs = std::move(statusor).value()
