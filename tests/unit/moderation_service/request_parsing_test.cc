// The adapter's request validation: every bad field named.
#include "services/moderation/request_parsing.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/testing/status_matchers.h"

namespace clipforge::moderation_service {
namespace {

using base::testing::IsOk;
using base::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kId[] = "0190f2a4-5b6c-7d8e-9f01-23456789abcd";

TEST(ParseCheckTest, LimitsAreInCharactersAndInvalidUtf8IsRefused) {
  v1::CheckPromptRequest request;
  request.set_text("\xc3\x28");
  EXPECT_THAT(ParseCheck(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("text")));
  request.set_text(std::string(kMaxCheckedChars, 'a'));
  EXPECT_THAT(ParseCheck(request), IsOk());
  request.set_text(std::string(kMaxCheckedChars + 1, 'a'));
  EXPECT_THAT(ParseCheck(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("text")));
  request.set_text("a\x01 chat line with a control character");
  EXPECT_THAT(ParseCheck(request), IsOk());
  request.set_locale("x");
  EXPECT_THAT(ParseCheck(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("locale")));
  request.set_locale("zh-Hant-TW");
  ASSERT_OK_AND_ASSIGN(const CheckInput input, ParseCheck(request));
  EXPECT_EQ(input.surface, v1::TEXT_SURFACE_PROMPT) << "unspecified means a prompt";
}

TEST(ParseNewRuleTest, EveryBadFieldIsNamed) {
  v1::CreateRuleRequest request;
  request.set_request_id("nope");
  request.mutable_rule()->set_pattern(std::string(501, 'a'));
  request.mutable_rule()->set_decision(v1::MODERATION_DECISION_ALLOW);
  request.mutable_rule()->add_locales("en_US");
  request.mutable_rule()->add_surfaces(v1::TEXT_SURFACE_CHAT);
  request.mutable_rule()->add_surfaces(v1::TEXT_SURFACE_CHAT);
  const absl::Status status = ParseNewRule(request).status();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  for (const char* field : {"request_id", "rule.kind", "rule.pattern", "rule.category", "rule.decision",
                            "rule.locales", "rule.surfaces"}) {
    EXPECT_THAT(std::string(status.message()), HasSubstr(field));
  }
}

TEST(ParseRuleUpdateTest, UnknownAndRepeatedPathsAreRefused) {
  v1::UpdateRuleRequest request;
  request.set_request_id(kId);
  request.mutable_rule()->set_rule_id(kId);
  EXPECT_THAT(ParseRuleUpdate(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("update_mask")));
  request.mutable_update_mask()->add_paths("version");
  EXPECT_THAT(ParseRuleUpdate(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cannot be changed")));
  request.mutable_update_mask()->Clear();
  request.mutable_update_mask()->add_paths("enabled");
  request.mutable_update_mask()->add_paths("enabled");
  EXPECT_THAT(ParseRuleUpdate(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("twice")));
  request.mutable_update_mask()->Clear();
  request.mutable_update_mask()->add_paths("enabled");
  ASSERT_OK_AND_ASSIGN(const RuleUpdate update, ParseRuleUpdate(request));
  EXPECT_TRUE(update.mask.enabled);
  EXPECT_FALSE(update.mask.pattern);
}

TEST(ParseRuleListingTest, PageTokensAreBoundToTheirCategory) {
  v1::ListRulesRequest request;
  request.set_category(v1::MODERATION_CATEGORY_SPAM);
  request.set_page_token(RulePageToken(v1::MODERATION_CATEGORY_SPAM, 42));
  ASSERT_OK_AND_ASSIGN(const RuleListing listing, ParseRuleListing(request));
  EXPECT_EQ(listing.after_seq, 42);
  EXPECT_EQ(listing.page_size, 100);
  request.set_category(v1::MODERATION_CATEGORY_HATE);
  EXPECT_THAT(ParseRuleListing(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  request.set_page_token("garbage!");
  EXPECT_THAT(ParseRuleListing(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  request.set_page_token("");
  request.set_page_size(501);
  EXPECT_THAT(ParseRuleListing(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_size")));
}

}  // namespace
}  // namespace clipforge::moderation_service
