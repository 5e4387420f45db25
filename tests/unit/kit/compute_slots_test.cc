#include "services/kit/compute_slots.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"

namespace clipforge::kit {
namespace {

// Yields until `done()` holds; fails the test (instead of hanging it) if
// that takes more than ten seconds.
template <typename Done>
void Until(Done done) {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!done()) {
    ASSERT_LT(absl::Now(), deadline) << "condition never held";
    std::this_thread::yield();
  }
}

void UntilWaiting(const ComputeSlots& slots, int n) {
  Until([&] { return slots.waiting() == n; });
}

// Whether this sandbox lets a thread change its own affinity.
bool CanSetAffinity() {
  cpu_set_t set;
  CPU_ZERO(&set);
  return pthread_getaffinity_np(pthread_self(), sizeof set, &set) == 0 &&
         pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

cpu_set_t ThreadAffinity() {
  cpu_set_t set;
  CPU_ZERO(&set);
  EXPECT_EQ(pthread_getaffinity_np(pthread_self(), sizeof set, &set), 0);
  return set;
}

int UsableCpuCount() {
  cpu_set_t set;
  CPU_ZERO(&set);
  EXPECT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
  return CPU_COUNT(&set);
}

TEST(ComputeSlotsTest, RunsAtMostSlotsSectionsAtOnce) {
  ComputeSlots slots({.slots = 2, .pin = false});
  absl::Notification release;
  std::atomic<int> inside{0}, most{0}, finished{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < 6; ++i) {
    callers.emplace_back([&] {
      slots.Run([&] {
        const int now = ++inside;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        release.WaitForNotification();
        --inside;
      });
      ++finished;
    });
  }
  UntilWaiting(slots, 4);
  Until([&] { return inside.load() == 2; });
  EXPECT_EQ(slots.running(), 2);
  EXPECT_EQ(finished.load(), 0);
  release.Notify();
  for (auto& c : callers) c.join();
  EXPECT_EQ(most.load(), 2);
  EXPECT_EQ(finished.load(), 6);
  EXPECT_EQ(slots.running(), 0);
  EXPECT_EQ(slots.waiting(), 0);
}

TEST(ComputeSlotsTest, AdmitsWaitersInArrivalOrder) {
  ComputeSlots slots({.slots = 1, .pin = false});
  absl::Notification release;
  std::thread holder([&] { slots.Run([&] { release.WaitForNotification(); }); });
  Until([&] { return slots.running() == 1; });
  absl::Mutex mu;
  std::vector<int> order;
  std::vector<std::thread> waiters;
  for (int i = 0; i < 3; ++i) {
    waiters.emplace_back([&, i] {
      slots.Run([&] {
        absl::MutexLock lock(&mu);
        order.push_back(i);
      });
    });
    UntilWaiting(slots, i + 1);  // Caller i is queued before i + 1 starts.
  }
  release.Notify();
  holder.join();
  for (auto& w : waiters) w.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
}

TEST(ComputeSlotsTest, ReturnsWhatTheSectionReturns) {
  ComputeSlots slots({.slots = 1});
  EXPECT_EQ(slots.Run([] { return 42; }), 42);
  bool ran = false;
  slots.Run([&] { ran = true; });
  EXPECT_TRUE(ran);
  EXPECT_EQ(slots.running(), 0);
}

TEST(ComputeSlotsTest, DefaultsToOneSlotPerUsableCpu) {
  const ComputeSlots slots;
  EXPECT_EQ(slots.slots(), UsableCpuCount());
  EXPECT_EQ(static_cast<int>(slots.slot_cpus().size()), UsableCpuCount());
  // More slots than CPUs: nothing to pin to.
  const ComputeSlots oversubscribed({.slots = UsableCpuCount() + 1, .pin = true});
  EXPECT_TRUE(oversubscribed.slot_cpus().empty());
  const ComputeSlots unpinned({.slots = 1, .pin = false});
  EXPECT_TRUE(unpinned.slot_cpus().empty());
}

TEST(ComputeSlotsTest, ASectionThatThrowsFreesItsSlotAndUnpins) {
  if (!CanSetAffinity()) GTEST_SKIP() << "this sandbox forbids changing affinity";
  ComputeSlots slots({.slots = 1, .pin = true});
  const cpu_set_t before = ThreadAffinity();
  EXPECT_THROW(slots.Run([]() -> int { throw std::runtime_error("encoder failed"); }), std::runtime_error);
  EXPECT_EQ(slots.running(), 0);
  const cpu_set_t after = ThreadAffinity();
  EXPECT_TRUE(CPU_EQUAL(&before, &after));
  EXPECT_EQ(slots.Run([] { return 7; }), 7);  // The slot is usable again.
}

TEST(ComputeSlotsTest, PinsASectionToItsSlotsCpuAndRestoresTheThreadsAffinity) {
  if (!CanSetAffinity()) GTEST_SKIP() << "this sandbox forbids changing affinity";
  ComputeSlots slots({.slots = 1, .pin = true});
  ASSERT_EQ(slots.slot_cpus().size(), 1u);
  const cpu_set_t before = ThreadAffinity();
  int cpu_inside = -1, allowed_inside = 0;
  slots.Run([&] {
    cpu_inside = sched_getcpu();
    const cpu_set_t inside = ThreadAffinity();
    allowed_inside = CPU_COUNT(&inside);
  });
  EXPECT_EQ(cpu_inside, slots.slot_cpus()[0]);
  EXPECT_EQ(allowed_inside, 1);
  const cpu_set_t after = ThreadAffinity();
  EXPECT_TRUE(CPU_EQUAL(&before, &after));
}

TEST(ComputeSlotsTest, AQuietProcessHashesOnTheFirstSlotsCpu) {
  if (UsableCpuCount() < 2) GTEST_SKIP() << "needs two usable CPUs";
  if (!CanSetAffinity()) GTEST_SKIP() << "this sandbox forbids changing affinity";
  ComputeSlots slots({.slots = 2, .pin = true});
  for (int i = 0; i < 5; ++i) {
    std::thread caller([&] { EXPECT_EQ(slots.Run([] { return sched_getcpu(); }), slots.slot_cpus()[0]); });
    caller.join();
  }
}

}  // namespace
}  // namespace clipforge::kit
