#include "moderation/policy.h"

#include <string>
#include <vector>

#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clipforge::moderation {
namespace {

using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Rule MakeRule(int64_t id, std::string pattern, Rule::Kind kind, std::string category, int severity,
              Rule::Action action, std::vector<std::string> locales = {}) {
  return Rule{.id = id,
              .pattern = std::move(pattern),
              .kind = kind,
              .category = std::move(category),
              .severity = severity,
              .action = action,
              .locales = std::move(locales)};
}

std::vector<Rule> SampleRules() {
  return {
      MakeRule(1, "kill", Rule::kWord, "violence", 4, Rule::kBlock),
      MakeRule(2, "kill yourself", Rule::kPhrase, "self_harm", 5, Rule::kBlock),
      MakeRule(3, "убить", Rule::kWord, "violence", 4, Rule::kBlock),
      MakeRule(4, "杀了你", Rule::kWord, "violence", 4, Rule::kBlock),
      MakeRule(5, "سأقتلك", Rule::kWord, "violence", 4, Rule::kBlock),
      MakeRule(6, "मार दूँगा", Rule::kPhrase, "violence", 4, Rule::kBlock),
      MakeRule(7, "אהרוג", Rule::kWord, "violence", 4, Rule::kBlock),
      MakeRule(8, "ฆ่า", Rule::kWord, "violence", 4, Rule::kBlock),
      MakeRule(9, "free (v|b) ?bucks", Rule::kRegex, "spam", 2, Rule::kReview),
      MakeRule(10, "buy \\d+ followers", Rule::kRegex, "spam", 2, Rule::kReview),
      MakeRule(11, "idiot", Rule::kWord, "harassment", 2, Rule::kReview),
      MakeRule(12, "bicha", Rule::kWord, "hate", 4, Rule::kBlock, {"pt"}),
      MakeRule(13, "official support team", Rule::kPhrase, "impersonation", 3, Rule::kReview,
               {"en", "de-CH"}),
      MakeRule(14, "kitten", Rule::kWord, "allowlisted", 1, Rule::kAllow),
  };
}

class PolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::shared_ptr<const CompiledPolicy>> policy = CompiledPolicy::Compile(SampleRules(), 7);
    ASSERT_THAT(policy, IsOk());
    policy_ = *policy;
  }

  Verdict CheckOk(std::string_view text, std::string_view locale = "en") {
    absl::StatusOr<Verdict> verdict = policy_->Check(text, CheckContext::kPrompt, locale);
    EXPECT_THAT(verdict, IsOk());
    return verdict.ok() ? *verdict : Verdict{};
  }

  std::vector<int64_t> RuleIds(std::string_view text, std::string_view locale = "en") {
    std::vector<int64_t> ids;
    for (const Match& match : CheckOk(text, locale).matches) ids.push_back(match.rule_id);
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  // The original text each match covers.
  std::vector<std::string> Spans(std::string_view text, std::string_view locale = "en") {
    std::vector<std::string> spans;
    for (const Match& match : CheckOk(text, locale).matches) {
      spans.emplace_back(text.substr(match.original_begin, match.original_end - match.original_begin));
    }
    return spans;
  }

  std::shared_ptr<const CompiledPolicy> policy_;
};

TEST_F(PolicyTest, CleanTextIsAllowed) {
  const Verdict verdict = CheckOk("a calm lake at sunset, watercolor, soft light");
  EXPECT_EQ(verdict.decision, Rule::kAllow);
  EXPECT_THAT(verdict.matches, IsEmpty());
  EXPECT_THAT(verdict.categories, IsEmpty());
  EXPECT_EQ(policy_->version(), 7);
  EXPECT_EQ(policy_->rule_count(), 14u);
}

TEST_F(PolicyTest, WordsMatchOnBoundariesOnly) {
  EXPECT_THAT(RuleIds("I will kill him"), ElementsAre(1));
  EXPECT_THAT(RuleIds("skill and killer and kills"), IsEmpty());
  EXPECT_THAT(RuleIds("kill"), ElementsAre(1));
  EXPECT_THAT(RuleIds("(kill)"), ElementsAre(1));
}

TEST_F(PolicyTest, LatinEvasionsAreCaught) {
  for (const char* text : {"K.I.L.L him", "k i l l him", "k1ll him", "k\u0456ll him", "ki\u200Bll him",
                           "ｋｉｌｌ him", "KiLL him", "k-i-l-l him", "k\u0336i\u0336l\u0336l\u0336 him"}) {
    EXPECT_THAT(RuleIds(text), ElementsAre(1)) << text;
  }
  EXPECT_THAT(RuleIds("just K1LL Y0URSELF"), ElementsAre(1, 2));
  EXPECT_THAT(Spans("now K.I.L.L. y o u r s e l f!"), ElementsAre("K.I.L.L", "K.I.L.L. y o u r s e l f"));
}

TEST_F(PolicyTest, CyrillicRulesMatchCyrillicText) {
  EXPECT_THAT(RuleIds("Я хочу его УБИТЬ."), ElementsAre(3));
  EXPECT_THAT(Spans("Я хочу его УБИТЬ."), ElementsAre("УБИТЬ"));
  EXPECT_THAT(RuleIds("у б и т ь"), ElementsAre(3));  // Spelled out.
  EXPECT_THAT(RuleIds("убить\u200B"), ElementsAre(3));
  EXPECT_THAT(RuleIds("убитьcя"), IsEmpty());  // Not a whole word.
}

TEST_F(PolicyTest, CjkRulesMatchWithoutWordBoundaries) {
  EXPECT_THAT(RuleIds("我要杀了你！"), ElementsAre(4));
  EXPECT_THAT(Spans("他说：我要杀了你。"), ElementsAre("杀了你"));
  EXPECT_THAT(RuleIds("我要杀\u200B了你"), ElementsAre(4));
  EXPECT_THAT(RuleIds("我要杀 了 你"), ElementsAre(4));  // Spelled out with spaces.
  EXPECT_THAT(RuleIds("我爱你"), IsEmpty());
}

TEST_F(PolicyTest, ArabicHebrewDevanagariAndThaiRules) {
  EXPECT_THAT(RuleIds("أنا سأقتلك غدا"), ElementsAre(5));
  EXPECT_THAT(RuleIds("أنا سـأقـتـلـك غدا"), ElementsAre(5));  // Tatweel evasion.
  EXPECT_THAT(RuleIds("मैं तुम्हें मार दूँगा"), ElementsAre(6));
  EXPECT_THAT(RuleIds("मैं तुम्हें मार\u200Dदूँगा"), IsEmpty());  // A joiner is not a space.
  EXPECT_THAT(RuleIds("अगर तुमने फिर कहा तो मार   दूँगा!"), ElementsAre(6));
  EXPECT_THAT(RuleIds("אני אהרוג אותך"), ElementsAre(7));
  EXPECT_THAT(RuleIds("ฉันจะฆ่าคุณ"), ElementsAre(8));  // Thai: no spaces between words.
}

TEST_F(PolicyTest, NonLatinTextThatMatchesNothingIsNotMangled) {
  EXPECT_THAT(RuleIds("сосо и кокос"), IsEmpty());
  EXPECT_THAT(RuleIds("Καλημέρα κόσμε"), IsEmpty());
  EXPECT_THAT(RuleIds("안녕하세요 세계"), IsEmpty());
  // A Cyrillic word made of look-alikes is not read as Latin: "кілл" is not "kill".
  EXPECT_THAT(RuleIds("кілл"), IsEmpty());
}

TEST_F(PolicyTest, RegexRules) {
  EXPECT_THAT(RuleIds("get FREE V-BUCKS here"), ElementsAre(9));
  EXPECT_THAT(RuleIds("free vbucks"), ElementsAre(9));
  EXPECT_THAT(RuleIds("Buy 500 followers now"), ElementsAre(10));
  EXPECT_THAT(Spans("Buy 500 followers now"), ElementsAre("Buy 500 followers"));
  // Regexes see the normalized text: punctuation is a single space.
  EXPECT_THAT(Spans("BUY... 500   followers!!"), ElementsAre("BUY... 500   followers"));
  EXPECT_THAT(RuleIds("buy followers"), IsEmpty());
}

TEST_F(PolicyTest, LocalesRestrictRules) {
  EXPECT_THAT(RuleIds("que bicha", "pt"), ElementsAre(12));
  EXPECT_THAT(RuleIds("que bicha", "pt-BR"), ElementsAre(12));
  EXPECT_THAT(RuleIds("que bicha", "PT-br"), ElementsAre(12));
  EXPECT_THAT(RuleIds("que bicha", "en"), IsEmpty());
  EXPECT_THAT(RuleIds("que bicha", "ptx"), IsEmpty());
  EXPECT_THAT(RuleIds("que bicha", ""), IsEmpty());
  EXPECT_THAT(RuleIds("the official support team", "en-US"), ElementsAre(13));
  EXPECT_THAT(RuleIds("the official support team", "de-CH"), ElementsAre(13));
  EXPECT_THAT(RuleIds("the official support team", "de"), IsEmpty());
  // Rules without locales apply to every locale, and to none.
  EXPECT_THAT(RuleIds("kill", "ja"), ElementsAre(1));
  EXPECT_THAT(RuleIds("kill", ""), ElementsAre(1));
}

TEST_F(PolicyTest, DecisionIsTheStrongestActionAndCategoriesMostSevereFirst) {
  Verdict verdict = CheckOk("a kitten");
  EXPECT_EQ(verdict.decision, Rule::kAllow);
  EXPECT_THAT(verdict.categories, ElementsAre("allowlisted"));

  verdict = CheckOk("you idiot, a kitten");
  EXPECT_EQ(verdict.decision, Rule::kReview);
  EXPECT_THAT(verdict.categories, ElementsAre("harassment", "allowlisted"));

  verdict = CheckOk("idiot, free vbucks, kitten, kill yourself");
  EXPECT_EQ(verdict.decision, Rule::kBlock);
  EXPECT_THAT(verdict.categories, ElementsAre("self_harm", "violence", "harassment", "spam", "allowlisted"));
  ASSERT_EQ(verdict.matches.size(), 5u);
  // Matches are in text order.
  for (size_t i = 1; i < verdict.matches.size(); ++i) {
    EXPECT_LE(verdict.matches[i - 1].original_begin, verdict.matches[i].original_begin);
  }
  EXPECT_EQ(verdict.matches[0].rule_id, 11);
  EXPECT_EQ(verdict.matches[0].category, "harassment");
  EXPECT_EQ(verdict.matches[0].severity, 2);
  EXPECT_EQ(verdict.matches[0].action, Rule::kReview);
}

TEST_F(PolicyTest, EachRuleIsReportedOnce) {
  const Verdict verdict = CheckOk("kill kill kill, buy 1 followers buy 2 followers");
  EXPECT_THAT(RuleIds("kill kill kill, buy 1 followers buy 2 followers"), ElementsAre(1, 10));
  EXPECT_EQ(verdict.matches.size(), 2u);
}

TEST_F(PolicyTest, InvalidUtf8AndOversizeTextAreRefused) {
  EXPECT_THAT(policy_->Check("kill \xC3", CheckContext::kComment, "en"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("text")));
  EXPECT_THAT(policy_->Check(std::string(kMaxCheckedTextBytes + 1, 'a'), CheckContext::kPrompt, "en"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("text")));
  EXPECT_THAT(policy_->Check(std::string(kMaxCheckedTextBytes, 'a'), CheckContext::kPartyChat, "en"), IsOk());
}

TEST(PolicyCompileTest, ACompileErrorNamesTheRule) {
  std::vector<Rule> rules = SampleRules();
  rules.push_back(MakeRule(4242, "bad(regex", Rule::kRegex, "spam", 1, Rule::kReview));
  EXPECT_THAT(CompiledPolicy::Compile(rules, 1),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("rule 4242")));

  rules = SampleRules();
  rules.push_back(MakeRule(77, "a*", Rule::kRegex, "spam", 1, Rule::kReview));  // Matches empty.
  EXPECT_THAT(CompiledPolicy::Compile(rules, 1), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("rule 77")));

  rules = SampleRules();
  rules.push_back(MakeRule(1, "again", Rule::kWord, "spam", 1, Rule::kReview));
  EXPECT_THAT(CompiledPolicy::Compile(rules, 1),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("rule 1: id is used")));
}

TEST(PolicyCompileTest, ValidateRuleChecksOneRule) {
  EXPECT_THAT(ValidateRule(MakeRule(1, "kill", Rule::kWord, "violence", 3, Rule::kBlock)), IsOk());
  EXPECT_THAT(ValidateRule(MakeRule(2, "x(", Rule::kRegex, "spam", 1, Rule::kReview)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("rule 2")));
  EXPECT_THAT(ValidateRule(MakeRule(3, "\\bword\\b", Rule::kRegex, "spam", 1, Rule::kReview)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("rule 3")));
  EXPECT_THAT(ValidateRule(MakeRule(4, "two words", Rule::kWord, "spam", 1, Rule::kReview)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("use a phrase")));
  EXPECT_THAT(ValidateRule(MakeRule(5, "...", Rule::kWord, "spam", 1, Rule::kReview)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("rule 5")));
  EXPECT_THAT(ValidateRule(MakeRule(6, "kill", Rule::kWord, "violence", 6, Rule::kBlock)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("severity")));
  EXPECT_THAT(ValidateRule(MakeRule(7, "kill", Rule::kWord, "", 3, Rule::kBlock)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("category")));
  EXPECT_THAT(ValidateRule(MakeRule(0, "kill", Rule::kWord, "violence", 3, Rule::kBlock)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("id")));
  EXPECT_THAT(ValidateRule(MakeRule(8, "kill", Rule::kWord, "violence", 3, Rule::kBlock, {"en US"})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("locale")));
  EXPECT_THAT(ValidateRule(MakeRule(9, "ab\xC3", Rule::kWord, "violence", 3, Rule::kBlock)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("UTF-8")));
}

TEST(PolicyCompileTest, RulesWrittenWithEvasionsMatchThePlainForm) {
  absl::StatusOr<std::shared_ptr<const CompiledPolicy>> policy =
      CompiledPolicy::Compile({MakeRule(1, "K.I.L.L", Rule::kWord, "violence", 4, Rule::kBlock)}, 1);
  ASSERT_THAT(policy, IsOk());
  absl::StatusOr<Verdict> verdict = (*policy)->Check("kill", CheckContext::kPrompt, "en");
  ASSERT_THAT(verdict, IsOk());
  EXPECT_EQ(verdict->decision, Rule::kBlock);
}

TEST(PolicyCompileTest, AnEmptyPolicyAllowsEverything) {
  absl::StatusOr<std::shared_ptr<const CompiledPolicy>> policy = CompiledPolicy::Compile({}, 1);
  ASSERT_THAT(policy, IsOk());
  absl::StatusOr<Verdict> verdict = (*policy)->Check("kill", CheckContext::kPrompt, "en");
  ASSERT_THAT(verdict, IsOk());
  EXPECT_EQ(verdict->decision, Rule::kAllow);
  EXPECT_THAT((*policy)->Check("\xFF", CheckContext::kPrompt, "en"), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace clipforge::moderation
