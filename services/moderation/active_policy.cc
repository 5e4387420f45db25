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

absl::StatusOr<std::shared_ptr<const ActivePolicy::Layer>> ActivePolicy::Compile(
    const std::vector<const RuleRecord*>& rules, int64_t version) {
  auto layer = std::make_shared<Layer>();
  layer->version = version;
  std::vector<moderation::Rule> core;
  core.reserve(rules.size());
  layer->rules.reserve(rules.size());
  for (const RuleRecord* rule : rules) {
    core.push_back(CoreRule(*rule));
    uint32_t surfaces = 0;
    for (v1::TextSurface s : rule->surfaces) surfaces |= 1u << s;
    layer->rules.emplace(rule->seq, RuleMeta{rule->rule_id, rule->category, rule->decision, surfaces, rule->version});
  }
  CF_ASSIGN_OR_RETURN(layer->compiled, moderation::CompiledPolicy::Compile(std::move(core), version));
  return std::shared_ptr<const Layer>(std::move(layer));
}

void ActivePolicy::SetCaps(int64_t version, const std::vector<CategoryPolicyRecord>& policies) {
  version_ = version;
  max_automatic_.fill(v1::MODERATION_DECISION_BLOCK);
  for (const CategoryPolicyRecord& p : policies) {
    if (v1::ModerationCategory_IsValid(p.category)) max_automatic_[p.category] = p.max_automatic_decision;
  }
}

absl::StatusOr<std::shared_ptr<const ActivePolicy>> ActivePolicy::Build(const PolicySnapshot& snapshot) {
  std::shared_ptr<ActivePolicy> policy(new ActivePolicy());
  policy->SetCaps(snapshot.version, snapshot.policies);
  std::vector<const RuleRecord*> rules;
  rules.reserve(snapshot.enabled_rules.size());
  for (const RuleRecord& rule : snapshot.enabled_rules) rules.push_back(&rule);
  CF_ASSIGN_OR_RETURN(policy->base_, Compile(rules, snapshot.version));
  return std::shared_ptr<const ActivePolicy>(std::move(policy));
}

size_t ActivePolicy::RulesToCompile(const PolicyChanges& changes) {
  return static_cast<size_t>(std::count_if(changes.changed_rules.begin(), changes.changed_rules.end(),
                                           [](const RuleRecord& rule) { return rule.enabled; }));
}

absl::StatusOr<std::shared_ptr<const ActivePolicy>> ActivePolicy::Extend(const ActivePolicy& current,
                                                                         const PolicyChanges& changes) {
  if (changes.since != current.base_->version) {
    return absl::InternalError("policy changes read since another version than the base's");
  }
  std::shared_ptr<ActivePolicy> policy(new ActivePolicy());
  policy->SetCaps(changes.version, changes.policies);
  policy->base_ = current.base_;
  const Layer& base = *policy->base_;
  const auto mask = [&](int64_t seq) {
    if (base.rules.contains(seq)) policy->masked_.insert(seq);  // Its base copy is stale or gone.
  };
  std::vector<const RuleRecord*> changed;
  for (const RuleRecord& rule : changes.changed_rules) {
    mask(rule.seq);
    if (rule.enabled) changed.push_back(&rule);
  }
  for (const int64_t seq : changes.deleted_seqs) mask(seq);
  if (!changed.empty()) {
    CF_ASSIGN_OR_RETURN(policy->delta_, Compile(changed, changes.version));
  }
  return std::shared_ptr<const ActivePolicy>(std::move(policy));
}

size_t ActivePolicy::rule_count() const { return base_->rules.size() - masked_.size() + delta_rule_count(); }

absl::StatusOr<CheckResult> ActivePolicy::Check(std::string_view text, std::string_view locale,
                                                v1::TextSurface surface) const {
  if (surface == v1::TEXT_SURFACE_UNSPECIFIED) surface = v1::TEXT_SURFACE_PROMPT;
  const moderation::CheckContext context = ContextOf(surface);
  CF_ASSIGN_OR_RETURN(const moderation::Verdict base, base_->compiled->Check(text, context, locale));
  moderation::Verdict delta;
  if (delta_) {
    CF_ASSIGN_OR_RETURN(delta, delta_->compiled->Check(text, context, locale));
  }

  struct Hit {
    const moderation::Match* match;
    const RuleMeta* meta;
  };
  std::vector<Hit> hits;
  hits.reserve(base.matches.size() + delta.matches.size());
  const auto collect = [&](const moderation::Verdict& verdict, const Layer& layer, bool mask) {
    for (const moderation::Match& match : verdict.matches) {
      if (mask && masked_.contains(match.rule_id)) continue;
      const auto it = layer.rules.find(match.rule_id);
      if (it == layer.rules.end()) continue;
      const RuleMeta& meta = it->second;
      if (meta.surfaces != 0 && (meta.surfaces & (1u << surface)) == 0) continue;
      hits.push_back({&match, &meta});
    }
  };
  collect(base, *base_, !masked_.empty());
  if (delta_) {
    collect(delta, *delta_, false);
    // Each verdict is in text order; together they must be too.
    std::stable_sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
      return a.match->original_begin < b.match->original_begin;
    });
  }

  CheckResult result;
  result.version = version_;
  // Matches come in text order, so the code point count up to each start
  // only moves forward.
  size_t counted_to = 0;
  int32_t counted = 0;
  std::vector<std::pair<int, v1::ModerationCategory>> categories;  // (severity, category), first seen order.
  for (const Hit& hit : hits) {
    const RuleMeta& meta = *hit.meta;
    const v1::ModerationDecision decision = Milder(meta.decision, max_automatic_[meta.category]);
    result.decision = Stricter(result.decision, decision);
    if (std::none_of(categories.begin(), categories.end(), [&](const auto& c) { return c.second == meta.category; })) {
      categories.emplace_back(CategorySeverity(meta.category), meta.category);
    }
    if (result.matches.size() == kMaxReportedMatches) continue;
    counted += CodePoints(text, counted_to, hit.match->original_begin);
    counted_to = hit.match->original_begin;
    const int32_t length = CodePoints(text, hit.match->original_begin, hit.match->original_end);
    int32_t start = counted;
    if (length == 0 && hit.match->original_begin >= text.size()) {
      // A match on the end padding (a regex of separators): point at the
      // last code point, never past the text.
      start = std::max(0, counted - 1);
    }
    result.matches.push_back({meta.rule_id, meta.category, decision, start, start + std::max(length, 1)});
  }
  std::stable_sort(categories.begin(), categories.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [severity, category] : categories) result.categories.push_back(category);
  return result;
}

}  // namespace clipforge::moderation_service
