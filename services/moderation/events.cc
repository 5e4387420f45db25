#include "services/moderation/events.h"

namespace clipforge::moderation_service {

v1::EventEnvelope ModerationEvents::RuleChanged(const std::string& rule_id, v1::ChangeKind change,
                                                int64_t version) const {
  v1::EventEnvelope event = factory_.New(kRuleChangedSubject, "moderation_rule", rule_id);
  v1::ModerationRuleChangedEvent* changed = event.mutable_moderation_rule_changed();
  changed->set_rule_id(rule_id);
  changed->set_change(change);
  changed->set_rules_version(version);
  return event;
}

v1::EventEnvelope ModerationEvents::PolicyChanged(v1::ModerationCategory category, int64_t version) const {
  v1::EventEnvelope event =
      factory_.New(kRuleChangedSubject, "moderation_category_policy", v1::ModerationCategory_Name(category));
  v1::ModerationRuleChangedEvent* changed = event.mutable_moderation_rule_changed();
  changed->set_change(v1::CHANGE_KIND_UPDATED);
  changed->set_rules_version(version);
  return event;
}

namespace {

void FillTarget(const TargetRef& target, v1::ContentRef* out) {
  out->set_kind(target.kind);
  out->set_id(target.id);
}

}  // namespace

v1::EventEnvelope ModerationEvents::Flagged(const CaseRecord& opened, v1::ModerationDecision decision) const {
  v1::EventEnvelope event = factory_.New(kFlaggedSubject, "moderation_case", opened.case_id);
  v1::ModerationFlaggedEvent* flagged = event.mutable_moderation_flagged();
  flagged->set_case_id(opened.case_id);
  FillTarget(opened.target, flagged->mutable_target());
  flagged->set_subject_user_id(opened.subject_user_id);
  flagged->set_source(opened.source);
  for (v1::ModerationCategory category : opened.categories) flagged->add_categories(category);
  flagged->set_decision(decision);
  return event;
}

v1::EventEnvelope ModerationEvents::Decided(const DecisionRecord& decision) const {
  v1::EventEnvelope event = factory_.New(kDecidedSubject, "moderation_case", decision.case_id);
  v1::ModerationDecidedEvent* decided = event.mutable_moderation_decided();
  decided->set_decision_id(decision.decision_id);
  decided->set_case_id(decision.case_id);
  FillTarget(decision.target, decided->mutable_target());
  decided->set_subject_user_id(decision.subject_user_id);
  decided->set_action(decision.action);
  for (v1::ModerationCategory category : decision.categories) decided->add_categories(category);
  decided->set_automated(decision.moderator_id.empty());
  decided->set_appeal_id(decision.appeal_id);
  if (decision.statement.has_action_end_time()) {
    *decided->mutable_action_end_time() = decision.statement.action_end_time();
  }
  return event;
}

v1::EventEnvelope ModerationEvents::BankChanged(const std::string& bank_id, v1::ChangeKind change, int64_t version,
                                                int32_t added) const {
  // An every-bank allow-list change belongs to no bank.
  v1::EventEnvelope event = factory_.New(kBankChangedSubject, "hash_bank", bank_id.empty() ? "allow_list" : bank_id);
  v1::ModerationBankChangedEvent* changed = event.mutable_moderation_bank_changed();
  changed->set_bank_id(bank_id);
  changed->set_change(change);
  changed->set_bank_version(version);
  changed->set_added_count(added);
  return event;
}

v1::EventEnvelope ModerationEvents::Appealed(const AppealRecord& appeal, const TargetRef& target) const {
  v1::EventEnvelope event = factory_.New(kAppealedSubject, "moderation_appeal", appeal.appeal_id);
  v1::ModerationAppealedEvent* appealed = event.mutable_moderation_appealed();
  appealed->set_appeal_id(appeal.appeal_id);
  appealed->set_decision_id(appeal.decision_id);
  FillTarget(target, appealed->mutable_target());
  appealed->set_appellant_id(appeal.appellant_id);
  return event;
}

}  // namespace clipforge::moderation_service
