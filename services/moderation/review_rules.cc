#include "services/moderation/review_rules.h"

#include <algorithm>

#include "base/error_reason.h"
#include "moderation/review_queue.h"
#include "services/kit/proto_time.h"

namespace clipforge::moderation_service {

int32_t SeverityOf(const std::vector<CategoryPolicyRecord>& policies,
                   const std::vector<v1::ModerationCategory>& categories) {
  int32_t severity = 0;
  for (const CategoryPolicyRecord& policy : policies) {
    if (std::find(categories.begin(), categories.end(), policy.category) != categories.end()) {
      severity = std::max(severity, policy.queue_priority);
    }
  }
  return severity;
}

void AddCategory(CaseRecord& record, v1::ModerationCategory category) {
  if (std::find(record.categories.begin(), record.categories.end(), category) == record.categories.end()) {
    record.categories.push_back(category);
  }
}

void Rerank(CaseRecord& record, const std::vector<CategoryPolicyRecord>& policies) {
  record.severity = SeverityOf(policies, record.categories);
  record.rank_micros = moderation::QueueRankMicros(
      record.create_time,
      {.severity = record.severity, .views = record.views, .report_count = record.report_count});
}

absl::Status CheckClaim(const CaseRecord& record, const std::string& claim_id, const kit::Caller& caller,
                        absl::Time now) {
  if (record.status == v1::CASE_STATUS_DECIDED) {
    return absl::FailedPreconditionError("case_id: the case is already decided");
  }
  const bool mine = record.claim_id == claim_id && record.claim_user_id == caller.user_id;
  if (mine && record.ClaimedAt(now)) return absl::OkStatus();
  // A lapsed claim may have been taken over since: the case then carries
  // another claim, and the caller's is as dead as an unknown one.
  return base::WithReason(
      absl::FailedPreconditionError(mine ? "claim_id: the claim lapsed; claim the case again"
                                         : "claim_id: not a live claim of the caller on this case"),
      "CLAIM_EXPIRED");
}

absl::Status CheckActionEnd(v1::ModerationAction action, const v1::StatementOfReasons& statement, absl::Time now) {
  const bool temporary = action == v1::MODERATION_ACTION_SUSPEND_ACCOUNT;
  if (!temporary) {
    if (statement.has_action_end_time()) {
      return absl::InvalidArgumentError("statement.action_end_time: only a suspension ends");
    }
    return absl::OkStatus();
  }
  if (!statement.has_action_end_time() || kit::FromTimestamp(statement.action_end_time()) <= now) {
    return absl::InvalidArgumentError("statement.action_end_time: a suspension needs an end in the future");
  }
  return absl::OkStatus();
}

}  // namespace clipforge::moderation_service
