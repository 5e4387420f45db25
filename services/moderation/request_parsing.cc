#include "services/moderation/request_parsing.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/validation.h"
#include "services/kit/proto_time.h"
#include "services/kit/token_fields.h"
#include "services/moderation/convert.h"

namespace clipforge::moderation_service {
namespace {

constexpr size_t kMaxPatternChars = 500;
constexpr size_t kMaxDescriptionChars = 500;
constexpr size_t kMaxLocales = 16;

// A BCP-47 tag as far as routing rules needs: 2-35 letters, digits and
// hyphens, starting with a letter ("en", "pt-BR", "zh-Hant-TW").
bool IsLocaleTag(absl::string_view tag) {
  if (tag.size() < 2 || tag.size() > 35 || !absl::ascii_isalpha(tag[0])) return false;
  for (char c : tag) {
    if (!absl::ascii_isalnum(c) && c != '-') return false;
  }
  return tag.back() != '-';
}

void CheckLocales(base::FieldValidator& v, const google::protobuf::RepeatedPtrField<std::string>& locales) {
  v.Count("rule.locales", static_cast<size_t>(locales.size()), kMaxLocales);
  for (const std::string& locale : locales) {
    v.Check(IsLocaleTag(locale), "rule.locales", absl::StrCat("\"", absl::CHexEscape(locale.substr(0, 40)),
                                                              "\" is not a BCP-47 tag"));
  }
}

void CheckSurfaces(base::FieldValidator& v, const google::protobuf::RepeatedField<int>& surfaces) {
  std::set<int> seen;
  for (int surface : surfaces) {
    v.Check(surface != v1::TEXT_SURFACE_UNSPECIFIED && v1::TextSurface_IsValid(surface), "rule.surfaces",
            absl::StrCat("unknown surface ", surface));
    v.Check(seen.insert(surface).second, "rule.surfaces", absl::StrCat("surface ", surface, " named twice"));
  }
}

void CheckKind(base::FieldValidator& v, v1::RuleKind kind) {
  v.Check(kind != v1::RULE_KIND_UNSPECIFIED && v1::RuleKind_IsValid(kind), "rule.kind",
          "must be KEYWORD, PHRASE or REGEX");
}
void CheckPattern(base::FieldValidator& v, const std::string& pattern) {
  v.Text("rule.pattern", pattern, {.min_chars = 1, .max_chars = kMaxPatternChars});
}
void CheckCategory(base::FieldValidator& v, absl::string_view field, v1::ModerationCategory category) {
  v.Check(category != v1::MODERATION_CATEGORY_UNSPECIFIED && v1::ModerationCategory_IsValid(category), field,
          "must be a known category");
}
void CheckRuleDecision(base::FieldValidator& v, v1::ModerationDecision decision) {
  v.Check(decision == v1::MODERATION_DECISION_REVIEW || decision == v1::MODERATION_DECISION_BLOCK, "rule.decision",
          "must be REVIEW or BLOCK");
}
void CheckDecision(base::FieldValidator& v, absl::string_view field, v1::ModerationDecision decision) {
  v.Check(decision != v1::MODERATION_DECISION_UNSPECIFIED && v1::ModerationDecision_IsValid(decision), field,
          "must be ALLOW, REVIEW or BLOCK");
}

// The client's fields of `rule`; the output-only ones (ids, versions,
// times) are ignored, never converted.
RuleRecord InputRule(v1::Rule rule) {
  rule.clear_rule_id();
  rule.clear_version();
  rule.clear_create_user_id();
  rule.clear_create_time();
  rule.clear_update_time();
  return RuleFromProto(rule);
}

// Marks `path` in a mask; false for a path named twice.
bool Mark(bool& flag) {
  if (flag) return false;
  flag = true;
  return true;
}

}  // namespace

absl::StatusOr<CheckInput> ParseCheck(const v1::CheckPromptRequest& request) {
  base::FieldValidator v;
  // Control characters are the filter's business (it drops them), not a
  // reason to refuse a chat line.
  v.Text("text", request.text(), {.min_chars = 1, .max_chars = kMaxCheckedChars, .allow_control = true});
  v.Check(request.locale().empty() || IsLocaleTag(request.locale()), "locale", "must be empty or a BCP-47 tag");
  v.Check(v1::TextSurface_IsValid(request.surface()), "surface", "unknown surface");
  CF_RETURN_IF_ERROR(v.status());
  return CheckInput{request.text(), request.locale(),
                    request.surface() == v1::TEXT_SURFACE_UNSPECIFIED ? v1::TEXT_SURFACE_PROMPT : request.surface()};
}

absl::StatusOr<RuleRecord> ParseNewRule(const v1::CreateRuleRequest& request) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id());
  v.Check(request.has_rule(), "rule", "required");
  const v1::Rule& rule = request.rule();
  CheckKind(v, rule.kind());
  CheckPattern(v, rule.pattern());
  CheckCategory(v, "rule.category", rule.category());
  CheckRuleDecision(v, rule.decision());
  CheckLocales(v, rule.locales());
  CheckSurfaces(v, rule.surfaces());
  v.Text("rule.description", rule.description(), {.max_chars = kMaxDescriptionChars});
  CF_RETURN_IF_ERROR(v.status());
  return InputRule(rule);
}

absl::StatusOr<RuleUpdate> ParseRuleUpdate(const v1::UpdateRuleRequest& request) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id());
  v.Uuid("rule.rule_id", request.rule().rule_id());
  v.Check(request.update_mask().paths_size() > 0, "update_mask", "required");
  const v1::Rule& rule = request.rule();
  RuleUpdate update{.rule_id = rule.rule_id(), .values = InputRule(rule)};
  RuleMask& m = update.mask;
  for (const std::string& path : request.update_mask().paths()) {
    bool fresh = true;
    if (path == "kind") {
      fresh = Mark(m.kind);
      CheckKind(v, rule.kind());
    } else if (path == "pattern") {
      fresh = Mark(m.pattern);
      CheckPattern(v, rule.pattern());
    } else if (path == "category") {
      fresh = Mark(m.category);
      CheckCategory(v, "rule.category", rule.category());
    } else if (path == "decision") {
      fresh = Mark(m.decision);
      CheckRuleDecision(v, rule.decision());
    } else if (path == "locales") {
      fresh = Mark(m.locales);
      CheckLocales(v, rule.locales());
    } else if (path == "surfaces") {
      fresh = Mark(m.surfaces);
      CheckSurfaces(v, rule.surfaces());
    } else if (path == "enabled") {
      fresh = Mark(m.enabled);
    } else if (path == "description") {
      fresh = Mark(m.description);
      v.Text("rule.description", rule.description(), {.max_chars = kMaxDescriptionChars});
    } else {
      v.Check(false, "update_mask", absl::StrCat("\"", absl::CHexEscape(path.substr(0, 40)), "\" cannot be changed"));
    }
    v.Check(fresh, "update_mask", absl::StrCat("\"", path, "\" named twice"));
  }
  CF_RETURN_IF_ERROR(v.status());
  return update;
}

absl::StatusOr<PolicyUpdate> ParsePolicyUpdate(const v1::UpdatePolicyRequest& request) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id());
  const v1::CategoryPolicy& policy = request.policy();
  CheckCategory(v, "policy.category", policy.category());
  v.Check(request.update_mask().paths_size() > 0, "update_mask", "required");
  PolicyUpdate update{.values = {.category = policy.category(),
                                 .max_automatic_decision = policy.max_automatic_decision(),
                                 .media_match_decision = policy.media_match_decision(),
                                 .queue_priority = policy.queue_priority(),
                                 .terms_clause = policy.terms_clause(),
                                 .description = policy.description()}};
  PolicyMask& m = update.mask;
  for (const std::string& path : request.update_mask().paths()) {
    bool fresh = true;
    if (path == "max_automatic_decision") {
      fresh = Mark(m.max_automatic_decision);
      CheckDecision(v, "policy.max_automatic_decision", policy.max_automatic_decision());
    } else if (path == "media_match_decision") {
      fresh = Mark(m.media_match_decision);
      CheckDecision(v, "policy.media_match_decision", policy.media_match_decision());
    } else if (path == "queue_priority") {
      fresh = Mark(m.queue_priority);
      v.IntRange("policy.queue_priority", policy.queue_priority(), 0, 100);
    } else if (path == "terms_clause") {
      fresh = Mark(m.terms_clause);
      v.Text("policy.terms_clause", policy.terms_clause(), {.max_chars = 200});
    } else if (path == "description") {
      fresh = Mark(m.description);
      v.Text("policy.description", policy.description(), {.max_chars = 2000});
    } else {
      v.Check(false, "update_mask", absl::StrCat("\"", absl::CHexEscape(path.substr(0, 40)), "\" cannot be changed"));
    }
    v.Check(fresh, "update_mask", absl::StrCat("\"", path, "\" named twice"));
  }
  CF_RETURN_IF_ERROR(v.status());
  return update;
}

absl::StatusOr<RuleListing> ParseRuleListing(const v1::ListRulesRequest& request) {
  base::FieldValidator v;
  RuleListing listing;
  listing.page_size = v.PageSize("page_size", request.page_size(), 100, 500);
  listing.category = request.category();
  v.Check(v1::ModerationCategory_IsValid(request.category()), "category", "unknown category");
  CF_RETURN_IF_ERROR(v.status());
  if (request.page_token().empty()) return listing;
  const std::optional<std::vector<std::string>> fields =
      kit::DecodeTokenFields(request.page_token(), "r1", 2, kit::kMaxPageTokenBytes);
  int category = 0;
  if (!fields || !absl::SimpleAtoi((*fields)[0], &category) || !absl::SimpleAtoi((*fields)[1], &listing.after_seq) ||
      listing.after_seq <= 0) {
    return absl::InvalidArgumentError("page_token: malformed");
  }
  if (category != request.category()) return absl::InvalidArgumentError("page_token: was issued for another category");
  return listing;
}

std::string RulePageToken(v1::ModerationCategory category, int64_t after_seq) {
  return kit::EncodeTokenFields("r1", {absl::StrCat(static_cast<int>(category)), absl::StrCat(after_seq)});
}

namespace {

int64_t Micros(const google::protobuf::Timestamp& t) { return absl::ToUnixMicros(kit::FromTimestamp(t)); }

}  // namespace

absl::StatusOr<AuditListing> ParseAuditListing(const v1::ListAuditEntriesRequest& request) {
  base::FieldValidator v;
  AuditListing listing;
  listing.page_size = v.PageSize("page_size", request.page_size(), 100, 500);
  v.Check(request.start_sequence() >= 0, "start_sequence", "must not be negative");
  v.Text("actor_id", request.actor_id(), {.max_chars = 64});
  if (request.has_target()) {
    v.Check(request.target().kind() != v1::CONTENT_KIND_UNSPECIFIED && v1::ContentKind_IsValid(request.target().kind()),
            "target.kind", "must be a known kind");
    v.Text("target.id", request.target().id(), {.min_chars = 1, .max_chars = 64});
  }
  v.Check(!request.has_start_time() || kit::IsValidTimestamp(request.start_time()), "start_time", "not a valid time");
  v.Check(!request.has_end_time() || kit::IsValidTimestamp(request.end_time()), "end_time", "not a valid time");
  CF_RETURN_IF_ERROR(v.status());
  AuditFilter& f = listing.filter;
  f.from_sequence = std::max<int64_t>(1, request.start_sequence());
  f.actor_id = request.actor_id();
  if (request.has_target()) {
    f.target_kind = request.target().kind();
    f.target_id = request.target().id();
  }
  if (request.has_start_time()) f.from_micros = Micros(request.start_time());
  if (request.has_end_time()) f.until_micros = Micros(request.end_time());
  if (request.page_token().empty()) return listing;
  const std::optional<std::vector<std::string>> fields =
      kit::DecodeTokenFields(request.page_token(), "a1", 1, kit::kMaxPageTokenBytes);
  int64_t next = 0;
  if (!fields || !absl::SimpleAtoi((*fields)[0], &next) || next < 1) {
    return absl::InvalidArgumentError("page_token: malformed");
  }
  f.from_sequence = std::max(f.from_sequence, next);
  return listing;
}

std::string AuditPageToken(int64_t next_sequence) {
  return kit::EncodeTokenFields("a1", {absl::StrCat(next_sequence)});
}

}  // namespace clipforge::moderation_service
