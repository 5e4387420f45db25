// Validation of report, queue, decision and appeal requests: every bad
// field named; a statement of reasons complete for what it decides.
#include "services/moderation/case_request_parsing.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/testing/status_matchers.h"

namespace clipforge::moderation_service {
namespace {

using base::testing::IsOk;
using base::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kId[] = "0190f2a4-5b6c-7d8e-9f01-23456789abcd";
constexpr char kOtherId[] = "0190f2a4-5b6c-7d8e-9f01-23456789abce";

v1::StatementOfReasons Statement() {
  v1::StatementOfReasons s;
  s.set_ground(v1::DECISION_GROUND_TERMS_OF_SERVICE);
  s.set_ground_reference("Terms 4.2");
  s.set_facts("Repeated advertisement.");
  s.mutable_automation();
  s.add_redress(v1::REDRESS_OPTION_INTERNAL_APPEAL);
  return s;
}

v1::DecideCaseRequest Decision(v1::ModerationAction action) {
  v1::DecideCaseRequest request;
  request.set_request_id(kId);
  request.set_case_id(kId);
  request.set_claim_id(kOtherId);
  request.set_action(action);
  request.add_categories(v1::MODERATION_CATEGORY_SPAM);
  *request.mutable_statement() = Statement();
  return request;
}

TEST(ParseNewReportTest, EveryBadFieldIsNamed) {
  v1::CreateReportRequest request;
  request.set_request_id("x");
  request.mutable_target()->set_id("../etc/passwd");
  request.set_details(std::string(1001, 'a'));
  EXPECT_THAT(ParseNewReport(request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("request_id"), HasSubstr("target.kind"), HasSubstr("target.id"),
                             HasSubstr("reason"), HasSubstr("details"))));
  request.set_request_id(kId);
  request.mutable_target()->set_kind(v1::CONTENT_KIND_CLIP);
  request.mutable_target()->set_id(kOtherId);
  request.set_reason(v1::MODERATION_CATEGORY_HATE);
  request.set_details("slurs in the caption");
  ASSERT_OK_AND_ASSIGN(const ReportRecord report, ParseNewReport(request));
  EXPECT_EQ(report.target.id, kOtherId);
  EXPECT_EQ(report.reason, v1::MODERATION_CATEGORY_HATE);
}

TEST(ParseDecisionTest, AStatementIsCompleteForWhatItDecides) {
  EXPECT_THAT(ParseDecision(Decision(v1::MODERATION_ACTION_REMOVE)), IsOk());

  v1::DecideCaseRequest missing = Decision(v1::MODERATION_ACTION_REMOVE);
  missing.clear_categories();
  missing.clear_statement();
  EXPECT_THAT(ParseDecision(missing), StatusIs(absl::StatusCode::kInvalidArgument,
                                               AllOf(HasSubstr("categories"), HasSubstr("statement"))));
  // Nothing wrong needs neither.
  missing.set_action(v1::MODERATION_ACTION_NO_ACTION);
  EXPECT_THAT(ParseDecision(missing), IsOk());

  v1::DecideCaseRequest illegal = Decision(v1::MODERATION_ACTION_REMOVE);
  illegal.mutable_statement()->set_ground(v1::DECISION_GROUND_ILLEGAL_CONTENT);
  EXPECT_THAT(ParseDecision(illegal), StatusIs(absl::StatusCode::kInvalidArgument,
                                               HasSubstr("statement.illegality_explanation")));
  illegal.mutable_statement()->set_illegality_explanation("Unlicensed sale of medicines (national law).");
  EXPECT_THAT(ParseDecision(illegal), IsOk());

  v1::DecideCaseRequest no_appeal = Decision(v1::MODERATION_ACTION_REMOVE);
  no_appeal.mutable_statement()->clear_redress();
  no_appeal.mutable_statement()->add_redress(v1::REDRESS_OPTION_JUDICIAL_REMEDY);
  EXPECT_THAT(ParseDecision(no_appeal),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("statement.redress")));

  v1::DecideCaseRequest automated = Decision(v1::MODERATION_ACTION_REMOVE);
  automated.mutable_statement()->mutable_automation()->set_automated_decision(true);
  EXPECT_THAT(ParseDecision(automated),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("statement.automation.automated_decision")));

  v1::DecideCaseRequest restore = Decision(v1::MODERATION_ACTION_RESTORE);
  EXPECT_THAT(ParseDecision(restore), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("action")));

  v1::DecideCaseRequest twice = Decision(v1::MODERATION_ACTION_REMOVE);
  twice.add_categories(v1::MODERATION_CATEGORY_SPAM);
  twice.add_categories(static_cast<v1::ModerationCategory>(99));
  EXPECT_THAT(ParseDecision(twice), StatusIs(absl::StatusCode::kInvalidArgument,
                                             AllOf(HasSubstr("repeated"), HasSubstr("unknown value 99"))));
}

TEST(ParseAppealOutcomeTest, AnOutcomeIsFinalHereAndOnlyModifiedNamesAnAction) {
  v1::DecideAppealRequest request;
  request.set_request_id(kId);
  request.set_appeal_id(kId);
  request.set_claim_id(kOtherId);
  request.set_outcome(v1::APPEAL_STATUS_UPHELD);
  *request.mutable_statement() = Statement();
  EXPECT_THAT(ParseAppealOutcome(request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("statement.redress")));
  request.mutable_statement()->clear_redress();
  request.mutable_statement()->add_redress(v1::REDRESS_OPTION_OUT_OF_COURT_SETTLEMENT);
  EXPECT_THAT(ParseAppealOutcome(request), IsOk());
  request.set_action(v1::MODERATION_ACTION_REMOVE);
  EXPECT_THAT(ParseAppealOutcome(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("action")));
  request.set_outcome(v1::APPEAL_STATUS_MODIFIED);
  EXPECT_THAT(ParseAppealOutcome(request), IsOk());
  request.set_action(v1::MODERATION_ACTION_RESTORE);
  EXPECT_THAT(ParseAppealOutcome(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("action")));
  request.set_outcome(v1::APPEAL_STATUS_PENDING);
  EXPECT_THAT(ParseAppealOutcome(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("outcome")));
}

TEST(ParseClaimTest, AHoldIsOneToThirtyMinutes) {
  v1::ClaimNextCaseRequest request;
  request.set_request_id(kId);
  ASSERT_OK_AND_ASSIGN(const ClaimRequest defaulted, ParseClaim(request));
  EXPECT_EQ(defaulted.hold, absl::Minutes(10));
  request.mutable_claim_duration()->set_seconds(30 * 60);
  ASSERT_OK_AND_ASSIGN(const ClaimRequest longest, ParseClaim(request));
  EXPECT_EQ(longest.hold, absl::Minutes(30));
  request.mutable_claim_duration()->set_seconds(30 * 60 + 1);
  EXPECT_THAT(ParseClaim(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("claim_duration")));
  request.mutable_claim_duration()->set_seconds(-60);
  EXPECT_THAT(ParseClaim(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("claim_duration")));
}

TEST(CasePageTokenTest, ATokenResumesOnlyUnderItsOwnFilters) {
  v1::ListCasesRequest request;
  request.add_categories(v1::MODERATION_CATEGORY_SPAM);
  request.add_sources(v1::CASE_SOURCE_USER_REPORT);
  ASSERT_OK_AND_ASSIGN(const CaseListing first, ParseCaseListing(request));
  request.set_page_token(CasePageToken(first.filter, {.rank_micros = -42, .case_id = kId}));
  ASSERT_OK_AND_ASSIGN(const CaseListing next, ParseCaseListing(request));
  ASSERT_TRUE(next.after.has_value());
  EXPECT_EQ(next.after->rank_micros, -42);
  EXPECT_EQ(next.after->case_id, kId);
  request.clear_categories();
  EXPECT_THAT(ParseCaseListing(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("other filters")));
  request.set_page_token("garbage!");
  EXPECT_THAT(ParseCaseListing(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
}

TEST(ReportPageTokenTest, RoundTripsAndRefusesForgeries) {
  v1::ListMyReportsRequest request;
  const ReportCursor cursor{absl::FromUnixMicros(1'800'000'000'000'000), kId};
  request.set_page_token(ReportPageToken(cursor));
  ASSERT_OK_AND_ASSIGN(const ReportListing listing, ParseReportListing(request));
  ASSERT_TRUE(listing.before.has_value());
  EXPECT_EQ(listing.before->create_time, cursor.create_time);
  EXPECT_EQ(listing.before->report_id, kId);
  request.set_page_token(ReportPageToken({absl::FromUnixMicros(5), "1' OR '1'='1"}));
  EXPECT_THAT(ParseReportListing(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
}

}  // namespace
}  // namespace clipforge::moderation_service
