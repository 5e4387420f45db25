// Reports and the review queue over the fake store: reports merge into one
// case per target, the queue's order and aging, claims that never collide
// and lapse, and decisions that close reports, emit and audit at once.
#include "services/moderation/review_logic.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error_reason.h"
#include "services/kit/proto_time.h"
#include "services/moderation/events.h"
#include "tests/unit/moderation_service/review_fixture.h"

namespace clipforge::moderation_service::testing {
namespace {

using base::testing::IsOk;
using base::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

class ReviewLogicTest : public ReviewFixture {};

TEST_F(ReviewLogicTest, ReportsOnOneTargetMergeIntoOneCase) {
  const kit::Caller alice = User(), bob = User();
  const TargetRef clip = ClipTarget();
  const ReportView first = Report(alice, clip, v1::MODERATION_CATEGORY_SPAM);
  EXPECT_EQ(first.report.status, v1::REPORT_STATUS_OPEN);
  EXPECT_EQ(first.report.reporter_id, alice.user_id);
  const int64_t rank_with_one = store_.state().cases.at(first.report.case_id).rank_micros;
  const ReportView second = Report(bob, clip, v1::MODERATION_CATEGORY_HARASSMENT);
  EXPECT_EQ(second.report.case_id, first.report.case_id);

  const FakeModerationState state = store_.state();
  ASSERT_EQ(state.cases.size(), 1u);
  const CaseRecord& merged = state.cases.begin()->second;
  EXPECT_EQ(merged.report_count, 2);
  EXPECT_EQ(merged.source, v1::CASE_SOURCE_USER_REPORT);
  EXPECT_THAT(merged.categories,
              UnorderedElementsAre(v1::MODERATION_CATEGORY_SPAM, v1::MODERATION_CATEGORY_HARASSMENT));
  EXPECT_LT(merged.rank_micros, rank_with_one);  // More reports: further ahead.
  // One flagged event, for the case's opening only.
  ASSERT_EQ(state.events.size(), 1u);
  EXPECT_EQ(state.events[0].type(), kFlaggedSubject);
  EXPECT_EQ(state.events[0].moderation_flagged().case_id(), merged.case_id);
}

TEST_F(ReviewLogicTest, ReportingAgainWhileOpenReturnsTheFirstReport) {
  const kit::Caller alice = User();
  const TargetRef clip = ClipTarget();
  const ReportView first = Report(alice, clip);
  const ReportView again = Report(alice, clip, v1::MODERATION_CATEGORY_HATE);
  EXPECT_EQ(again.report.report_id, first.report.report_id);
  EXPECT_EQ(store_.state().reports.size(), 1u);
  EXPECT_EQ(store_.state().cases.begin()->second.report_count, 1);
}

TEST_F(ReviewLogicTest, AUserTargetIsTheCasesSubjectAndNobodyReportsThemselves) {
  const kit::Caller alice = User(), bob = User();
  EXPECT_THAT(reports_.Create(alice, Key(alice), {.target = UserTarget(alice), .reason = v1::MODERATION_CATEGORY_SPAM}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("target.id")));
  const ReportView report = Report(alice, UserTarget(bob));
  EXPECT_EQ(store_.state().cases.at(report.report.case_id).subject_user_id, bob.user_id);
}

TEST_F(ReviewLogicTest, TheDailyReportLimitRefusesAndLeavesNothing) {
  const kit::Caller alice = User();
  for (int i = 0; i < 3; ++i) Report(alice, ClipTarget());
  const FakeModerationState before = store_.state();
  EXPECT_THAT(reports_.Create(alice, Key(alice), {.target = ClipTarget(), .reason = v1::MODERATION_CATEGORY_SPAM}),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(store_.state().cases.size(), before.cases.size());
  EXPECT_EQ(store_.state().reports.size(), before.reports.size());
  clock_.Advance(absl::Hours(24) + absl::Seconds(1));
  Report(alice, ClipTarget());
  EXPECT_EQ(store_.state().reports.size(), 4u);
}

TEST_F(ReviewLogicTest, OthersReportsAreNotFound) {
  const kit::Caller alice = User(), bob = User();
  const ReportView report = Report(alice, ClipTarget());
  EXPECT_TRUE(reports_.Get(alice, report.report.report_id).ok());
  EXPECT_THAT(reports_.Get(bob, report.report.report_id), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(ReviewLogicTest, MyReportsPageNewestFirst) {
  const kit::Caller alice = User();
  std::vector<std::string> filed;
  for (int i = 0; i < 3; ++i) {
    filed.push_back(Report(alice, ClipTarget()).report.report_id);
    clock_.Advance(absl::Seconds(1));
  }
  ASSERT_OK_AND_ASSIGN(const ReportPage first, reports_.ListMine(alice, std::nullopt, 2));
  ASSERT_EQ(first.reports.size(), 2u);
  EXPECT_EQ(first.reports[0].report.report_id, filed[2]);
  EXPECT_EQ(first.reports[1].report.report_id, filed[1]);
  ASSERT_TRUE(first.next.has_value());
  ASSERT_OK_AND_ASSIGN(const ReportPage second, reports_.ListMine(alice, first.next, 2));
  ASSERT_EQ(second.reports.size(), 1u);
  EXPECT_EQ(second.reports[0].report.report_id, filed[0]);
  EXPECT_FALSE(second.next.has_value());
}

TEST_F(ReviewLogicTest, TheMoreSevereCaseIsClaimedFirstUntilAgingWins) {
  const kit::Caller alice = User(), mod = Moderator();
  const ReportView spam = Report(alice, ClipTarget(), v1::MODERATION_CATEGORY_SPAM);           // Severity 20.
  const ReportView self_harm = Report(alice, ClipTarget(), v1::MODERATION_CATEGORY_SELF_HARM);  // Severity 70.
  EXPECT_EQ(Claim(mod).claim.case_id, self_harm.report.case_id);
  EXPECT_EQ(Claim(mod).claim.case_id, spam.report.case_id);
}

TEST_F(ReviewLogicTest, AWeekOldMildCaseGoesBeforeAFreshSevereOne) {
  const kit::Caller bob = User(), mod2 = Moderator();
  const ReportView old_spam = Report(bob, ClipTarget(), v1::MODERATION_CATEGORY_SPAM);
  clock_.Advance(absl::Hours(7 * 24));
  Report(bob, ClipTarget(), v1::MODERATION_CATEGORY_SELF_HARM);
  EXPECT_EQ(Claim(mod2).claim.case_id, old_spam.report.case_id);
}

TEST_F(ReviewLogicTest, TwoModeratorsNeverHoldTheSameCaseAndALapsedClaimReturns) {
  const kit::Caller alice = User(), mod1 = Moderator(), mod2 = Moderator();
  Report(alice, ClipTarget());
  const ClaimedCase held = Claim(mod1, absl::Minutes(5));
  ASSERT_OK_AND_ASSIGN(const std::optional<ClaimedCase> none, review_.ClaimNext(mod2, Key(mod2), {}, absl::Minutes(5)));
  EXPECT_FALSE(none.has_value());
  ASSERT_OK_AND_ASSIGN(const CasePage listed, review_.List(mod2, {}, std::nullopt, 10));
  ASSERT_EQ(listed.cases.size(), 1u);
  EXPECT_EQ(listed.cases[0].record.status, v1::CASE_STATUS_CLAIMED);
  EXPECT_EQ(listed.open_count, 0);

  clock_.Advance(absl::Minutes(5));
  const ClaimedCase retaken = Claim(mod2);
  EXPECT_EQ(retaken.claim.case_id, held.claim.case_id);
  EXPECT_NE(retaken.claim.claim_id, held.claim.claim_id);
  // The first moderator's lapsed claim can no longer decide.
  const absl::StatusOr<DecisionRecord> late = review_.Decide(
      mod1, Key(mod1),
      {.case_id = held.claim.case_id, .claim_id = held.claim.claim_id, .action = v1::MODERATION_ACTION_REMOVE,
       .categories = {v1::MODERATION_CATEGORY_SPAM}, .statement = Statement()});
  EXPECT_THAT(late, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(base::ReasonOf(late.status()), "CLAIM_EXPIRED");
}

TEST_F(ReviewLogicTest, AClaimRetriedWithItsRequestIdIsTheSameClaim) {
  const kit::Caller alice = User(), mod = Moderator();
  Report(alice, ClipTarget());
  Report(alice, ClipTarget());
  const kit::IdempotencyKey key = Key(mod);
  ASSERT_OK_AND_ASSIGN(const std::optional<ClaimedCase> first, review_.ClaimNext(mod, key, {}, absl::Minutes(10)));
  ASSERT_OK_AND_ASSIGN(const std::optional<ClaimedCase> retry, review_.ClaimNext(mod, key, {}, absl::Minutes(10)));
  ASSERT_TRUE(first.has_value() && retry.has_value());
  EXPECT_EQ(retry->claim.claim_id, first->claim.claim_id);
  EXPECT_EQ(retry->claim.case_id, first->claim.case_id);
  ASSERT_OK_AND_ASSIGN(const CasePage listed, review_.List(mod, {}, std::nullopt, 10));
  EXPECT_EQ(listed.open_count, 1);  // The retry took nothing more.
}

TEST_F(ReviewLogicTest, AModeratorHoldsAtMostTheLimitOfClaims) {
  const kit::Caller alice = User(), mod = Moderator();
  for (int i = 0; i < 3; ++i) Report(alice, ClipTarget());
  Claim(mod);
  Claim(mod);
  EXPECT_THAT(review_.ClaimNext(mod, Key(mod), {}, absl::Minutes(10)),
              StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST_F(ReviewLogicTest, AModeratorNeverClaimsACaseAboutThemselves) {
  const kit::Caller alice = User(), mod = Moderator();
  Report(alice, UserTarget(mod));
  ASSERT_OK_AND_ASSIGN(const std::optional<ClaimedCase> none, review_.ClaimNext(mod, Key(mod), {}, absl::Minutes(5)));
  EXPECT_FALSE(none.has_value());
}

TEST_F(ReviewLogicTest, TheFilterNarrowsWhatIsClaimed) {
  const kit::Caller alice = User(), mod = Moderator();
  Report(alice, ClipTarget(), v1::MODERATION_CATEGORY_SELF_HARM);
  const ReportView spam = Report(alice, ClipTarget(), v1::MODERATION_CATEGORY_SPAM);
  ASSERT_OK_AND_ASSIGN(
      const std::optional<ClaimedCase> claimed,
      review_.ClaimNext(mod, Key(mod), {.categories = {v1::MODERATION_CATEGORY_SPAM}}, absl::Minutes(5)));
  ASSERT_TRUE(claimed.has_value());
  EXPECT_EQ(claimed->claim.case_id, spam.report.case_id);
}

TEST_F(ReviewLogicTest, ADecisionClosesTheReportsEmitsAndAudits) {
  const kit::Caller alice = User(), bob = User(), mod = Moderator();
  const TargetRef clip = ClipTarget();
  const ReportView a = Report(alice, clip);
  Report(bob, clip);
  const ClaimedCase claimed = Claim(mod);
  const DecisionRecord decision = Decide(mod, claimed);
  EXPECT_EQ(decision.moderator_id, mod.user_id);
  EXPECT_EQ(decision.appeal_deadline, clock_.Now() + absl::Hours(180 * 24));

  const FakeModerationState state = store_.state();
  const CaseRecord& decided = state.cases.at(claimed.claim.case_id);
  EXPECT_EQ(decided.status, v1::CASE_STATUS_DECIDED);
  EXPECT_EQ(decided.decision_id, decision.decision_id);
  EXPECT_TRUE(decided.claim_id.empty());
  for (const auto& [id, report] : state.reports) {
    EXPECT_EQ(report.status, v1::REPORT_STATUS_ACTION_TAKEN);
    EXPECT_EQ(report.decision_id, decision.decision_id);
  }
  const v1::EventEnvelope& decided_event = state.events.back();
  EXPECT_EQ(decided_event.type(), kDecidedSubject);
  EXPECT_EQ(decided_event.moderation_decided().action(), v1::MODERATION_ACTION_REMOVE);
  EXPECT_EQ(decided_event.moderation_decided().target().id(), clip.id);
  EXPECT_FALSE(decided_event.moderation_decided().automated());
  ASSERT_EQ(state.audit.size(), 1u);
  EXPECT_EQ(state.audit[0].fields.action, "case.decided");
  EXPECT_EQ(state.audit[0].fields.object_id, decision.decision_id);
  EXPECT_EQ(state.audit[0].fields.target_id, clip.id);

  // The reporter's receipt.
  ASSERT_OK_AND_ASSIGN(const ReportView receipt, reports_.Get(alice, a.report.report_id));
  EXPECT_EQ(receipt.report.status, v1::REPORT_STATUS_ACTION_TAKEN);
  ASSERT_TRUE(receipt.outcome.has_value());
  EXPECT_EQ(receipt.outcome->action, v1::MODERATION_ACTION_REMOVE);

  // The next report on the same target opens a new case that shows this one.
  const ReportView later = Report(User(), clip);
  EXPECT_NE(later.report.case_id, claimed.claim.case_id);
  ASSERT_OK_AND_ASSIGN(const CaseView view, review_.Get(mod, later.report.case_id));
  ASSERT_EQ(view.prior_decisions.size(), 1u);
  EXPECT_EQ(view.prior_decisions[0].decision_id, decision.decision_id);
}

TEST_F(ReviewLogicTest, NoActionClosesReportsAsNoAction) {
  const kit::Caller alice = User(), mod = Moderator();
  const ReportView report = Report(alice, ClipTarget());
  Decide(mod, Claim(mod), v1::MODERATION_ACTION_NO_ACTION);
  EXPECT_EQ(store_.state().reports.at(report.report.report_id).status, v1::REPORT_STATUS_NO_ACTION);
}

TEST_F(ReviewLogicTest, ADecidedCaseIsNotDecidedTwiceAndAReleasedOneReturns) {
  const kit::Caller alice = User(), mod = Moderator();
  Report(alice, ClipTarget());
  const ClaimedCase claimed = Claim(mod);
  ASSERT_THAT(review_.Release(mod, Key(mod), claimed.claim.case_id, claimed.claim.claim_id), IsOk());
  const ClaimedCase again = Claim(mod);
  EXPECT_EQ(again.claim.case_id, claimed.claim.case_id);
  Decide(mod, again);
  EXPECT_THAT(review_.Decide(mod, Key(mod),
                             {.case_id = again.claim.case_id, .claim_id = again.claim.claim_id,
                              .action = v1::MODERATION_ACTION_REMOVE, .statement = Statement()}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already decided")));
}

TEST_F(ReviewLogicTest, SomeoneElsesClaimDecidesNothing) {
  const kit::Caller alice = User(), mod1 = Moderator(), mod2 = Moderator();
  Report(alice, ClipTarget());
  const ClaimedCase claimed = Claim(mod1);
  const FakeModerationState before = store_.state();
  EXPECT_THAT(review_.Decide(mod2, Key(mod2),
                             {.case_id = claimed.claim.case_id, .claim_id = claimed.claim.claim_id,
                              .action = v1::MODERATION_ACTION_REMOVE, .statement = Statement()}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("claim_id")));
  EXPECT_EQ(store_.state().decisions.size(), before.decisions.size());
}

TEST_F(ReviewLogicTest, ASuspensionNeedsAnEndInTheFuture) {
  const kit::Caller alice = User(), bob = User(), mod = Moderator();
  Report(alice, UserTarget(bob));
  const ClaimedCase claimed = Claim(mod);
  DecisionInput input{.case_id = claimed.claim.case_id, .claim_id = claimed.claim.claim_id,
                      .action = v1::MODERATION_ACTION_SUSPEND_ACCOUNT,
                      .categories = {v1::MODERATION_CATEGORY_SPAM}, .statement = Statement()};
  EXPECT_THAT(review_.Decide(mod, Key(mod), input),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("statement.action_end_time")));
  *input.statement.mutable_action_end_time() = kit::ToTimestamp(clock_.Now() + absl::Hours(72));
  ASSERT_OK_AND_ASSIGN(const DecisionRecord decision, review_.Decide(mod, Key(mod), input));
  EXPECT_EQ(decision.subject_user_id, bob.user_id);
  EXPECT_TRUE(store_.state().events.back().moderation_decided().has_action_end_time());
}

TEST_F(ReviewLogicTest, OnlyModeratorsWorkTheQueue) {
  const kit::Caller alice = User();
  const ReportView report = Report(alice, ClipTarget());
  EXPECT_THAT(review_.List(alice, {}, std::nullopt, 10), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(review_.ClaimNext(alice, Key(alice), {}, absl::Minutes(5)), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(review_.Get(alice, report.report.case_id), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(review_.Release(alice, Key(alice), report.report.case_id, ids_.Next()),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(review_.Decide(alice, Key(alice), {.case_id = report.report.case_id}),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_F(ReviewLogicTest, AFilterFindingOpensOneCaseAndMergesLaterOnes) {
  const TargetRef job{v1::CONTENT_KIND_GENERATION_JOB, ids_.Next()};
  CaseRecord finding{.target = job, .subject_user_id = ids_.Next(), .source = v1::CASE_SOURCE_PROMPT_FILTER,
                     .categories = {v1::MODERATION_CATEGORY_VIOLENCE}, .prompt = "a fight"};
  ASSERT_OK_AND_ASSIGN(const CaseRecord opened, review_.OpenFilterCase(finding, v1::MODERATION_DECISION_REVIEW));
  finding.categories = {v1::MODERATION_CATEGORY_HATE};
  finding.prompt = "a worse fight";
  ASSERT_OK_AND_ASSIGN(const CaseRecord merged, review_.OpenFilterCase(finding, v1::MODERATION_DECISION_REVIEW));
  EXPECT_EQ(merged.case_id, opened.case_id);
  EXPECT_EQ(merged.prompt, "a worse fight");
  EXPECT_THAT(merged.categories, ElementsAre(v1::MODERATION_CATEGORY_VIOLENCE, v1::MODERATION_CATEGORY_HATE));
  EXPECT_EQ(merged.severity, 50);
  EXPECT_EQ(store_.state().events.size(), 1u);
}

}  // namespace
}  // namespace clipforge::moderation_service::testing
