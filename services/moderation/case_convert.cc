#include "services/moderation/case_convert.h"

#include "services/kit/proto_time.h"

namespace clipforge::moderation_service {
namespace {

void FillTarget(const TargetRef& target, v1::ContentRef* out) {
  out->set_kind(target.kind);
  out->set_id(target.id);
}

}  // namespace

void FillDecision(const DecisionRecord& d, Audience audience, v1::Decision* out) {
  out->set_decision_id(d.decision_id);
  out->set_case_id(d.case_id);
  FillTarget(d.target, out->mutable_target());
  out->set_action(d.action);
  for (v1::ModerationCategory category : d.categories) out->add_categories(category);
  *out->mutable_statement() = d.statement;
  if (audience == Audience::kModerator) out->set_moderator_id(d.moderator_id);
  out->set_appeal_id(d.appeal_id);
  *out->mutable_create_time() = kit::ToTimestamp(d.create_time);
  *out->mutable_appeal_deadline_time() = kit::ToTimestamp(d.appeal_deadline);
}

void FillReport(const ReportView& view, v1::Report* out) {
  const ReportRecord& r = view.report;
  out->set_report_id(r.report_id);
  FillTarget(r.target, out->mutable_target());
  out->set_reason(r.reason);
  out->set_details(r.details);
  out->set_status(r.status);
  if (view.outcome) FillDecision(*view.outcome, Audience::kUser, out->mutable_outcome());
  *out->mutable_create_time() = kit::ToTimestamp(r.create_time);
  *out->mutable_update_time() = kit::ToTimestamp(r.update_time);
}

void FillCase(const CaseView& view, v1::ReviewCase* out) {
  const CaseRecord& c = view.record;
  out->set_case_id(c.case_id);
  FillTarget(c.target, out->mutable_target());
  out->set_source(c.source);
  out->set_status(c.status);
  for (v1::ModerationCategory category : c.categories) out->add_categories(category);
  out->set_priority(view.display_priority);
  out->set_report_count(c.report_count);
  *out->mutable_rule_matches() = c.evidence.rule_matches();
  *out->mutable_frame_matches() = c.evidence.frame_matches();
  v1::CaseContext* context = out->mutable_context();
  // Only the id: the profile lives in the users service.
  if (!c.subject_user_id.empty()) context->mutable_author()->set_user_id(c.subject_user_id);
  context->set_prompt(c.prompt);
  context->set_text(c.text);
  for (const DecisionRecord& prior : view.prior_decisions) {
    FillDecision(prior, Audience::kModerator, context->add_prior_decisions());
  }
  out->set_appeal_id(c.appeal_id);
  *out->mutable_create_time() = kit::ToTimestamp(c.create_time);
}

void FillClaim(const CaseClaim& claim, v1::CaseClaim* out) {
  out->set_claim_id(claim.claim_id);
  out->set_case_id(claim.case_id);
  *out->mutable_expire_time() = kit::ToTimestamp(claim.expire_time);
}

void FillAppeal(const AppealView& view, Audience audience, v1::Appeal* out) {
  const AppealRecord& a = view.appeal;
  out->set_appeal_id(a.appeal_id);
  out->set_decision_id(a.decision_id);
  out->set_appellant_id(a.appellant_id);
  out->set_text(a.text);
  out->set_status(a.status);
  if (view.outcome) FillDecision(*view.outcome, audience, out->mutable_outcome());
  *out->mutable_create_time() = kit::ToTimestamp(a.create_time);
  if (a.decide_time) *out->mutable_decide_time() = kit::ToTimestamp(*a.decide_time);
}

}  // namespace clipforge::moderation_service
