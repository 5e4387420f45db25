#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "moderation/policy.h"

namespace clipforge::moderation {
namespace {

using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::StatusIs;

// Policy A blocks "alpha" (rule 1); policy B blocks "bravo" (rule 2) and
// reviews "charlie" (rule 3, a regex). Every answer must come wholly from
// one of them.
std::shared_ptr<const CompiledPolicy> PolicyA(int64_t version) {
  auto policy = CompiledPolicy::Compile(
      {Rule{.id = 1, .pattern = "alpha", .kind = Rule::kWord, .category = "a", .severity = 3,
            .action = Rule::kBlock}},
      version);
  EXPECT_THAT(policy, IsOk());
  return *policy;
}

std::shared_ptr<const CompiledPolicy> PolicyB(int64_t version) {
  auto policy = CompiledPolicy::Compile(
      {Rule{.id = 2, .pattern = "bravo", .kind = Rule::kWord, .category = "b", .severity = 3,
            .action = Rule::kBlock},
       Rule{.id = 3, .pattern = "char+lie", .kind = Rule::kRegex, .category = "b", .severity = 2,
            .action = Rule::kReview}},
      version);
  EXPECT_THAT(policy, IsOk());
  return *policy;
}

TEST(PolicyHolderTest, EmptyHolderRefusesChecks) {
  PolicyHolder holder;
  EXPECT_EQ(holder.Get(), nullptr);
  EXPECT_THAT(holder.Check("alpha", CheckContext::kPrompt, "en"),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  holder.Set(PolicyA(1));
  ASSERT_NE(holder.Get(), nullptr);
  EXPECT_EQ(holder.Get()->version(), 1);
  auto verdict = holder.Check("alpha", CheckContext::kPrompt, "en");
  ASSERT_THAT(verdict, IsOk());
  EXPECT_EQ(verdict->decision, Rule::kBlock);
}

TEST(PolicyHolderTest, OldPolicyLivesWhileAReaderHoldsIt) {
  PolicyHolder holder(PolicyA(1));
  std::shared_ptr<const CompiledPolicy> held = holder.Get();
  std::weak_ptr<const CompiledPolicy> watch = held;
  holder.Set(PolicyB(2));
  ASSERT_FALSE(watch.expired());
  auto verdict = held->Check("alpha bravo", CheckContext::kPrompt, "en");
  ASSERT_THAT(verdict, IsOk());
  ASSERT_EQ(verdict->matches.size(), 1u);
  EXPECT_EQ(verdict->matches[0].rule_id, 1);
  held.reset();
  EXPECT_TRUE(watch.expired());
}

TEST(PolicyHolderTest, SwapsWhileReadersCheckConcurrently) {
  PolicyHolder holder(PolicyA(0));
  constexpr int kReaders = 8;
  constexpr int kSwaps = 200;
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::atomic<long> checks{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&, r] {
      const std::string text = r % 2 == 0 ? "alpha bravo charrrlie" : "x Alpha, BRAVO and charlie";
      while (!stop.load(std::memory_order_relaxed)) {
        absl::StatusOr<Verdict> verdict = holder.Check(text, CheckContext::kPartyChat, "en");
        checks.fetch_add(1, std::memory_order_relaxed);
        if (!verdict.ok()) {
          ++bad;
          continue;
        }
        std::vector<int64_t> ids;
        for (const Match& match : verdict->matches) ids.push_back(match.rule_id);
        const bool from_a = ids == std::vector<int64_t>{1} && verdict->decision == Rule::kBlock;
        const bool from_b = ids == std::vector<int64_t>{2, 3} && verdict->decision == Rule::kBlock &&
                            verdict->categories == std::vector<std::string>{"b"};
        if (!from_a && !from_b) ++bad;
      }
    });
  }
  // Policies are compiled ahead so that the swaps are dense.
  std::vector<std::shared_ptr<const CompiledPolicy>> next;
  for (int i = 1; i <= kSwaps; ++i) next.push_back(i % 2 == 0 ? PolicyA(i) : PolicyB(i));
  for (auto& policy : next) {
    holder.Set(std::move(policy));
    std::this_thread::yield();
  }
  next.clear();
  // A few more swaps with fresh compilations while readers run.
  for (int i = 0; i < 10; ++i) holder.Set(i % 2 == 0 ? PolicyB(1000 + i) : PolicyA(1000 + i));
  stop = true;
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(checks.load(), kReaders);
  EXPECT_EQ(holder.Get()->version(), 1009);
  EXPECT_EQ(holder.Get().use_count(), 2);  // The holder and this expression: every reader let go.
}

}  // namespace
}  // namespace clipforge::moderation
