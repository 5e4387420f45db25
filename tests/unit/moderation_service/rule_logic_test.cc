// RuleLogic over the fake store: who may change rules, what a change
// writes (rule, version, event, idempotency record) and what a refused
// change leaves behind (nothing).
#include "services/moderation/rule_logic.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/random.h"
#include "base/testing/fake_clock.h"
#include "base/testing/status_matchers.h"
#include "services/kit/event_factory.h"
#include "tests/unit/moderation_service/fake_moderation_store.h"

namespace clipforge::moderation_service::testing {
namespace {

using base::testing::IsOk;
using base::testing::IsOkAndHolds;
using base::testing::StatusIs;
using ::testing::HasSubstr;

class RuleLogicTest : public ::testing::Test {
 protected:
  kit::IdempotencyKey Key(const std::string& request_id, const std::string& fingerprint = "f") {
    return {admin_.user_id, request_id, "CreateRule", fingerprint};
  }

  static RuleRecord Keyword(const std::string& pattern,
                            v1::ModerationCategory category = v1::MODERATION_CATEGORY_VIOLENCE) {
    return {.kind = v1::RULE_KIND_KEYWORD,
            .pattern = pattern,
            .category = category,
            .decision = v1::MODERATION_DECISION_BLOCK};
  }

  base::testing::FakeClock clock_{absl::FromUnixSeconds(1'800'000'000)};
  base::SecureRandom random_;
  base::UuidV7Generator ids_{clock_, random_};
  kit::EventFactory factory_{ids_, clock_};
  ModerationEvents events_{factory_};
  FakeModerationStore store_;
  RuleLogic logic_{store_, clock_, ids_, events_, {.max_rules = 3}};
  kit::Caller admin_{.user_id = ids_.Next(), .roles = {base::Role::kUser, base::Role::kAdmin}};
  kit::Caller user_{.user_id = ids_.Next(), .roles = {base::Role::kUser, base::Role::kModerator}};
};

TEST_F(RuleLogicTest, CreateStoresTheRuleBumpsTheVersionAndEmitsTheChange) {
  ASSERT_OK_AND_ASSIGN(const RuleRecord rule, logic_.Create(admin_, Key(ids_.Next()), Keyword("kill")));
  EXPECT_FALSE(rule.rule_id.empty());
  EXPECT_EQ(rule.version, 1);
  EXPECT_EQ(rule.create_user_id, admin_.user_id);
  EXPECT_EQ(rule.create_time, clock_.Now());
  const FakeModerationState state = store_.state();
  EXPECT_EQ(state.version, 1);
  ASSERT_EQ(state.rules.size(), 1u);
  EXPECT_EQ(state.rules.begin()->second.seq, rule.seq);
  ASSERT_EQ(state.events.size(), 1u);
  EXPECT_EQ(state.events[0].type(), kRuleChangedSubject);
  EXPECT_EQ(state.events[0].moderation_rule_changed().rule_id(), rule.rule_id);
  EXPECT_EQ(state.events[0].moderation_rule_changed().change(), v1::CHANGE_KIND_CREATED);
  EXPECT_EQ(state.events[0].moderation_rule_changed().rules_version(), 1);
}

TEST_F(RuleLogicTest, OnlyAnAdminChangesRules) {
  EXPECT_THAT(logic_.Create(user_, Key(ids_.Next()), Keyword("kill")), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(logic_.List(user_, v1::MODERATION_CATEGORY_UNSPECIFIED, 0, 10),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(logic_.ListPolicies(user_), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(logic_.Delete(user_, Key(ids_.Next()), ids_.Next()), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(store_.state().version, 0);
}

TEST_F(RuleLogicTest, APatternTheFilterCannotUseIsRefusedWithItsReasonAndLeavesNothing) {
  RuleRecord regex = Keyword("(open");
  regex.kind = v1::RULE_KIND_REGEX;
  EXPECT_THAT(logic_.Create(admin_, Key(ids_.Next()), regex),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("rule.pattern: ")));
  regex.pattern = "x?";
  EXPECT_THAT(logic_.Create(admin_, Key(ids_.Next()), regex), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(logic_.Create(admin_, Key(ids_.Next()), Keyword("two words")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("rule.pattern")));
  EXPECT_THAT(logic_.Create(admin_, Key(ids_.Next()), Keyword("!!!")), StatusIs(absl::StatusCode::kInvalidArgument));
  const FakeModerationState state = store_.state();
  EXPECT_EQ(state.version, 0);
  EXPECT_TRUE(state.rules.empty());
  EXPECT_TRUE(state.events.empty());
}

TEST_F(RuleLogicTest, ARetryReplaysAndADifferentRequestUnderTheSameIdIsRefused) {
  const std::string request_id = ids_.Next();
  ASSERT_OK_AND_ASSIGN(const RuleRecord first, logic_.Create(admin_, Key(request_id), Keyword("kill")));
  ASSERT_OK_AND_ASSIGN(const RuleRecord again, logic_.Create(admin_, Key(request_id), Keyword("kill")));
  EXPECT_EQ(again.rule_id, first.rule_id);
  EXPECT_EQ(again.seq, 0) << "the replay answers the response, which carries no seq";
  EXPECT_THAT(logic_.Create(admin_, Key(request_id, "other"), Keyword("maim")),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(store_.state().rules.size(), 1u);
  EXPECT_EQ(store_.state().events.size(), 1u);
}

TEST_F(RuleLogicTest, TheRuleCountIsCapped) {
  for (const char* word : {"a1", "b2", "c3"}) {
    ASSERT_THAT(logic_.Create(admin_, Key(ids_.Next()), Keyword(word)), IsOk());
  }
  EXPECT_THAT(logic_.Create(admin_, Key(ids_.Next()), Keyword("d4")),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("3 rules")));
  EXPECT_EQ(store_.state().version, 3) << "the refused create bumped nothing";
}

TEST_F(RuleLogicTest, UpdateChangesOnlyTheMaskedFieldsAndRevalidates) {
  ASSERT_OK_AND_ASSIGN(const RuleRecord rule, logic_.Create(admin_, Key(ids_.Next()), Keyword("kill")));
  clock_.Advance(absl::Minutes(1));
  RuleRecord values = Keyword("ignored", v1::MODERATION_CATEGORY_SPAM);
  values.decision = v1::MODERATION_DECISION_REVIEW;
  ASSERT_OK_AND_ASSIGN(const RuleRecord updated,
                       logic_.Update(admin_, Key(ids_.Next()), rule.rule_id, values, {.decision = true}));
  EXPECT_EQ(updated.pattern, "kill");
  EXPECT_EQ(updated.category, v1::MODERATION_CATEGORY_VIOLENCE);
  EXPECT_EQ(updated.decision, v1::MODERATION_DECISION_REVIEW);
  EXPECT_EQ(updated.version, 2);
  EXPECT_EQ(updated.update_time, clock_.Now());
  EXPECT_EQ(updated.create_time, rule.create_time);

  values.kind = v1::RULE_KIND_REGEX;
  values.pattern = "(";
  EXPECT_THAT(logic_.Update(admin_, Key(ids_.Next()), rule.rule_id, values, {.kind = true, .pattern = true}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("rule.pattern")));
  EXPECT_THAT(logic_.Update(admin_, Key(ids_.Next()), ids_.Next(), values, {.enabled = true}),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(store_.state().rules.at(rule.rule_id).pattern, "kill");
  EXPECT_EQ(store_.state().version, 2);
}

TEST_F(RuleLogicTest, ARuleTheFilterCannotUseCanStillBeSwitchedOff) {
  // Stored before a Hyperscan upgrade made it unusable, say.
  FakeModerationState state = store_.state();
  state.rules["planted"] = {.rule_id = "planted", .seq = 1, .kind = v1::RULE_KIND_REGEX, .pattern = "(",
                            .category = v1::MODERATION_CATEGORY_SPAM, .decision = v1::MODERATION_DECISION_BLOCK};
  store_.set_state(state);
  RuleRecord values;
  values.enabled = false;
  ASSERT_OK_AND_ASSIGN(const RuleRecord off, logic_.Update(admin_, Key(ids_.Next()), "planted", values, {.enabled = true}));
  EXPECT_FALSE(off.enabled);
  values.enabled = true;
  EXPECT_THAT(logic_.Update(admin_, Key(ids_.Next()), "planted", values, {.enabled = true}),
              StatusIs(absl::StatusCode::kInvalidArgument)) << "switching it back on validates it";
}

TEST_F(RuleLogicTest, DeleteRemovesTheRuleOnceAndEmitsTheChange) {
  ASSERT_OK_AND_ASSIGN(const RuleRecord rule, logic_.Create(admin_, Key(ids_.Next()), Keyword("kill")));
  const std::string request_id = ids_.Next();
  ASSERT_OK_AND_ASSIGN(const int64_t deleted_at, logic_.Delete(admin_, Key(request_id), rule.rule_id));
  EXPECT_EQ(deleted_at, 2);
  EXPECT_THAT(logic_.Delete(admin_, Key(request_id), rule.rule_id), IsOkAndHolds(deleted_at)) << "a retry replays";
  EXPECT_THAT(logic_.Delete(admin_, Key(ids_.Next()), rule.rule_id), StatusIs(absl::StatusCode::kNotFound));
  const FakeModerationState state = store_.state();
  EXPECT_TRUE(state.rules.empty());
  ASSERT_EQ(state.events.size(), 2u);
  EXPECT_EQ(state.events[1].moderation_rule_changed().change(), v1::CHANGE_KIND_DELETED);
}

TEST_F(RuleLogicTest, ListPagesInSeqOrder) {
  std::vector<std::string> ids;
  for (const char* word : {"a1", "b2", "c3"}) {
    ASSERT_OK_AND_ASSIGN(const RuleRecord rule, logic_.Create(admin_, Key(ids_.Next()), Keyword(word)));
    ids.push_back(rule.rule_id);
  }
  ASSERT_OK_AND_ASSIGN(const RulePage first, logic_.List(admin_, v1::MODERATION_CATEGORY_UNSPECIFIED, 0, 2));
  ASSERT_EQ(first.rules.size(), 2u);
  EXPECT_EQ(first.rules[0].rule_id, ids[0]);
  EXPECT_EQ(first.rules[1].rule_id, ids[1]);
  ASSERT_GT(first.next_after_seq, 0);
  ASSERT_OK_AND_ASSIGN(const RulePage second,
                       logic_.List(admin_, v1::MODERATION_CATEGORY_UNSPECIFIED, first.next_after_seq, 2));
  ASSERT_EQ(second.rules.size(), 1u);
  EXPECT_EQ(second.rules[0].rule_id, ids[2]);
  EXPECT_EQ(second.next_after_seq, 0);
}

TEST_F(RuleLogicTest, UpdatePolicyChangesTheMaskedFieldsAndTheVersion) {
  CategoryPolicyRecord values{.category = v1::MODERATION_CATEGORY_SPAM,
                              .max_automatic_decision = v1::MODERATION_DECISION_REVIEW,
                              .queue_priority = 99};
  ASSERT_OK_AND_ASSIGN(const CategoryPolicyRecord updated,
                       logic_.UpdatePolicy(admin_, Key(ids_.Next()), values, {.max_automatic_decision = true}));
  EXPECT_EQ(updated.max_automatic_decision, v1::MODERATION_DECISION_REVIEW);
  EXPECT_NE(updated.queue_priority, 99);
  EXPECT_EQ(updated.version, 2);
  EXPECT_EQ(store_.state().version, 1);
  ASSERT_EQ(store_.state().events.size(), 1u);
  EXPECT_TRUE(store_.state().events[0].moderation_rule_changed().rule_id().empty());
}

}  // namespace
}  // namespace clipforge::moderation_service::testing
