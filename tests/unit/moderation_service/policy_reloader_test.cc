// PolicyReloader over the fake store: it loads on a version change only,
// and a policy that fails to compile never replaces the live one.
#include "services/moderation/policy_reloader.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "base/clock.h"
#include "base/testing/status_matchers.h"
#include "tests/unit/moderation_service/fake_moderation_store.h"

namespace clipforge::moderation_service::testing {
namespace {

using base::testing::IsOk;
using base::testing::StatusIs;

class PolicyReloaderTest : public ::testing::Test {
 protected:
  ~PolicyReloaderTest() override { std::fclose(sink_); }

  void AddRule(int64_t seq, const std::string& pattern, v1::RuleKind kind = v1::RULE_KIND_KEYWORD) {
    FakeModerationState state = store_.state();
    state.version += 1;
    const int64_t version = state.version;
    state.rules["r" + std::to_string(seq)] = {.rule_id = "r" + std::to_string(seq),
                                              .seq = seq,
                                              .kind = kind,
                                              .pattern = pattern,
                                              .category = v1::MODERATION_CATEGORY_SPAM,
                                              .decision = v1::MODERATION_DECISION_BLOCK,
                                              .enabled = true,
                                              .version = version};
    store_.set_state(state);
  }

  std::FILE* sink_ = std::fopen("/dev/null", "w");
  base::SystemClock clock_;
  kit::Logger logger_{sink_, clock_};
  FakeModerationStore store_;
  ActivePolicyHolder holder_;
  PolicyReloader reloader_{store_, holder_, logger_, absl::ZeroDuration()};
};

TEST_F(PolicyReloaderTest, LoadsOnlyWhenTheVersionChanged) {
  ASSERT_THAT(reloader_.Refresh(), IsOk());
  const auto first = holder_.Get();
  ASSERT_NE(first, nullptr);
  ASSERT_THAT(reloader_.Refresh(), IsOk());
  EXPECT_EQ(holder_.Get(), first) << "same version: the same compiled policy";
  EXPECT_EQ(store_.loads(), 1);

  AddRule(1, "spam");
  ASSERT_THAT(reloader_.Refresh(), IsOk());
  EXPECT_EQ(holder_.Get()->version(), 1);
  EXPECT_EQ(holder_.Get()->rule_count(), 1u);
  EXPECT_TRUE(reloader_.AwaitVersion(1, absl::ZeroDuration()));
  EXPECT_FALSE(reloader_.AwaitVersion(2, absl::Milliseconds(1)));
}

TEST_F(PolicyReloaderTest, APolicyThatDoesNotCompileNeverReplacesTheLiveOne) {
  AddRule(1, "spam");
  ASSERT_THAT(reloader_.Refresh(), IsOk());
  const auto live = holder_.Get();
  AddRule(2, "(", v1::RULE_KIND_REGEX);  // Planted past the logic's validation.
  EXPECT_THAT(reloader_.Refresh(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(holder_.Get(), live);
  const int loads = store_.loads();
  EXPECT_THAT(reloader_.Refresh(), StatusIs(absl::StatusCode::kFailedPrecondition))
      << "the same version is not compiled again at once";
  EXPECT_EQ(store_.loads(), loads);
  ASSERT_OK_AND_ASSIGN(const CheckResult result, holder_.Get()->Check("spam", "", v1::TEXT_SURFACE_PROMPT));
  EXPECT_EQ(result.decision, v1::MODERATION_DECISION_BLOCK);
}

TEST_F(PolicyReloaderTest, ASmallChangeCompilesAloneAndCompactionFoldsItIn) {
  AddRule(1, "spam");
  ASSERT_THAT(reloader_.Refresh(), IsOk());
  EXPECT_FALSE(holder_.Get()->layered()) << "the first load is a full compile";
  AddRule(2, "scam");
  ASSERT_THAT(reloader_.Refresh(), IsOk());
  EXPECT_EQ(holder_.Get()->delta_rule_count(), 1u);
  EXPECT_EQ(holder_.Get()->base_version(), 1);
  ASSERT_OK_AND_ASSIGN(CheckResult result, holder_.Get()->Check("scam", "", v1::TEXT_SURFACE_PROMPT));
  EXPECT_EQ(result.decision, v1::MODERATION_DECISION_BLOCK);

  ASSERT_THAT(reloader_.Compact(), IsOk());
  EXPECT_FALSE(holder_.Get()->layered());
  EXPECT_EQ(holder_.Get()->version(), 2);
  EXPECT_EQ(holder_.Get()->rule_count(), 2u);
  ASSERT_OK_AND_ASSIGN(result, holder_.Get()->Check("spam scam", "", v1::TEXT_SURFACE_PROMPT));
  EXPECT_EQ(result.matches.size(), 2u);
}

TEST_F(PolicyReloaderTest, ADeletedRuleStopsMatchingWithoutACompile) {
  AddRule(1, "spam");
  AddRule(2, "scam");
  ASSERT_THAT(reloader_.Refresh(), IsOk());
  FakeModerationState state = store_.state();
  state.version += 1;
  state.rules.erase("r1");
  state.deleted[1] = state.version;
  store_.set_state(state);
  ASSERT_THAT(reloader_.Refresh(), IsOk());
  EXPECT_EQ(holder_.Get()->delta_rule_count(), 0u);
  EXPECT_TRUE(holder_.Get()->layered());
  EXPECT_EQ(holder_.Get()->rule_count(), 1u);
  ASSERT_OK_AND_ASSIGN(const CheckResult result, holder_.Get()->Check("spam scam", "", v1::TEXT_SURFACE_PROMPT));
  ASSERT_EQ(result.matches.size(), 1u);
  EXPECT_EQ(result.matches[0].rule_id, "r2");
}

TEST_F(PolicyReloaderTest, ABulkChangeIsCompiledInFull) {
  ASSERT_THAT(reloader_.Refresh(), IsOk());
  FakeModerationState state = store_.state();
  state.version += 1;
  for (int64_t seq = 1; seq <= static_cast<int64_t>(PolicyReloader::kMaxDeltaRules) + 1; ++seq) {
    state.rules["r" + std::to_string(seq)] = {.rule_id = "r" + std::to_string(seq),
                                              .seq = seq,
                                              .kind = v1::RULE_KIND_KEYWORD,
                                              .pattern = "w" + std::to_string(seq),
                                              .category = v1::MODERATION_CATEGORY_SPAM,
                                              .decision = v1::MODERATION_DECISION_REVIEW,
                                              .enabled = true,
                                              .version = state.version};
  }
  store_.set_state(state);
  ASSERT_THAT(reloader_.Refresh(), IsOk());
  EXPECT_FALSE(holder_.Get()->layered());
  EXPECT_EQ(holder_.Get()->rule_count(), PolicyReloader::kMaxDeltaRules + 1);
}

TEST(PolicyReloaderThreadTest, RunSoonReloadsWithoutWaitingForThePoll) {
  std::FILE* sink = std::fopen("/dev/null", "w");
  base::SystemClock clock;
  kit::Logger logger(sink, clock);
  FakeModerationStore store;
  ActivePolicyHolder holder;
  {
    PolicyReloader reloader(store, holder, logger, absl::Hours(1));
    ASSERT_TRUE(reloader.AwaitVersion(0, absl::Seconds(30))) << "the first load runs at once";
    FakeModerationState state = store.state();
    state.version = 5;
    store.set_state(state);
    reloader.RunSoon();
    EXPECT_TRUE(reloader.AwaitVersion(5, absl::Seconds(30)));
  }
  std::fclose(sink);
}

}  // namespace
}  // namespace clipforge::moderation_service::testing
