// Appeals over the fake store: who may appeal and when, once; the appeal's
// own case that the first decision's moderator never reviews; outcomes
// that record, emit and audit.
#include "services/moderation/appeal_logic.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/moderation/events.h"
#include "tests/unit/moderation_service/review_fixture.h"

namespace clipforge::moderation_service::testing {
namespace {

using base::testing::StatusIs;
using ::testing::HasSubstr;

class AppealLogicTest : public ReviewFixture {
 protected:
  // A clip reported by `reporter_`, owned by `author_` (via a user report
  // here: the case's subject), decided REMOVE by `first_mod_`.
  void SetUp() override {
    Report(reporter_, UserTarget(author_));
    decision_ = Decide(first_mod_, Claim(first_mod_));
  }

  v1::StatementOfReasons FinalStatement() {
    v1::StatementOfReasons s = Statement();
    s.clear_redress();
    s.add_redress(v1::REDRESS_OPTION_OUT_OF_COURT_SETTLEMENT);
    return s;
  }

  kit::Caller reporter_ = User();
  kit::Caller author_ = User();
  kit::Caller first_mod_ = Moderator();
  DecisionRecord decision_;
};

TEST_F(AppealLogicTest, TheAffectedUserAppealsOnceAndTheAppealQueues) {
  ASSERT_OK_AND_ASSIGN(const AppealView filed, appeals_.File(author_, Key(author_), decision_.decision_id, "Not spam"));
  EXPECT_EQ(filed.appeal.status, v1::APPEAL_STATUS_PENDING);
  EXPECT_EQ(filed.appeal.appellant_id, author_.user_id);
  const FakeModerationState state = store_.state();
  const CaseRecord& appeal_case = state.cases.at(filed.appeal.case_id);
  EXPECT_EQ(appeal_case.source, v1::CASE_SOURCE_APPEAL);
  EXPECT_EQ(appeal_case.appeal_id, filed.appeal.appeal_id);
  EXPECT_EQ(appeal_case.recused_user_id, first_mod_.user_id);
  EXPECT_EQ(state.events[state.events.size() - 2].type(), kAppealedSubject);
  EXPECT_EQ(state.audit.back().fields.action, "appeal.filed");

  EXPECT_THAT(appeals_.File(author_, Key(author_), decision_.decision_id, "Again"),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr(filed.appeal.appeal_id)));
}

TEST_F(AppealLogicTest, AReporterMayAppealAndAStrangerMayNot) {
  EXPECT_TRUE(appeals_.File(reporter_, Key(reporter_), decision_.decision_id, "Too mild").ok());
  const kit::Caller stranger = User();
  EXPECT_THAT(appeals_.File(stranger, Key(stranger), decision_.decision_id, "Hm"),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(appeals_.File(stranger, Key(stranger), ids_.Next(), "Hm"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(AppealLogicTest, TheWindowCloses) {
  clock_.Advance(absl::Hours(180 * 24) + absl::Seconds(1));
  EXPECT_THAT(appeals_.File(author_, Key(author_), decision_.decision_id, "Late"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("window")));
  EXPECT_TRUE(store_.state().appeals.empty());
}

TEST_F(AppealLogicTest, TheFirstModeratorNeverReviewsTheAppeal) {
  ASSERT_OK_AND_ASSIGN(const AppealView filed, appeals_.File(author_, Key(author_), decision_.decision_id, "No"));
  ASSERT_OK_AND_ASSIGN(const std::optional<ClaimedCase> none,
                       review_.ClaimNext(first_mod_, Key(first_mod_), {}, absl::Minutes(5)));
  EXPECT_FALSE(none.has_value());
  // Even holding someone else's claim, the first moderator is refused.
  const kit::Caller second_mod = Moderator();
  const ClaimedCase claimed = Claim(second_mod);
  EXPECT_EQ(claimed.view.record.appeal_id, filed.appeal.appeal_id);
  EXPECT_THAT(appeals_.Decide(first_mod_, Key(first_mod_),
                              {.appeal_id = filed.appeal.appeal_id, .claim_id = claimed.claim.claim_id,
                               .outcome = v1::APPEAL_STATUS_REVERSED, .statement = FinalStatement()}),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_F(AppealLogicTest, AReversedAppealRestoresAndIsRecorded) {
  ASSERT_OK_AND_ASSIGN(const AppealView filed, appeals_.File(author_, Key(author_), decision_.decision_id, "No"));
  const kit::Caller second_mod = Moderator();
  const ClaimedCase claimed = Claim(second_mod);
  // An appeal's case is decided through the appeal.
  EXPECT_THAT(review_.Decide(second_mod, Key(second_mod),
                             {.case_id = claimed.claim.case_id, .claim_id = claimed.claim.claim_id,
                              .action = v1::MODERATION_ACTION_NO_ACTION}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("DecideAppeal")));
  ASSERT_OK_AND_ASSIGN(const AppealView decided,
                       appeals_.Decide(second_mod, Key(second_mod),
                                       {.appeal_id = filed.appeal.appeal_id, .claim_id = claimed.claim.claim_id,
                                        .outcome = v1::APPEAL_STATUS_REVERSED, .statement = FinalStatement()}));
  EXPECT_EQ(decided.appeal.status, v1::APPEAL_STATUS_REVERSED);
  ASSERT_TRUE(decided.outcome.has_value());
  EXPECT_EQ(decided.outcome->action, v1::MODERATION_ACTION_RESTORE);
  EXPECT_EQ(decided.outcome->appeal_id, filed.appeal.appeal_id);
  EXPECT_EQ(decided.outcome->moderator_id, second_mod.user_id);
  const FakeModerationState state = store_.state();
  EXPECT_EQ(state.events.back().type(), kDecidedSubject);
  EXPECT_EQ(state.events.back().moderation_decided().appeal_id(), filed.appeal.appeal_id);
  EXPECT_EQ(state.audit.back().fields.action, "appeal.decided");
  EXPECT_EQ(state.cases.at(filed.appeal.case_id).status, v1::CASE_STATUS_DECIDED);
  // Decided once.
  EXPECT_THAT(appeals_.Decide(second_mod, Key(second_mod),
                              {.appeal_id = filed.appeal.appeal_id, .claim_id = claimed.claim.claim_id,
                               .outcome = v1::APPEAL_STATUS_UPHELD, .statement = FinalStatement()}),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  // The decision on an appeal is final here.
  EXPECT_THAT(appeals_.File(author_, Key(author_), decided.outcome->decision_id, "Still no"),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(AppealLogicTest, UpheldKeepsTheActionAndModifiedReplacesIt) {
  ASSERT_OK_AND_ASSIGN(const AppealView by_author, appeals_.File(author_, Key(author_), decision_.decision_id, "No"));
  ASSERT_OK_AND_ASSIGN(const AppealView by_reporter,
                       appeals_.File(reporter_, Key(reporter_), decision_.decision_id, "Too mild"));
  const kit::Caller second_mod = Moderator();
  std::map<std::string, std::string> claim_of;  // appeal id -> claim id
  for (int i = 0; i < 2; ++i) {
    const ClaimedCase claimed = Claim(second_mod);
    claim_of[claimed.view.record.appeal_id] = claimed.claim.claim_id;
  }
  ASSERT_OK_AND_ASSIGN(const AppealView upheld,
                       appeals_.Decide(second_mod, Key(second_mod),
                                       {.appeal_id = by_author.appeal.appeal_id,
                                        .claim_id = claim_of[by_author.appeal.appeal_id],
                                        .outcome = v1::APPEAL_STATUS_UPHELD, .statement = FinalStatement()}));
  EXPECT_EQ(upheld.outcome->action, v1::MODERATION_ACTION_REMOVE);
  ASSERT_OK_AND_ASSIGN(const AppealView modified,
                       appeals_.Decide(second_mod, Key(second_mod),
                                       {.appeal_id = by_reporter.appeal.appeal_id,
                                        .claim_id = claim_of[by_reporter.appeal.appeal_id],
                                        .outcome = v1::APPEAL_STATUS_MODIFIED,
                                        .action = v1::MODERATION_ACTION_TERMINATE_ACCOUNT,
                                        .statement = FinalStatement()}));
  EXPECT_EQ(modified.appeal.status, v1::APPEAL_STATUS_MODIFIED);
  EXPECT_EQ(modified.outcome->action, v1::MODERATION_ACTION_TERMINATE_ACCOUNT);
}

TEST_F(AppealLogicTest, AnAppealIsSeenByItsAppellantAndModeratorsOnly) {
  ASSERT_OK_AND_ASSIGN(const AppealView filed, appeals_.File(author_, Key(author_), decision_.decision_id, "No"));
  EXPECT_TRUE(appeals_.Get(author_, filed.appeal.appeal_id).ok());
  EXPECT_TRUE(appeals_.Get(Moderator(), filed.appeal.appeal_id).ok());
  EXPECT_THAT(appeals_.Get(reporter_, filed.appeal.appeal_id), StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace clipforge::moderation_service::testing
