#include "services/moderation/appeal_logic.h"

#include "absl/strings/str_cat.h"
#include "base/json_writer.h"
#include "base/status_macros.h"
#include "services/moderation/access.h"
#include "services/moderation/audit_logic.h"
#include "services/moderation/result_codecs.h"
#include "services/moderation/review_logic.h"
#include "services/moderation/review_rules.h"

namespace clipforge::moderation_service {
namespace {

AppealView ViewOf(ModerationTx& tx, AppealRecord appeal) {
  AppealView view{.appeal = std::move(appeal)};
  if (!view.appeal.outcome_decision_id.empty()) view.outcome = tx.GetDecision(view.appeal.outcome_decision_id);
  return view;
}

absl::StatusOr<AppealView> ReadBack(ModerationTx& tx, const std::string& appeal_id) {
  std::optional<AppealRecord> appeal = tx.GetAppeal(appeal_id, /*lock=*/false);
  if (!appeal) return absl::InternalError("a recorded appeal is gone");
  return ViewOf(tx, *std::move(appeal));
}

// The action an appeal's outcome leaves in force.
v1::ModerationAction OutcomeAction(const AppealOutcomeInput& input, const DecisionRecord& appealed) {
  switch (input.outcome) {
    case v1::APPEAL_STATUS_UPHELD:
      return appealed.action;
    case v1::APPEAL_STATUS_REVERSED:
      return v1::MODERATION_ACTION_RESTORE;
    default:
      return input.action;
  }
}

}  // namespace

absl::StatusOr<AppealView> AppealLogic::File(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                             const std::string& decision_id, const std::string& text) {
  AppealView filed;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](ModerationTx& tx) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const std::string appeal_id,
                        kit::RunIdempotent(tx, key, kit::kTextCodec, [&]() -> absl::StatusOr<std::string> {
      const absl::Time now = clock_.Now();
      const std::optional<DecisionRecord> decision = tx.GetDecision(decision_id);
      if (!decision) return absl::NotFoundError("decision_id: no such decision");
      const bool affected = !decision->subject_user_id.empty() && decision->subject_user_id == caller.user_id;
      if (!affected && !tx.HasReportedCase(decision->case_id, caller.user_id)) {
        return absl::PermissionDeniedError("decision_id: only the affected user or a reporter can appeal it");
      }
      if (!decision->appeal_id.empty()) {
        return absl::FailedPreconditionError("decision_id: a decision on an appeal is final here");
      }
      if (now > decision->appeal_deadline) {
        return absl::FailedPreconditionError("decision_id: the appeal window has closed");
      }
      if (const std::optional<AppealRecord> earlier = tx.FindAppeal(decision_id, caller.user_id)) {
        return absl::AlreadyExistsError(
            absl::StrCat("decision_id: already appealed (appeal ", earlier->appeal_id, ")"));
      }
      AppealRecord appeal{.appeal_id = ids_.Next(),
                          .decision_id = decision_id,
                          .appellant_id = caller.user_id,
                          .text = text,
                          .status = v1::APPEAL_STATUS_PENDING,
                          .case_id = ids_.Next(),
                          .create_time = now};
      CaseRecord appeal_case{.case_id = appeal.case_id,
                             .target = decision->target,
                             .subject_user_id = decision->subject_user_id,
                             .recused_user_id = decision->moderator_id,
                             .source = v1::CASE_SOURCE_APPEAL,
                             .categories = decision->categories,
                             .appeal_id = appeal.appeal_id,
                             .create_time = now,
                             .update_time = now};
      Rerank(appeal_case, tx.ListPolicies());
      tx.InsertCase(appeal_case);
      tx.InsertAppeal(appeal);
      CF_RETURN_IF_ERROR(tx.AppendEvent(events_.Appealed(appeal, decision->target)));
      CF_RETURN_IF_ERROR(tx.AppendEvent(events_.Flagged(appeal_case, v1::MODERATION_DECISION_REVIEW)));
      base::JsonWriter details;
      details.BeginObject().Key("decision_id").String(decision_id).Key("case_id").String(appeal.case_id).EndObject();
      CF_RETURN_IF_ERROR(AppendAudit(tx, caller,
                                     {.action = "appeal.filed",
                                      .object_id = appeal.appeal_id,
                                      .details_json = details.str(),
                                      .target_kind = decision->target.kind,
                                      .target_id = decision->target.id},
                                     now));
      return appeal.appeal_id;
    }));
    CF_ASSIGN_OR_RETURN(filed, ReadBack(tx, appeal_id));
    return absl::OkStatus();
  }));
  return filed;
}

absl::StatusOr<AppealView> AppealLogic::Get(const kit::Caller& caller, const std::string& appeal_id) {
  AppealView view;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](ModerationTx& tx) -> absl::Status {
    std::optional<AppealRecord> appeal = tx.GetAppeal(appeal_id, /*lock=*/false);
    if (!appeal || (appeal->appellant_id != caller.user_id && !IsModerator(caller))) {
      return absl::NotFoundError("appeal_id: no such appeal");
    }
    view = ViewOf(tx, *std::move(appeal));
    return absl::OkStatus();
  }));
  return view;
}

absl::StatusOr<AppealView> AppealLogic::Decide(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                               const AppealOutcomeInput& input) {
  CF_RETURN_IF_ERROR(RequireModerator(caller, "decide appeals"));
  AppealView decided;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](ModerationTx& tx) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const std::string appeal_id,
                        kit::RunIdempotent(tx, key, kit::kTextCodec, [&]() -> absl::StatusOr<std::string> {
      const absl::Time now = clock_.Now();
      std::optional<AppealRecord> appeal = tx.GetAppeal(input.appeal_id, /*lock=*/true);
      if (!appeal) return absl::NotFoundError("appeal_id: no such appeal");
      if (appeal->status != v1::APPEAL_STATUS_PENDING) {
        return absl::FailedPreconditionError("appeal_id: the appeal is already decided");
      }
      const std::optional<DecisionRecord> appealed = tx.GetDecision(appeal->decision_id);
      if (!appealed) return absl::InternalError("an appealed decision is gone");
      if (appealed->moderator_id == caller.user_id) {
        return absl::PermissionDeniedError("appeal_id: another moderator must review an appeal of your decision");
      }
      std::optional<CaseRecord> appeal_case = tx.GetCase(appeal->case_id, /*lock=*/true);
      if (!appeal_case) return absl::InternalError("an appeal's case is gone");
      CF_RETURN_IF_ERROR(CheckClaim(*appeal_case, input.claim_id, caller, now));
      const v1::ModerationAction action = OutcomeAction(input, *appealed);
      CF_RETURN_IF_ERROR(CheckActionEnd(action, input.statement, now));
      DecisionRecord outcome{.decision_id = ids_.Next(),
                             .case_id = appeal_case->case_id,
                             .target = appealed->target,
                             .subject_user_id = appealed->subject_user_id,
                             .action = action,
                             .categories = appealed->categories,
                             .statement = input.statement,
                             .moderator_id = caller.user_id,
                             .appeal_id = appeal->appeal_id,
                             .create_time = now,
                             // Final inside ClipForge; out-of-court and
                             // judicial redress remain.
                             .appeal_deadline = now};
      CF_RETURN_IF_ERROR(RecordDecision(tx, events_, caller, *appeal_case, outcome, "appeal.decided"));
      appeal->status = input.outcome;
      appeal->outcome_decision_id = outcome.decision_id;
      appeal->decide_time = now;
      tx.UpdateAppeal(*appeal);
      return appeal->appeal_id;
    }));
    CF_ASSIGN_OR_RETURN(decided, ReadBack(tx, appeal_id));
    return absl::OkStatus();
  }));
  return decided;
}

}  // namespace clipforge::moderation_service
