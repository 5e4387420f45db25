// Validation and conversion of the report, queue, decision and appeal
// requests into the logic's values: every bad field named in one
// INVALID_ARGUMENT.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clipforge/v1/moderation.pb.h"
#include "services/moderation/appeal_logic.h"
#include "services/moderation/case_records.h"
#include "services/moderation/review_logic.h"

namespace clipforge::moderation_service {

// request_id, target (kind and id), reason, details 0-1000 characters.
absl::StatusOr<ReportRecord> ParseNewReport(const v1::CreateReportRequest& request);

struct ReportListing {
  std::optional<ReportCursor> before;
  int32_t page_size = 20;
};
absl::StatusOr<ReportListing> ParseReportListing(const v1::ListMyReportsRequest& request);
std::string ReportPageToken(const ReportCursor& next);

struct CaseListing {
  QueueFilter filter;
  std::optional<QueueCursor> after;
  int32_t page_size = 20;
};
absl::StatusOr<CaseListing> ParseCaseListing(const v1::ListCasesRequest& request);
// The token for the page after `next`, bound to the filter it was issued for.
std::string CasePageToken(const QueueFilter& filter, const QueueCursor& next);

struct ClaimRequest {
  QueueFilter filter;
  absl::Duration hold = absl::Minutes(10);
};
absl::StatusOr<ClaimRequest> ParseClaim(const v1::ClaimNextCaseRequest& request);

// A decision: categories and statement required unless NO_ACTION; the
// statement's fields in their limits; RESTORE is only an appeal's outcome.
absl::StatusOr<DecisionInput> ParseDecision(const v1::DecideCaseRequest& request);

// request_id, decision_id, text 1-2000 characters.
absl::Status ValidateAppeal(const v1::FileAppealRequest& request);

absl::StatusOr<AppealOutcomeInput> ParseAppealOutcome(const v1::DecideAppealRequest& request);

}  // namespace clipforge::moderation_service
