#include "services/moderation/rule_logic.h"

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/json_writer.h"
#include "services/moderation/active_policy.h"
#include "services/moderation/audit_logic.h"
#include "services/moderation/result_codecs.h"

namespace clipforge::moderation_service {

namespace {

// What the audit log keeps of a rule: its fields after the change.
std::string RuleDetails(const RuleRecord& rule) {
  base::JsonWriter json;
  json.BeginObject()
      .Key("kind").String(v1::RuleKind_Name(rule.kind))
      .Key("pattern").String(rule.pattern)
      .Key("category").String(v1::ModerationCategory_Name(rule.category))
      .Key("decision").String(v1::ModerationDecision_Name(rule.decision))
      .Key("enabled").Bool(rule.enabled)
      .Key("version").Int(rule.version);
  json.Key("locales").BeginArray();
  for (const std::string& locale : rule.locales) json.String(locale);
  json.EndArray().Key("surfaces").BeginArray();
  for (v1::TextSurface surface : rule.surfaces) json.String(v1::TextSurface_Name(surface));
  json.EndArray().EndObject();
  return json.str();
}

std::string PolicyDetails(const CategoryPolicyRecord& p) {
  base::JsonWriter json;
  json.BeginObject()
      .Key("max_automatic_decision").String(v1::ModerationDecision_Name(p.max_automatic_decision))
      .Key("media_match_decision").String(v1::ModerationDecision_Name(p.media_match_decision))
      .Key("queue_priority").Int(p.queue_priority)
      .Key("terms_clause").String(p.terms_clause)
      .Key("version").Int(p.version)
      .EndObject();
  return json.str();
}

}  // namespace

absl::Status ValidateForFilter(const RuleRecord& rule) {
  moderation::Rule core = CoreRule(rule);
  core.id = 1;  // Not assigned yet; the core wants a positive one.
  const absl::Status status = moderation::ValidateRule(core);
  if (status.ok()) return status;
  // The core says "rule 1: <reason>"; the caller knows which rule.
  absl::string_view reason = status.message();
  absl::ConsumePrefix(&reason, "rule 1: ");
  const char* field = absl::StartsWith(reason, "locale") ? "rule.locales" : "rule.pattern";
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", reason));
}

absl::StatusOr<RuleRecord> RuleLogic::Create(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                             RuleRecord rule) {
  CF_RETURN_IF_ERROR(RequireAdmin(caller, "create prompt rules"));
  CF_RETURN_IF_ERROR(ValidateForFilter(rule));
  RuleRecord created;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](ModerationTx& tx) -> absl::Status {
    CF_ASSIGN_OR_RETURN(created, kit::RunIdempotent(tx, key, kRuleCodec, [&]() -> absl::StatusOr<RuleRecord> {
      const int64_t version = tx.BumpPolicyVersion();  // Locks: the count below is exact.
      if (tx.CountRules() >= limits_.max_rules) {
        return absl::ResourceExhaustedError(absl::StrCat("rule: at most ", limits_.max_rules, " rules"));
      }
      RuleRecord stored = rule;
      stored.rule_id = ids_.Next();
      stored.version = version;
      stored.create_user_id = caller.user_id;
      stored.create_time = stored.update_time = clock_.Now();
      tx.InsertRule(stored);
      CF_RETURN_IF_ERROR(tx.AppendEvent(events_.RuleChanged(stored.rule_id, v1::CHANGE_KIND_CREATED, version)));
      CF_RETURN_IF_ERROR(AppendAudit(tx, caller, {"rule.created", stored.rule_id, RuleDetails(stored)}, stored.create_time));
      return stored;
    }));
    return absl::OkStatus();
  }));
  return created;
}

absl::StatusOr<RuleRecord> RuleLogic::Update(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                             const std::string& rule_id, const RuleRecord& values,
                                             const RuleMask& mask) {
  CF_RETURN_IF_ERROR(RequireAdmin(caller, "change prompt rules"));
  RuleRecord updated;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](ModerationTx& tx) -> absl::Status {
    CF_ASSIGN_OR_RETURN(updated, kit::RunIdempotent(tx, key, kRuleCodec, [&]() -> absl::StatusOr<RuleRecord> {
      const int64_t version = tx.BumpPolicyVersion();
      std::optional<RuleRecord> rule = tx.LockRule(rule_id);
      if (!rule) return absl::NotFoundError("rule.rule_id: no such rule");
      if (mask.kind) rule->kind = values.kind;
      if (mask.pattern) rule->pattern = values.pattern;
      if (mask.category) rule->category = values.category;
      if (mask.decision) rule->decision = values.decision;
      if (mask.locales) rule->locales = values.locales;
      if (mask.surfaces) rule->surfaces = values.surfaces;
      if (mask.enabled) rule->enabled = values.enabled;
      if (mask.description) rule->description = values.description;
      // A disabled rule is never compiled: switching off a rule the filter
      // can no longer use must always work.
      if (rule->enabled) CF_RETURN_IF_ERROR(ValidateForFilter(*rule));
      rule->version = version;
      rule->update_time = clock_.Now();
      tx.UpdateRule(*rule);
      CF_RETURN_IF_ERROR(tx.AppendEvent(events_.RuleChanged(rule->rule_id, v1::CHANGE_KIND_UPDATED, version)));
      CF_RETURN_IF_ERROR(AppendAudit(tx, caller, {"rule.updated", rule->rule_id, RuleDetails(*rule)}, rule->update_time));
      return *std::move(rule);
    }));
    return absl::OkStatus();
  }));
  return updated;
}

absl::StatusOr<int64_t> RuleLogic::Delete(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                          const std::string& rule_id) {
  CF_RETURN_IF_ERROR(RequireAdmin(caller, "delete prompt rules"));
  int64_t deleted_at = 0;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](ModerationTx& tx) -> absl::Status {
    CF_ASSIGN_OR_RETURN(deleted_at, kit::RunIdempotent(tx, key, kVersionCodec, [&]() -> absl::StatusOr<int64_t> {
      const int64_t version = tx.BumpPolicyVersion();
      const std::optional<RuleRecord> rule = tx.LockRule(rule_id);
      if (!rule) return absl::NotFoundError("rule_id: no such rule");
      tx.DeleteRule(rule_id, version);
      CF_RETURN_IF_ERROR(tx.AppendEvent(events_.RuleChanged(rule_id, v1::CHANGE_KIND_DELETED, version)));
      CF_RETURN_IF_ERROR(AppendAudit(tx, caller, {"rule.deleted", rule_id, RuleDetails(*rule)}, clock_.Now()));
      return version;
    }));
    return absl::OkStatus();
  }));
  return deleted_at;
}

absl::StatusOr<RulePage> RuleLogic::List(const kit::Caller& caller, v1::ModerationCategory category,
                                         int64_t after_seq, int limit) {
  CF_RETURN_IF_ERROR(RequireAdmin(caller, "list prompt rules"));
  RulePage page;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](ModerationTx& tx) -> absl::Status {
    // One more than asked: whether a next page exists.
    page.rules = tx.ListRules(category, after_seq, limit + 1);
    return absl::OkStatus();
  }));
  if (static_cast<int>(page.rules.size()) > limit) {
    page.rules.resize(static_cast<size_t>(limit));
    page.next_after_seq = page.rules.back().seq;
  }
  return page;
}

absl::StatusOr<std::vector<CategoryPolicyRecord>> RuleLogic::ListPolicies(const kit::Caller& caller) {
  CF_RETURN_IF_ERROR(RequireAdmin(caller, "list category policies"));
  std::vector<CategoryPolicyRecord> policies;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](ModerationTx& tx) -> absl::Status {
    policies = tx.ListPolicies();
    return absl::OkStatus();
  }));
  return policies;
}

absl::StatusOr<CategoryPolicyRecord> RuleLogic::UpdatePolicy(const kit::Caller& caller,
                                                             const kit::IdempotencyKey& key,
                                                             const CategoryPolicyRecord& values,
                                                             const PolicyMask& mask) {
  CF_RETURN_IF_ERROR(RequireAdmin(caller, "change category policies"));
  CategoryPolicyRecord updated;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](ModerationTx& tx) -> absl::Status {
    CF_ASSIGN_OR_RETURN(updated, kit::RunIdempotent(tx, key, kPolicyCodec, [&]() -> absl::StatusOr<CategoryPolicyRecord> {
      const int64_t version = tx.BumpPolicyVersion();
      std::optional<CategoryPolicyRecord> policy = tx.LockPolicy(values.category);
      if (!policy) return absl::NotFoundError("policy.category: no such category");
      if (mask.max_automatic_decision) policy->max_automatic_decision = values.max_automatic_decision;
      if (mask.media_match_decision) policy->media_match_decision = values.media_match_decision;
      if (mask.queue_priority) policy->queue_priority = values.queue_priority;
      if (mask.terms_clause) policy->terms_clause = values.terms_clause;
      if (mask.description) policy->description = values.description;
      policy->version += 1;
      policy->update_time = clock_.Now();
      tx.UpdatePolicy(*policy);
      CF_RETURN_IF_ERROR(tx.AppendEvent(events_.PolicyChanged(policy->category, version)));
      CF_RETURN_IF_ERROR(AppendAudit(tx, caller,
                                     {"policy.updated", v1::ModerationCategory_Name(policy->category),
                                      PolicyDetails(*policy)},
                                     policy->update_time));
      return *std::move(policy);
    }));
    return absl::OkStatus();
  }));
  return updated;
}

}  // namespace clipforge::moderation_service
