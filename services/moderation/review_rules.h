// Rules the report, review and appeal logic share: how a case's queue
// signals and rank follow from its categories and reports, and what makes
// a claim valid.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/kit/caller.h"
#include "services/moderation/case_records.h"
#include "services/moderation/store_interface.h"

namespace clipforge::moderation_service {

// How long a decision can be appealed.
inline constexpr absl::Duration kAppealWindow = absl::Hours(180 * 24);
// How many earlier decisions a case shows.
inline constexpr int kMaxPriorDecisions = 10;

// The highest queue priority (0-100) among `categories` under `policies`.
int32_t SeverityOf(const std::vector<CategoryPolicyRecord>& policies,
                   const std::vector<v1::ModerationCategory>& categories);

// Adds `category` to the case's categories unless it is there.
void AddCategory(CaseRecord& record, v1::ModerationCategory category);

// Recomputes the case's severity and rank from its categories, reach and
// reports; its entry time stays what it was (aging keeps counting).
void Rerank(CaseRecord& record, const std::vector<CategoryPolicyRecord>& policies);

// OK when `claim_id` is the caller's live claim on the case at `now`;
// FAILED_PRECONDITION with reason CLAIM_EXPIRED otherwise (a claim that
// lapsed may be someone else's by now: it is no different from an unknown
// one).
absl::Status CheckClaim(const CaseRecord& record, const std::string& claim_id, const kit::Caller& caller,
                        absl::Time now);

// INVALID_ARGUMENT naming statement.action_end_time unless a suspension
// ends after `now` and no other action has an end.
absl::Status CheckActionEnd(v1::ModerationAction action, const v1::StatementOfReasons& statement, absl::Time now);

}  // namespace clipforge::moderation_service
