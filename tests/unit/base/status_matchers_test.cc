#include "base/testing/status_matchers.h"

#include <gtest/gtest.h>

namespace clipforge::base::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

absl::StatusOr<int> Parse(bool ok) {
  if (!ok) return absl::InvalidArgumentError("digits: not a number");
  return 7;
}

TEST(StatusMatchersTest, MatchAndMismatch) {
  EXPECT_THAT(absl::OkStatus(), IsOk());
  EXPECT_THAT(Parse(true), IsOk());
  EXPECT_THAT(Parse(false), Not(IsOk()));
  EXPECT_THAT(Parse(false), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Parse(false), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("digits")));
  EXPECT_THAT(Parse(false), Not(StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("letters"))));
  EXPECT_THAT(Parse(false), Not(StatusIs(absl::StatusCode::kNotFound)));
  EXPECT_THAT(Parse(true), IsOkAndHolds(7));
  EXPECT_THAT(Parse(true), Not(IsOkAndHolds(8)));
  EXPECT_THAT(Parse(false), Not(IsOkAndHolds(7)));
}

TEST(StatusMatchersTest, AssertOkAndAssignBindsTheValue) {
  ASSERT_OK_AND_ASSIGN(const int value, Parse(true));
  EXPECT_EQ(value, 7);
}

}  // namespace
}  // namespace clipforge::base::testing
