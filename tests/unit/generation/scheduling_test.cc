#include "generation/scheduling.h"

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"

namespace clipforge::generation {
namespace {

// The queue as the store keeps it: jobs ordered by (tag, arrival), users'
// last tags, and the virtual clock advanced by each dispatch.
class QueueModel {
 public:
  void Enqueue(const std::string& user, Tier tier) {
    int64_t& last = last_tag_[user];
    last = NextQueueTag(last, clock_, tier);
    queue_.insert({last, arrivals_++, user});
  }

  std::string Dispatch() {
    auto first = queue_.begin();
    const auto [tag, arrival, user] = *first;
    queue_.erase(first);
    clock_ = std::max(clock_, tag);
    return user;
  }

  bool empty() const { return queue_.empty(); }

 private:
  std::set<std::tuple<int64_t, int64_t, std::string>> queue_;
  std::map<std::string, int64_t> last_tag_;
  int64_t clock_ = 0;
  int64_t arrivals_ = 0;
};

TEST(SchedulingTest, TagsAdvanceByTheTierWeight) {
  EXPECT_EQ(TagCost(Tier::kFree), kTagUnit);
  EXPECT_EQ(TagCost(Tier::kPlus), kTagUnit / 2);
  EXPECT_EQ(TagCost(Tier::kPro), kTagUnit / 4);
  EXPECT_EQ(NextQueueTag(0, 0, Tier::kFree), kTagUnit);
  EXPECT_EQ(NextQueueTag(100, 40, Tier::kFree), 100 + kTagUnit);
  // A user idle while others were served starts at the clock, not behind.
  EXPECT_EQ(NextQueueTag(10, 400, Tier::kPro), 400 + kTagUnit / 4);
}

TEST(SchedulingTest, ASingleJobIsNotStuckBehindAThousandOfAnotherUser) {
  QueueModel queue;
  for (int i = 0; i < 1000; ++i) queue.Enqueue("heavy", Tier::kFree);
  // Some of the heavy user's jobs go out first.
  for (int i = 0; i < 10; ++i) ASSERT_EQ(queue.Dispatch(), "heavy");
  queue.Enqueue("light", Tier::kFree);
  int waited = 0;
  while (queue.Dispatch() != "light") ++waited;
  EXPECT_LE(waited, 1);
}

TEST(SchedulingTest, ManyUsersEachWaitAboutOneRound) {
  QueueModel queue;
  for (int i = 0; i < 1000; ++i) queue.Enqueue("heavy", Tier::kFree);
  for (int u = 0; u < 50; ++u) queue.Enqueue("user" + std::to_string(u), Tier::kFree);
  queue.Enqueue("late", Tier::kFree);
  int waited = 0;
  while (queue.Dispatch() != "late") ++waited;
  // One dispatch per user ahead of it at the clock (51 users) and no more.
  EXPECT_LE(waited, 52);
}

TEST(SchedulingTest, UnderContentionTiersShareByWeight) {
  QueueModel queue;
  for (int i = 0; i < 400; ++i) {
    queue.Enqueue("free", Tier::kFree);
    queue.Enqueue("plus", Tier::kPlus);
    queue.Enqueue("pro", Tier::kPro);
  }
  std::map<std::string, int> served;
  for (int i = 0; i < 280; ++i) ++served[queue.Dispatch()];
  // Weights 1 : 2 : 4 -> 40 : 80 : 160 of 280.
  EXPECT_NEAR(served["free"], 40, 2);
  EXPECT_NEAR(served["plus"], 80, 2);
  EXPECT_NEAR(served["pro"], 160, 2);
}

TEST(SchedulingTest, NobodyStarves) {
  QueueModel queue;
  for (int i = 0; i < 1000; ++i) queue.Enqueue("pro", Tier::kPro);
  queue.Enqueue("free", Tier::kFree);
  int waited = 0;
  while (queue.Dispatch() != "free") ++waited;
  // A free job is worth four pro jobs of virtual time.
  EXPECT_LE(waited, 4);
}

}  // namespace
}  // namespace clipforge::generation
