#include "services/kit/open_file_limit.h"

#include <sys/resource.h>

#include <gtest/gtest.h>

namespace clipforge::kit {
namespace {

TEST(OpenFileLimitTest, RaisesALoweredSoftLimitToTheHardLimit) {
  rlimit original{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &original), 0);
  if (original.rlim_max <= 256) GTEST_SKIP() << "hard limit too low to lower the soft one below it";
  rlimit lowered = original;
  lowered.rlim_cur = 256;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);

  const absl::StatusOr<uint64_t> raised = RaiseOpenFileLimit();

  rlimit now{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
  setrlimit(RLIMIT_NOFILE, &original);  // Leave the test process as found.
  ASSERT_TRUE(raised.ok()) << raised.status();
  EXPECT_EQ(*raised, static_cast<uint64_t>(original.rlim_max));
  EXPECT_EQ(now.rlim_cur, original.rlim_max);
}

}  // namespace
}  // namespace clipforge::kit
