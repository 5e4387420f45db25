#include "services/moderation/convert.h"

#include "services/kit/proto_time.h"

namespace clipforge::moderation_service {

using kit::FromTimestamp;
using kit::ToTimestamp;

void FillRule(const RuleRecord& rule, v1::Rule* out) {
  out->set_rule_id(rule.rule_id);
  out->set_kind(rule.kind);
  out->set_pattern(rule.pattern);
  out->set_category(rule.category);
  out->set_decision(rule.decision);
  for (const std::string& locale : rule.locales) out->add_locales(locale);
  for (v1::TextSurface surface : rule.surfaces) out->add_surfaces(surface);
  out->set_enabled(rule.enabled);
  out->set_description(rule.description);
  out->set_version(rule.version);
  out->set_create_user_id(rule.create_user_id);
  *out->mutable_create_time() = ToTimestamp(rule.create_time);
  *out->mutable_update_time() = ToTimestamp(rule.update_time);
}

RuleRecord RuleFromProto(const v1::Rule& rule) {
  RuleRecord r;
  r.rule_id = rule.rule_id();
  r.kind = rule.kind();
  r.pattern = rule.pattern();
  r.category = rule.category();
  r.decision = rule.decision();
  r.locales.assign(rule.locales().begin(), rule.locales().end());
  for (int surface : rule.surfaces()) r.surfaces.push_back(static_cast<v1::TextSurface>(surface));
  r.enabled = rule.enabled();
  r.description = rule.description();
  r.version = rule.version();
  r.create_user_id = rule.create_user_id();
  r.create_time = FromTimestamp(rule.create_time());
  r.update_time = FromTimestamp(rule.update_time());
  return r;
}

void FillPolicy(const CategoryPolicyRecord& policy, v1::CategoryPolicy* out) {
  out->set_category(policy.category);
  out->set_max_automatic_decision(policy.max_automatic_decision);
  out->set_media_match_decision(policy.media_match_decision);
  out->set_queue_priority(policy.queue_priority);
  out->set_terms_clause(policy.terms_clause);
  out->set_description(policy.description);
  out->set_version(policy.version);
  *out->mutable_update_time() = ToTimestamp(policy.update_time);
}

CategoryPolicyRecord PolicyFromProto(const v1::CategoryPolicy& policy) {
  return {.category = policy.category(),
          .max_automatic_decision = policy.max_automatic_decision(),
          .media_match_decision = policy.media_match_decision(),
          .queue_priority = policy.queue_priority(),
          .terms_clause = policy.terms_clause(),
          .description = policy.description(),
          .version = policy.version(),
          .update_time = FromTimestamp(policy.update_time())};
}

void FillCheckResult(const CheckResult& result, v1::CheckPromptResponse* out) {
  out->set_decision(result.decision);
  for (v1::ModerationCategory category : result.categories) out->add_categories(category);
  for (const TextMatch& match : result.matches) {
    v1::RuleMatch* m = out->add_matches();
    m->set_rule_id(match.rule_id);
    m->set_category(match.category);
    m->set_decision(match.decision);
    v1::TextSpan* span = m->add_spans();
    span->set_start(match.start);
    span->set_end(match.end);
  }
  out->set_rules_version(result.version);
}

void FillAuditEntry(const AuditEntryRecord& entry, v1::AuditEntry* out) {
  const moderation::AuditFields& f = entry.fields;
  out->set_sequence(f.sequence);
  out->mutable_actor()->set_kind(static_cast<v1::ActorKind>(f.actor_kind));
  out->mutable_actor()->set_id(f.actor_id);
  // The API's roles are the role bits' positions shifted by one.
  for (int bit = 0; bit < 32; ++bit) {
    if ((f.actor_roles >> bit) & 1u) out->mutable_actor()->add_roles(static_cast<v1::Role>(bit + 1));
  }
  out->set_action(f.action);
  if (f.target_kind != 0) {
    out->mutable_target()->set_kind(static_cast<v1::ContentKind>(f.target_kind));
    out->mutable_target()->set_id(f.target_id);
  }
  out->set_object_id(f.object_id);
  out->set_details_json(f.details_json);
  *out->mutable_create_time() = ToTimestamp(absl::FromUnixMicros(f.create_micros));
  out->set_prev_hash(entry.prev_hash);
  out->set_entry_hash(entry.entry_hash);
}

}  // namespace clipforge::moderation_service
