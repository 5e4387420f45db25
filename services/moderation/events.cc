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

}  // namespace clipforge::moderation_service
