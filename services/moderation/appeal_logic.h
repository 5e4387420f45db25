// Appeals: the affected user, or a reporter, appeals a decision once,
// within kAppealWindow. The appeal enters the review queue as its own case,
// which a moderator other than the one who decided claims and decides:
// upheld, reversed (the action is undone) or modified (another action).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "base/uuid.h"
#include "services/kit/caller.h"
#include "services/kit/idempotency.h"
#include "services/moderation/events.h"
#include "services/moderation/store_interface.h"

namespace clipforge::moderation_service {

// An appeal with its outcome once decided.
struct AppealView {
  AppealRecord appeal;
  std::optional<DecisionRecord> outcome;
};

struct AppealOutcomeInput {
  std::string appeal_id;
  std::string claim_id;
  v1::AppealStatus outcome = v1::APPEAL_STATUS_UNSPECIFIED;  // UPHELD, REVERSED or MODIFIED.
  v1::ModerationAction action = v1::MODERATION_ACTION_UNSPECIFIED;  // For MODIFIED.
  v1::StatementOfReasons statement;  // Validated by the adapter.
};

class AppealLogic {
 public:
  AppealLogic(ModerationStore& store, const base::Clock& clock, base::UuidV7Generator& ids,
              const ModerationEvents& events)
      : store_(store), clock_(clock), ids_(ids), events_(events) {}

  // PERMISSION_DENIED unless the caller is the decision's subject or one of
  // its case's reporters; FAILED_PRECONDITION for a decision on an appeal
  // or a closed window; ALREADY_EXISTS for a second appeal.
  absl::StatusOr<AppealView> File(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                  const std::string& decision_id, const std::string& text);
  // The appellant's own appeal, or any for a moderator (NOT_FOUND else).
  absl::StatusOr<AppealView> Get(const kit::Caller& caller, const std::string& appeal_id);
  // A moderator's decision on a claimed appeal; PERMISSION_DENIED for the
  // moderator of the decision under appeal.
  absl::StatusOr<AppealView> Decide(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                    const AppealOutcomeInput& input);

 private:
  ModerationStore& store_;
  const base::Clock& clock_;
  base::UuidV7Generator& ids_;
  const ModerationEvents& events_;
};

}  // namespace clipforge::moderation_service
