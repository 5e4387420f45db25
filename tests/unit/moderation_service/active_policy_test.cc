// ActivePolicy: what the service adds around the core's verdict (spans in
// code points, surfaces, category caps, category order).
#include "services/moderation/active_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/testing/status_matchers.h"

namespace clipforge::moderation_service {
namespace {

using base::testing::StatusIs;
using ::testing::ElementsAre;

RuleRecord Rule(int64_t seq, const std::string& pattern, v1::ModerationCategory category,
                v1::ModerationDecision decision = v1::MODERATION_DECISION_BLOCK) {
  return {.rule_id = "rule-" + std::to_string(seq),
          .seq = seq,
          .kind = v1::RULE_KIND_KEYWORD,
          .pattern = pattern,
          .category = category,
          .decision = decision};
}

std::shared_ptr<const ActivePolicy> Build(PolicySnapshot snapshot) {
  absl::StatusOr<std::shared_ptr<const ActivePolicy>> policy = ActivePolicy::Build(snapshot);
  EXPECT_TRUE(policy.ok()) << policy.status();
  return policy.value_or(nullptr);
}

TEST(ActivePolicyTest, SpansAreInCodePointsOfTheOriginalText) {
  const auto policy = Build({.version = 7, .enabled_rules = {Rule(1, "kill", v1::MODERATION_CATEGORY_VIOLENCE)}});
  ASSERT_OK_AND_ASSIGN(const CheckResult result, policy->Check("日本語 😀 k-i-l-l", "", v1::TEXT_SURFACE_PROMPT));
  EXPECT_EQ(result.version, 7);
  EXPECT_EQ(result.decision, v1::MODERATION_DECISION_BLOCK);
  ASSERT_EQ(result.matches.size(), 1u);
  EXPECT_EQ(result.matches[0].rule_id, "rule-1");
  EXPECT_EQ(result.matches[0].start, 6);
  EXPECT_EQ(result.matches[0].end, 13);
}

TEST(ActivePolicyTest, CategoriesComeMostSevereFirstOnce) {
  const auto policy = Build({.enabled_rules = {Rule(1, "spam", v1::MODERATION_CATEGORY_SPAM),
                                               Rule(2, "kill", v1::MODERATION_CATEGORY_VIOLENCE),
                                               Rule(3, "scam", v1::MODERATION_CATEGORY_SPAM)}});
  ASSERT_OK_AND_ASSIGN(const CheckResult result, policy->Check("spam kill scam", "", v1::TEXT_SURFACE_PROMPT));
  EXPECT_THAT(result.categories, ElementsAre(v1::MODERATION_CATEGORY_VIOLENCE, v1::MODERATION_CATEGORY_SPAM));
  EXPECT_EQ(result.matches.size(), 3u);
}

TEST(ActivePolicyTest, ARuleForOtherSurfacesDoesNotMatch) {
  RuleRecord chat = Rule(1, "noob", v1::MODERATION_CATEGORY_HARASSMENT, v1::MODERATION_DECISION_REVIEW);
  chat.surfaces = {v1::TEXT_SURFACE_CHAT, v1::TEXT_SURFACE_COMMENT};
  const auto policy = Build({.enabled_rules = {chat}});
  ASSERT_OK_AND_ASSIGN(CheckResult result, policy->Check("noob", "", v1::TEXT_SURFACE_PROMPT));
  EXPECT_EQ(result.decision, v1::MODERATION_DECISION_ALLOW);
  EXPECT_TRUE(result.matches.empty());
  ASSERT_OK_AND_ASSIGN(result, policy->Check("noob", "", v1::TEXT_SURFACE_COMMENT));
  EXPECT_EQ(result.decision, v1::MODERATION_DECISION_REVIEW);
}

TEST(ActivePolicyTest, ACategoryCapLowersTheDecision) {
  const auto policy = Build({.enabled_rules = {Rule(1, "kill", v1::MODERATION_CATEGORY_VIOLENCE)},
                             .policies = {{.category = v1::MODERATION_CATEGORY_VIOLENCE,
                                           .max_automatic_decision = v1::MODERATION_DECISION_REVIEW}}});
  ASSERT_OK_AND_ASSIGN(const CheckResult result, policy->Check("kill", "", v1::TEXT_SURFACE_PROMPT));
  EXPECT_EQ(result.decision, v1::MODERATION_DECISION_REVIEW);
  ASSERT_EQ(result.matches.size(), 1u);
  EXPECT_EQ(result.matches[0].decision, v1::MODERATION_DECISION_REVIEW);
}

TEST(ActivePolicyTest, AtMost64MatchesAreReportedButAllDecide) {
  PolicySnapshot snapshot;
  std::string text;
  for (int i = 1; i <= 70; ++i) {
    const std::string word = "w" + std::to_string(i) + "x";
    snapshot.enabled_rules.push_back(Rule(i, word, i == 70 ? v1::MODERATION_CATEGORY_CHILD_SAFETY
                                                           : v1::MODERATION_CATEGORY_SPAM,
                                          i == 70 ? v1::MODERATION_DECISION_BLOCK : v1::MODERATION_DECISION_REVIEW));
    text += word + " ";
  }
  const auto policy = Build(snapshot);
  ASSERT_OK_AND_ASSIGN(const CheckResult result, policy->Check(text, "", v1::TEXT_SURFACE_PROMPT));
  EXPECT_EQ(result.matches.size(), kMaxReportedMatches);
  EXPECT_EQ(result.decision, v1::MODERATION_DECISION_BLOCK) << "the 70th match, unreported, still decides";
  EXPECT_THAT(result.categories, ElementsAre(v1::MODERATION_CATEGORY_CHILD_SAFETY, v1::MODERATION_CATEGORY_SPAM));
}

// Rules as stored at `version`: each rule's version is when it last changed.
RuleRecord At(RuleRecord rule, int64_t version) {
  rule.version = version;
  return rule;
}

TEST(ActivePolicyTest, ExtendCompilesOnlyTheChangesAndMasksTheirOldCopies) {
  const auto base = Build({.version = 2,
                           .enabled_rules = {At(Rule(1, "kill", v1::MODERATION_CATEGORY_VIOLENCE), 1),
                                             At(Rule(2, "spam", v1::MODERATION_CATEGORY_SPAM), 2),
                                             At(Rule(3, "hate", v1::MODERATION_CATEGORY_HATE), 2)}});
  // Since version 2: rule 2 now says "scam", rule 3 is gone, rule 4 is new.
  const PolicyChanges changes{.version = 5,
                              .since = 2,
                              .changed_rules = {At(Rule(2, "scam", v1::MODERATION_CATEGORY_SPAM), 3),
                                                At(Rule(4, "maim", v1::MODERATION_CATEGORY_VIOLENCE), 5)},
                              .deleted_seqs = {3}};
  EXPECT_EQ(ActivePolicy::RulesToCompile(changes), 2u);
  ASSERT_OK_AND_ASSIGN(const auto extended, ActivePolicy::Extend(*base, changes));
  EXPECT_EQ(extended->version(), 5);
  EXPECT_EQ(extended->base_version(), 2);
  EXPECT_EQ(extended->delta_rule_count(), 2u);
  EXPECT_EQ(extended->rule_count(), 3u);
  EXPECT_TRUE(extended->layered());

  ASSERT_OK_AND_ASSIGN(const CheckResult result,
                       extended->Check("maim spam hate scam kill", "", v1::TEXT_SURFACE_PROMPT));
  std::vector<std::string> ids;
  for (const TextMatch& m : result.matches) ids.push_back(m.rule_id);
  // Text order across both layers; "spam" and "hate" no longer match.
  EXPECT_THAT(ids, ElementsAre("rule-4", "rule-2", "rule-1"));
  EXPECT_EQ(result.matches[1].start, 15);

  // The same rules compiled in one piece answer the same.
  const PolicySnapshot later{.version = 5,
                             .enabled_rules = {At(Rule(1, "kill", v1::MODERATION_CATEGORY_VIOLENCE), 1),
                                               At(Rule(2, "scam", v1::MODERATION_CATEGORY_SPAM), 3),
                                               At(Rule(4, "maim", v1::MODERATION_CATEGORY_VIOLENCE), 5)}};
  ASSERT_OK_AND_ASSIGN(const auto full, ActivePolicy::Build(later));
  ASSERT_OK_AND_ASSIGN(const CheckResult same, full->Check("maim spam hate scam kill", "", v1::TEXT_SURFACE_PROMPT));
  ASSERT_EQ(same.matches.size(), result.matches.size());
  for (size_t i = 0; i < same.matches.size(); ++i) {
    EXPECT_EQ(same.matches[i].rule_id, result.matches[i].rule_id);
    EXPECT_EQ(same.matches[i].start, result.matches[i].start);
  }
  EXPECT_FALSE(full->layered());
}

TEST(ActivePolicyTest, ExtendingAnExtendedPolicyKeepsTheFirstBase) {
  const auto base = Build({.version = 1, .enabled_rules = {At(Rule(1, "kill", v1::MODERATION_CATEGORY_VIOLENCE), 1)}});
  ASSERT_OK_AND_ASSIGN(
      const auto once,
      ActivePolicy::Extend(*base, {.version = 2,
                                   .since = 1,
                                   .changed_rules = {At(Rule(2, "spam", v1::MODERATION_CATEGORY_SPAM), 2)}}));
  // Rule 1 disabled at version 3: read since the base, rule 2's change comes again.
  RuleRecord disabled = At(Rule(1, "kill", v1::MODERATION_CATEGORY_VIOLENCE), 3);
  disabled.enabled = false;
  ASSERT_OK_AND_ASSIGN(
      const auto twice,
      ActivePolicy::Extend(*once, {.version = 3,
                                   .since = 1,
                                   .changed_rules = {disabled, At(Rule(2, "spam", v1::MODERATION_CATEGORY_SPAM), 2)}}));
  EXPECT_THAT(ActivePolicy::Extend(*once, {.version = 3, .since = 2}), StatusIs(absl::StatusCode::kInternal))
      << "changes must be read since the base";
  EXPECT_EQ(twice->base_version(), 1);
  EXPECT_EQ(twice->rule_count(), 1u);
  ASSERT_OK_AND_ASSIGN(const CheckResult result, twice->Check("kill spam", "", v1::TEXT_SURFACE_PROMPT));
  ASSERT_EQ(result.matches.size(), 1u);
  EXPECT_EQ(result.matches[0].rule_id, "rule-2");
}

TEST(ActivePolicyTest, InvalidTextIsInvalidArgument) {
  const auto policy = Build({});
  EXPECT_THAT(policy->Check("\xff\xfe", "", v1::TEXT_SURFACE_PROMPT), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ActivePolicyTest, ARuleThatDoesNotCompileFailsTheBuild) {
  RuleRecord bad = Rule(1, "(", v1::MODERATION_CATEGORY_SPAM);
  bad.kind = v1::RULE_KIND_REGEX;
  EXPECT_THAT(ActivePolicy::Build({.enabled_rules = {bad}}), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace clipforge::moderation_service
