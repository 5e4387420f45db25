#include "services/kit/executor.h"

#include <gtest/gtest.h>

#include <atomic>

#include "absl/synchronization/notification.h"

namespace clipforge::kit {
namespace {

TEST(BlockingExecutorTest, ShedsLoadBeyondThreadsPlusQueueAndRecovers) {
  BlockingExecutor executor(/*threads=*/1, /*max_queued=*/1);
  absl::Notification release;
  std::atomic<int> ran{0};
  ASSERT_TRUE(executor.Submit([&] { release.WaitForNotification(); ++ran; }).ok());
  ASSERT_TRUE(executor.Submit([&] { ++ran; }).ok());  // Queued.
  const absl::Status refused = executor.Submit([&] { ++ran; });
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  release.Notify();
  while (executor.in_flight() > 0) absl::SleepFor(absl::Milliseconds(1));
  EXPECT_TRUE(executor.Submit([&] { ++ran; }).ok());
  executor.Drain();
  EXPECT_EQ(ran.load(), 3);
  EXPECT_EQ(executor.Submit([] {}).code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace clipforge::kit
