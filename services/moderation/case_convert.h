// Conversions from the report, case, decision and appeal records to the
// API's messages.
#pragma once

#include "clipforge/v1/moderation.pb.h"
#include "services/moderation/appeal_logic.h"
#include "services/moderation/report_logic.h"
#include "services/moderation/review_logic.h"

namespace clipforge::moderation_service {

// Who reads a decision: the moderator's id is shown to moderators only.
enum class Audience { kModerator, kUser };

void FillDecision(const DecisionRecord& decision, Audience audience, v1::Decision* out);
// For its reporter: the outcome without who decided.
void FillReport(const ReportView& view, v1::Report* out);
// For moderators.
void FillCase(const CaseView& view, v1::ReviewCase* out);
void FillClaim(const CaseClaim& claim, v1::CaseClaim* out);
void FillAppeal(const AppealView& view, Audience audience, v1::Appeal* out);

}  // namespace clipforge::moderation_service
