#include "users/graph.h"

#include "absl/strings/str_cat.h"
#include "base/error_reason.h"

namespace clipforge::users {

absl::Status CheckGraphChange(GraphOp op, const Relation& before, int64_t following_count, int64_t max_following) {
  if (op != GraphOp::kFollow) return absl::OkStatus();  // Undoing, blocking and muting are always allowed.
  if (before.blocked_by) return base::WithReason(absl::FailedPreconditionError("target_user_id: BLOCKED: this user blocks you"), "BLOCKED");
  if (before.blocking) return base::WithReason(absl::FailedPreconditionError("target_user_id: you block this user; unblock first"),
                            "BLOCKING");
  if (!before.following && following_count >= max_following) {
    return absl::ResourceExhaustedError(
        absl::StrCat("target_user_id: you follow the maximum of ", max_following, " users"));
  }
  return absl::OkStatus();
}

}  // namespace clipforge::users
