#include "services/moderation/active_policy.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace clipforge::moderation_service {
namespace {

moderation::CheckContext ContextOf(v1::TextSurface surface) {
  switch (surface) {
    case v1::TEXT_SURFACE_COMMENT: return moderation::CheckContext::kComment;
    case v1::TEXT_SURFACE_CHAT: return moderation::CheckContext::kPartyChat;
    default: return moderation::CheckContext::kPrompt;
  }
}

moderation::Rule::Kind KindOf(v1::RuleKind kind) {
  switch (kind) {
    case v1::RULE_KIND_PHRASE: return moderation::Rule::kPhrase;
    case v1::RULE_KIND_REGEX: return moderation::Rule::kRegex;
    default: return moderation::Rule::kWord;
  }
}

moderation::Rule::Action ActionOf(v1::ModerationDecision decision) {
  switch (decision) {
    case v1::MODERATION_DECISION_BLOCK: return moderation::Rule::kBlock;
    case v1::MODERATION_DECISION_REVIEW: return moderation::Rule::kReview;
    default: return moderation::Rule::kAllow;
  }
}

// Decisions order like the core's actions: ALLOW < REVIEW < BLOCK.
v1::ModerationDecision Stricter(v1::ModerationDecision a, v1::ModerationDecision b) { return a > b ? a : b; }
v1::ModerationDecision Milder(v1::ModerationDecision a, v1::ModerationDecision b) { return a < b ? a : b; }

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Code points in text[from, to).
int32_t CodePoints(std::string_view text, size_t from, size_t to) {
  int32_t n = 0;
  for (size_t i = from; i < to; ++i) n += IsContinuationByte(text[i]) ? 0 : 1;
  return n;
}

}  // namespace

int CategorySeverity(v1::ModerationCategory category) {
  switch (category) {
    case v1::MODERATION_CATEGORY_CHILD_SAFETY:
    case v1::MODERATION_CATEGORY_VIOLENT_EXTREMISM: return 5;
    case v1::MODERATION_CATEGORY_SELF_HARM:
    case v1::MODERATION_CATEGORY_VIOLENCE:
    case v1::MODERATION_CATEGORY_HATE: return 4;
    case v1::MODERATION_CATEGORY_SEXUAL:
    case v1::MODERATION_CATEGORY_HARASSMENT:
    case v1::MODERATION_CATEGORY_ILLEGAL_ACTIVITY:
    case v1::MODERATION_CATEGORY_IMPERSONATION:
    case v1::MODERATION_CATEGORY_PRIVACY: return 3;
    case v1::MODERATION_CATEGORY_INTELLECTUAL_PROPERTY: return 2;
    default: return 1;
  }
}

moderation::Rule CoreRule(const RuleRecord& rule) {
  return moderation::Rule{.id = rule.seq,
                          .pattern = rule.pattern,
                          .kind = KindOf(rule.kind),
                          .category = v1::ModerationCategory_Name(rule.category),
                          .severity = CategorySeverity(rule.category),
                          .action = ActionOf(rule.decision),
                          .locales = rule.locales};
}

absl::StatusOr<std::shared_ptr<const ActivePolicy>> ActivePolicy::Build(const PolicySnapshot& snapshot) {
  std::shared_ptr<ActivePolicy> policy(new ActivePolicy());
  policy->version_ = snapshot.version;
  policy->max_automatic_.fill(v1::MODERATION_DECISION_BLOCK);
  for (const CategoryPolicyRecord& p : snapshot.policies) {
    if (v1::ModerationCategory_IsValid(p.category)) policy->max_automatic_[p.category] = p.max_automatic_decision;
  }
  std::vector<moderation::Rule> core;
  core.reserve(snapshot.enabled_rules.size());
  policy->rules_.reserve(snapshot.enabled_rules.size());
  for (const RuleRecord& rule : snapshot.enabled_rules) {
    core.push_back(CoreRule(rule));
    uint32_t surfaces = 0;
    for (v1::TextSurface s : rule.surfaces) surfaces |= 1u << s;
    policy->rules_.emplace(rule.seq, RuleMeta{rule.rule_id, rule.category, rule.decision, surfaces});
  }
  CF_ASSIGN_OR_RETURN(policy->compiled_, moderation::CompiledPolicy::Compile(std::move(core), snapshot.version));
  return std::shared_ptr<const ActivePolicy>(std::move(policy));
}

absl::StatusOr<CheckResult> ActivePolicy::Check(std::string_view text, std::string_view locale,
                                                v1::TextSurface surface) const {
  if (surface == v1::TEXT_SURFACE_UNSPECIFIED) surface = v1::TEXT_SURFACE_PROMPT;
  CF_ASSIGN_OR_RETURN(const moderation::Verdict verdict, compiled_->Check(text, ContextOf(surface), locale));
  CheckResult result;
  result.version = version_;
  // The verdict's matches come in text order, so the code point count up
  // to each start only moves forward.
  size_t counted_to = 0;
  int32_t counted = 0;
  std::vector<std::pair<int, v1::ModerationCategory>> categories;  // (severity, category), first seen order.
  for (const moderation::Match& match : verdict.matches) {
    const auto it = rules_.find(match.rule_id);
    if (it == rules_.end()) continue;
    const RuleMeta& meta = it->second;
    if (meta.surfaces != 0 && (meta.surfaces & (1u << surface)) == 0) continue;
    const v1::ModerationDecision decision = Milder(meta.decision, max_automatic_[meta.category]);
    result.decision = Stricter(result.decision, decision);
    if (std::none_of(categories.begin(), categories.end(), [&](const auto& c) { return c.second == meta.category; })) {
      categories.emplace_back(CategorySeverity(meta.category), meta.category);
    }
    if (result.matches.size() == kMaxReportedMatches) continue;
    counted += CodePoints(text, counted_to, match.original_begin);
    counted_to = match.original_begin;
    const int32_t length = CodePoints(text, match.original_begin, match.original_end);
    result.matches.push_back({meta.rule_id, meta.category, decision, counted, counted + std::max(length, 1)});
  }
  std::stable_sort(categories.begin(), categories.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [severity, category] : categories) result.categories.push_back(category);
  return result;
}

}  // namespace clipforge::moderation_service
