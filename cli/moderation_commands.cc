// check, rules, rules add, rules set, rules delete, policies, policies set:
// the prompt filter from the command line (the rules and policies need an
// admin's session).
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "cli/commands.h"
#include "cli/enum_words.h"
#include "cli/errors.h"
#include "cli/views.h"

namespace clipforge::cli {
namespace {

using Moderation = v1::ModerationService::StubInterface;

// --surfaces=chat,comment into the rule.
absl::Status SetSurfaces(const std::string& list, v1::Rule& rule) {
  rule.clear_surfaces();
  for (const std::string& word : SplitList(list)) {
    CF_ASSIGN_OR_RETURN(const v1::TextSurface surface, ParseEnumWord<v1::TextSurface>("--surfaces", word, kSurfacePrefix));
    rule.add_surfaces(surface);
  }
  return absl::OkStatus();
}

void SetLocales(const std::string& list, v1::Rule& rule) {
  rule.clear_locales();
  for (std::string& tag : SplitList(list)) rule.add_locales(std::move(tag));
}

// The rule fields the flags of `rules add` and `rules set` give, each named
// in `paths` (the update mask).
absl::Status RuleFromFlags(const Invocation& inv, v1::Rule& rule, std::vector<std::string>& paths) {
  CF_ASSIGN_OR_RETURN(const auto kind, EnumFlag<v1::RuleKind>(inv, "kind", kRuleKindPrefix));
  if (kind) {
    rule.set_kind(*kind);
    paths.push_back("kind");
  }
  if (const auto pattern = inv.Get("pattern")) {
    rule.set_pattern(*pattern);
    paths.push_back("pattern");
  }
  CF_ASSIGN_OR_RETURN(const auto category, EnumFlag<v1::ModerationCategory>(inv, "category", kCategoryPrefix));
  if (category) {
    rule.set_category(*category);
    paths.push_back("category");
  }
  CF_ASSIGN_OR_RETURN(const auto decision, EnumFlag<v1::ModerationDecision>(inv, "decision", kDecisionPrefix));
  if (decision) {
    rule.set_decision(*decision);
    paths.push_back("decision");
  }
  if (const auto locales = inv.Get("locales")) {
    SetLocales(*locales, rule);
    paths.push_back("locales");
  }
  if (const auto surfaces = inv.Get("surfaces")) {
    CF_RETURN_IF_ERROR(SetSurfaces(*surfaces, rule));
    paths.push_back("surfaces");
  }
  if (const auto description = inv.Get("description")) {
    rule.set_description(*description);
    paths.push_back("description");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RunCheck(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::CheckPromptRequest request;
  request.set_text(inv.Operand(0));
  request.set_locale(inv.Get("locale").value_or(""));
  CF_ASSIGN_OR_RETURN(const auto surface, EnumFlag<v1::TextSurface>(inv, "surface", kSurfacePrefix));
  if (surface) request.set_surface(*surface);
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  v1::CheckPromptResponse response;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Moderation::CheckPrompt, request, response));
  ctx.out().Result(CheckRecord(request.text(), response));
  return absl::OkStatus();
}

absl::Status RunRules(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::ListRulesRequest request;
  CF_ASSIGN_OR_RETURN(const std::optional<int32_t> page_size, inv.IntFlag("page-size", 1, 500));
  if (page_size) request.set_page_size(*page_size);
  CF_ASSIGN_OR_RETURN(const auto category, EnumFlag<v1::ModerationCategory>(inv, "category", kCategoryPrefix));
  if (category) request.set_category(*category);
  request.set_page_token(inv.Get("page-token").value_or(""));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  std::vector<Record> rows;
  CF_ASSIGN_OR_RETURN(const std::string next,
                      FetchPages(ctx, *session, &Moderation::ListRules, request, [&](const v1::ListRulesResponse& r) {
                        for (const v1::Rule& rule : r.rules()) rows.push_back(RuleRow(rule));
                      }));
  PrintPages(ctx, "rules", std::move(rows), next);
  return absl::OkStatus();
}

absl::Status RunRulesAdd(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::CreateRuleRequest request;
  v1::Rule& rule = *request.mutable_rule();
  rule.set_kind(v1::RULE_KIND_KEYWORD);
  rule.set_decision(v1::MODERATION_DECISION_BLOCK);
  std::vector<std::string> paths;
  CF_RETURN_IF_ERROR(RuleFromFlags(inv, rule, paths));
  rule.set_pattern(inv.Operand(0));
  rule.set_enabled(!inv.Has("disabled"));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::Rule created;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Moderation::CreateRule, request, created));
  ctx.out().Result(RuleRecord(created));
  return absl::OkStatus();
}

absl::Status RunRulesSet(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::UpdateRuleRequest request;
  v1::Rule& rule = *request.mutable_rule();
  rule.set_rule_id(inv.Operand(0));
  std::vector<std::string> paths;
  CF_RETURN_IF_ERROR(RuleFromFlags(inv, rule, paths));
  if (inv.Has("enable") && inv.Has("disable")) return UsageError("give --enable or --disable, not both");
  if (inv.Has("enable") || inv.Has("disable")) {
    rule.set_enabled(inv.Has("enable"));
    paths.push_back("enabled");
  }
  if (paths.empty()) return UsageError("nothing to change: give at least one of the rule's flags");
  for (std::string& path : paths) request.mutable_update_mask()->add_paths(std::move(path));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::Rule updated;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Moderation::UpdateRule, request, updated));
  ctx.out().Result(RuleRecord(updated));
  return absl::OkStatus();
}

absl::Status RunRulesDelete(CommandContext& ctx) {
  v1::DeleteRuleRequest request;
  request.set_rule_id(ctx.invocation().Operand(0));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  google::protobuf::Empty empty;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Moderation::DeleteRule, request, empty));
  Record record;
  record.Str("deleted", request.rule_id());
  ctx.out().Result(record);
  return absl::OkStatus();
}

absl::Status RunPolicies(CommandContext& ctx) {
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  v1::ListPoliciesResponse response;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Moderation::ListPolicies, v1::ListPoliciesRequest(), response));
  std::vector<Record> rows;
  for (const v1::CategoryPolicy& policy : response.policies()) rows.push_back(PolicyRow(policy));
  Record record;
  record.Table("policies", std::move(rows));
  ctx.out().Result(record);
  return absl::OkStatus();
}

absl::Status RunPoliciesSet(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::UpdatePolicyRequest request;
  v1::CategoryPolicy& policy = *request.mutable_policy();
  CF_ASSIGN_OR_RETURN(const v1::ModerationCategory category,
                      ParseEnumWord<v1::ModerationCategory>("CATEGORY", inv.Operand(0), kCategoryPrefix));
  policy.set_category(category);
  google::protobuf::FieldMask& mask = *request.mutable_update_mask();
  CF_ASSIGN_OR_RETURN(const auto automatic,
                      EnumFlag<v1::ModerationDecision>(inv, "max-automatic", kDecisionPrefix));
  if (automatic) {
    policy.set_max_automatic_decision(*automatic);
    mask.add_paths("max_automatic_decision");
  }
  CF_ASSIGN_OR_RETURN(const auto media, EnumFlag<v1::ModerationDecision>(inv, "media-match", kDecisionPrefix));
  if (media) {
    policy.set_media_match_decision(*media);
    mask.add_paths("media_match_decision");
  }
  CF_ASSIGN_OR_RETURN(const std::optional<int32_t> priority, inv.IntFlag("queue-priority", 0, 100));
  if (priority) {
    policy.set_queue_priority(*priority);
    mask.add_paths("queue_priority");
  }
  if (const auto clause = inv.Get("terms-clause")) {
    policy.set_terms_clause(*clause);
    mask.add_paths("terms_clause");
  }
  if (const auto description = inv.Get("description")) {
    policy.set_description(*description);
    mask.add_paths("description");
  }
  if (mask.paths().empty()) return UsageError("nothing to change: give at least one of the policy's flags");
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::CategoryPolicy updated;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Moderation::UpdatePolicy, request, updated));
  Record record = PolicyRow(updated);
  ctx.out().Result(record);
  return absl::OkStatus();
}

absl::Status RunAudit(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::ListAuditEntriesRequest request;
  CF_ASSIGN_OR_RETURN(const std::optional<int32_t> page_size, inv.IntFlag("page-size", 1, 500));
  if (page_size) request.set_page_size(*page_size);
  CF_ASSIGN_OR_RETURN(const std::optional<int64_t> from, inv.Int64Flag("from", 1, INT64_MAX));
  if (from) request.set_start_sequence(*from);
  request.set_actor_id(inv.Get("actor").value_or(""));
  request.set_page_token(inv.Get("page-token").value_or(""));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  std::vector<Record> rows;
  CF_ASSIGN_OR_RETURN(const std::string next,
                      FetchPages(ctx, *session, &Moderation::ListAuditEntries, request,
                                 [&](const v1::ListAuditEntriesResponse& r) {
                                   for (const v1::AuditEntry& entry : r.entries()) rows.push_back(AuditRow(entry));
                                 }));
  PrintPages(ctx, "entries", std::move(rows), next);
  return absl::OkStatus();
}

absl::Status RunAuditVerify(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::VerifyAuditChainRequest request;
  CF_ASSIGN_OR_RETURN(const std::optional<int64_t> from, inv.Int64Flag("from", 1, INT64_MAX));
  if (from) request.set_start_sequence(*from);
  CF_ASSIGN_OR_RETURN(const std::optional<int64_t> to, inv.Int64Flag("to", 1, INT64_MAX));
  if (to) request.set_end_sequence(*to);
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  v1::VerifyAuditChainResponse response;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Moderation::VerifyAuditChain, request, response));
  Record record;
  record.Bool("valid", response.valid())
      .Int("entries_checked", response.entries_checked())
      .Int("last_sequence", response.last_sequence())
      .Str("last_hash", absl::BytesToHexString(response.last_hash()));
  if (!response.valid()) record.Int("first_invalid_sequence", response.first_invalid_sequence());
  ctx.out().Result(record);
  // A broken chain is a failure a script must not miss.
  if (!response.valid()) {
    return WithExitCode(absl::DataLossError(absl::StrCat("the audit log's hash chain breaks at entry ",
                                                         response.first_invalid_sequence())),
                        kExitFailure);
  }
  return absl::OkStatus();
}

}  // namespace clipforge::cli
