#include "cli/views.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/validation.h"
#include "cli/enum_words.h"
#include "cli/time_format.h"

namespace clipforge::cli {
namespace {

std::string EnumName(const std::string& full, absl::string_view prefix) {
  absl::string_view name = full;
  absl::ConsumePrefix(&name, prefix);
  return absl::AsciiStrToLower(name);
}

void AddTime(Record& record, absl::string_view key, const google::protobuf::Timestamp& time) {
  const std::string text = FormatProtoTime(time);
  if (!text.empty()) record.Str(key, text);
}

std::vector<std::string> Roles(const google::protobuf::RepeatedField<int>& roles) {
  std::vector<std::string> names;
  for (const int role : roles) names.push_back(RoleName(static_cast<v1::Role>(role)));
  return names;
}

}  // namespace

std::string RoleName(v1::Role role) {
  const std::string& name = v1::Role_Name(role);
  return name.empty() ? std::to_string(static_cast<int>(role)) : EnumName(name, "ROLE_");
}

std::string TierName(v1::Tier tier) {
  const std::string& name = v1::Tier_Name(tier);
  return name.empty() ? std::to_string(static_cast<int>(tier)) : EnumName(name, "TIER_");
}

Record AccountRecord(const v1::User& user) {
  const v1::Profile& p = user.profile();
  Record record;
  record.Str("handle", p.handle())
      .Str("user_id", p.user_id())
      .Str("display_name", p.display_name())
      .Str("email", user.email())
      .List("roles", Roles(user.roles()))
      .Str("tier", TierName(user.tier()))
      .Bool("analytics_opt_in", user.analytics_consent().opted_in());
  if (user.teen_account()) record.Bool("teen_account", true);
  AddTime(record, "created", p.create_time());
  return record;
}

Record ProfileRecord(const v1::Profile& p) {
  Record record;
  record.Str("handle", p.handle())
      .Str("user_id", p.user_id())
      .Str("display_name", p.display_name())
      .Str("bio", p.bio())
      .List("languages", {p.languages().begin(), p.languages().end()})
      .List("badges", Roles(p.badges()))
      .Int("followers", p.follower_count())
      .Int("following", p.following_count())
      .Int("clips", p.clip_count());
  if (p.has_avatar_url()) record.Str("avatar_url", p.avatar_url().url(), Show::kJsonOnly);
  AddTime(record, "created", p.create_time());
  if (p.has_viewer_relationship()) {
    const v1::Relationship& r = p.viewer_relationship();
    record.Bool("you_follow", r.following())
        .Bool("follows_you", r.followed_by())
        .Bool("you_block", r.blocking())
        .Bool("you_mute", r.muting());
  }
  return record;
}

Record RelationshipRecord(const std::string& handle, const v1::Relationship& r) {
  Record record;
  record.Str("handle", handle)
      .Str("user_id", r.user_id())
      .Bool("following", r.following())
      .Bool("follows_you", r.followed_by());
  AddTime(record, "since", r.follow_time());
  return record;
}

Record RelatedUserRow(const v1::RelatedUser& related) {
  Record row;
  row.Str("handle", related.user().handle())
      .Str("display_name", related.user().display_name())
      .Str("since", FormatProtoTime(related.create_time()))
      .Str("user_id", related.user().user_id(), Show::kJsonOnly);
  return row;
}

Record ConsentRecord(const v1::AnalyticsConsent& consent) {
  Record record;
  record.Bool("analytics_opt_in", consent.opted_in());
  AddTime(record, "updated", consent.update_time());
  if (!consent.policy_version().empty()) record.Str("policy_version", consent.policy_version());
  return record;
}

namespace {

template <typename E>
std::vector<std::string> Words(const google::protobuf::RepeatedField<int>& values, absl::string_view prefix) {
  std::vector<std::string> words;
  for (const int value : values) words.push_back(EnumWord(static_cast<E>(value), prefix));
  return words;
}

// The code points [start, end) of valid UTF-8 `text`; empty when out of range.
std::string CodePointSlice(const std::string& text, int32_t start, int32_t end) {
  size_t i = 0, from = std::string::npos;
  int32_t index = 0;
  while (i < text.size()) {
    if (index == start) from = i;
    if (index == end) break;
    char32_t c;
    const size_t n = base::DecodeUtf8(text, i, c);
    if (n == 0) return "";
    i += n;
    ++index;
  }
  if (from == std::string::npos || index < end) return "";
  return text.substr(from, i - from);
}

}  // namespace

Record RuleRow(const v1::Rule& rule) {
  Record record;
  record.Str("rule_id", rule.rule_id())
      .Str("kind", EnumWord(rule.kind(), kRuleKindPrefix))
      .Str("pattern", rule.pattern())
      .Str("category", EnumWord(rule.category(), kCategoryPrefix))
      .Str("decision", EnumWord(rule.decision(), kDecisionPrefix))
      .Bool("enabled", rule.enabled());
  return record;
}

Record BankRow(const v1::HashBank& bank) {
  Record record;
  record.Str("bank_id", bank.bank_id())
      .Str("name", bank.name())
      .Str("category", EnumWord(bank.category(), kCategoryPrefix))
      .Str("decision", EnumWord(bank.decision(), kDecisionPrefix))
      .Int("max_distance", bank.max_distance())
      .Int("entries", bank.entry_count())
      .Bool("enabled", bank.enabled());
  return record;
}

Record RuleRecord(const v1::Rule& rule) {
  Record record = RuleRow(rule);
  record.List("locales", {rule.locales().begin(), rule.locales().end()})
      .List("surfaces", Words<v1::TextSurface>(rule.surfaces(), kSurfacePrefix));
  if (!rule.description().empty()) record.Str("description", rule.description());
  record.Int("version", rule.version());
  AddTime(record, "created", rule.create_time());
  AddTime(record, "updated", rule.update_time());
  return record;
}

Record CheckRecord(const std::string& text, const v1::CheckPromptResponse& response) {
  std::vector<Record> matches;
  for (const v1::RuleMatch& match : response.matches()) {
    for (const v1::TextSpan& span : match.spans()) {
      Record row;
      row.Str("text", CodePointSlice(text, span.start(), span.end()))
          .Int("start", span.start())
          .Int("end", span.end())
          .Str("category", EnumWord(match.category(), kCategoryPrefix))
          .Str("decision", EnumWord(match.decision(), kDecisionPrefix))
          .Str("rule_id", match.rule_id());
      matches.push_back(std::move(row));
    }
  }
  Record record;
  record.Str("decision", EnumWord(response.decision(), kDecisionPrefix))
      .List("categories", Words<v1::ModerationCategory>(response.categories(), kCategoryPrefix))
      .Table("matches", std::move(matches))
      .Int("rules_version", response.rules_version(), Show::kJsonOnly);
  return record;
}

Record PolicyRow(const v1::CategoryPolicy& policy) {
  Record record;
  record.Str("category", EnumWord(policy.category(), kCategoryPrefix))
      .Str("max_automatic", EnumWord(policy.max_automatic_decision(), kDecisionPrefix))
      .Str("media_match", EnumWord(policy.media_match_decision(), kDecisionPrefix))
      .Int("queue_priority", policy.queue_priority())
      .Str("terms_clause", policy.terms_clause())
      .Str("description", policy.description(), Show::kJsonOnly)
      .Int("version", policy.version(), Show::kJsonOnly);
  return record;
}

Record AuditRow(const v1::AuditEntry& entry) {
  Record record;
  record.Int("sequence", entry.sequence());
  AddTime(record, "time", entry.create_time());
  record.Str("actor", entry.actor().id())
      .Str("action", entry.action())
      .Str("object", entry.object_id())
      .Str("details", entry.details_json())
      .Str("prev_hash", absl::BytesToHexString(entry.prev_hash()), Show::kJsonOnly)
      .Str("entry_hash", absl::BytesToHexString(entry.entry_hash()), Show::kJsonOnly);
  return record;
}

namespace {

void AddTarget(Record& record, const v1::ContentRef& target) {
  record.Str("target_kind", EnumWord(target.kind(), kContentKindPrefix, kContentKindWords))
      .Str("target", target.id());
}

// The statement of reasons under the names of the flags that write it
// (`decide --ground --reference --facts ...`); nothing for a no-action
// decision sent without one.
void AddStatement(Record& record, const v1::StatementOfReasons& s) {
  if (s.ground() == v1::DECISION_GROUND_UNSPECIFIED) return;
  record.Str("ground", EnumWord(s.ground(), kGroundPrefix, kGroundWords)).Str("reference", s.ground_reference());
  if (!s.illegality_explanation().empty()) record.Str("explanation", s.illegality_explanation());
  record.Str("facts", s.facts())
      .Bool("automated_detection", s.automation().automated_detection())
      .Bool("automated_decision", s.automation().automated_decision());
  if (!s.automation().description().empty()) record.Str("automation", s.automation().description());
  record.List("redress", Words<v1::RedressOption>(s.redress(), kRedressPrefix));
  if (!s.territorial_scope().empty()) record.Str("scope", s.territorial_scope());
  AddTime(record, "until", s.action_end_time());
}

// What a decision did and why: action, categories, statement of reasons.
// Its id and time are the caller's, under keys that do not clash with the
// record it is part of (an appeal's outcome is not the decision appealed).
void AddDecisionBody(Record& record, const v1::Decision& decision) {
  record.Str("action", EnumWord(decision.action(), kActionPrefix, kActionWords))
      .List("categories", Words<v1::ModerationCategory>(decision.categories(), kCategoryPrefix));
  AddStatement(record, decision.statement());
  // Reporters' receipts leave the moderator out.
  if (!decision.moderator_id().empty()) record.Str("moderator_id", decision.moderator_id());
  AddTime(record, "appeal_deadline", decision.appeal_deadline_time());
}

// Each rule that matched, with the text it covered: the spans index the
// prompt, or the comment or chat text when there is no prompt.
std::vector<Record> RuleMatchRows(const v1::ReviewCase& review_case) {
  const v1::CaseContext& context = review_case.context();
  const std::string& text = context.prompt().empty() ? context.text() : context.prompt();
  std::vector<Record> rows;
  for (const v1::RuleMatch& match : review_case.rule_matches()) {
    std::vector<std::string> covered;
    for (const v1::TextSpan& span : match.spans()) covered.push_back(CodePointSlice(text, span.start(), span.end()));
    Record row;
    row.Str("rule_id", match.rule_id())
        .Str("category", EnumWord(match.category(), kCategoryPrefix))
        .Str("decision", EnumWord(match.decision(), kDecisionPrefix))
        .List("text", std::move(covered));
    rows.push_back(std::move(row));
  }
  return rows;
}

// One row per bank entry a frame matched.
std::vector<Record> FrameMatchRows(const v1::ReviewCase& review_case) {
  std::vector<Record> rows;
  for (const v1::FrameMatch& frame : review_case.frame_matches()) {
    for (const v1::BankMatch& match : frame.matches()) {
      Record row;
      row.Int("frame", frame.frame_index())
          .Str("bank_id", match.bank_id())
          .Str("category", EnumWord(match.category(), kCategoryPrefix))
          .Int("distance", match.distance())
          .Int("max_distance", match.max_distance())
          .Str("entry_id", match.entry_id(), Show::kJsonOnly);
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

// Earlier decisions on the same target or author, newest first.
std::vector<Record> PriorDecisionRows(const v1::CaseContext& context) {
  std::vector<Record> rows;
  for (const v1::Decision& decision : context.prior_decisions()) {
    Record row;
    row.Str("decision_id", decision.decision_id())
        .Str("decided", FormatProtoTime(decision.create_time()))
        .Str("action", EnumWord(decision.action(), kActionPrefix, kActionWords))
        .List("categories", Words<v1::ModerationCategory>(decision.categories(), kCategoryPrefix));
    AddTarget(row, decision.target());
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

Record ReportRecord(const v1::Report& report) {
  Record record;
  record.Str("report_id", report.report_id());
  AddTarget(record, report.target());
  record.Str("reason", EnumWord(report.reason(), kCategoryPrefix))
      .Str("details", report.details())
      .Str("status", EnumWord(report.status(), kReportStatusPrefix));
  AddTime(record, "filed", report.create_time());
  AddTime(record, "updated", report.update_time());
  if (report.has_outcome()) {
    record.Str("decision_id", report.outcome().decision_id());
    AddTime(record, "decided", report.outcome().create_time());
    AddDecisionBody(record, report.outcome());
  }
  return record;
}

Record ReportRow(const v1::Report& report) {
  Record row;
  row.Str("report_id", report.report_id()).Str("filed", FormatProtoTime(report.create_time()));
  AddTarget(row, report.target());
  row.Str("reason", EnumWord(report.reason(), kCategoryPrefix))
      .Str("status", EnumWord(report.status(), kReportStatusPrefix))
      .Str("outcome", report.has_outcome() ? EnumWord(report.outcome().action(), kActionPrefix, kActionWords) : "")
      .Str("decision_id", report.outcome().decision_id(), Show::kJsonOnly);
  return row;
}

Record CaseRow(const v1::ReviewCase& c) {
  Record row;
  row.Str("case_id", c.case_id())
      .Str("status", EnumWord(c.status(), kCaseStatusPrefix))
      .Int("priority", c.priority())
      .Str("source", EnumWord(c.source(), kCaseSourcePrefix))
      .List("categories", Words<v1::ModerationCategory>(c.categories(), kCategoryPrefix))
      .Int("reports", c.report_count());
  AddTarget(row, c.target());
  return row;
}

Record CaseRecord(const v1::ReviewCase& c, const v1::CaseClaim* claim) {
  const v1::CaseContext& context = c.context();
  Record record;
  record.Str("case_id", c.case_id());
  if (claim != nullptr) {
    record.Str("claim_id", claim->claim_id());
    AddTime(record, "claim_expires", claim->expire_time());
  }
  record.Str("status", EnumWord(c.status(), kCaseStatusPrefix)).Str("source", EnumWord(c.source(), kCaseSourcePrefix));
  AddTarget(record, c.target());
  if (context.has_author()) {
    record.Str("author", absl::StrCat("@", context.author().handle()))
        .Str("author_id", context.author().user_id(), Show::kJsonOnly);
  }
  record.List("categories", Words<v1::ModerationCategory>(c.categories(), kCategoryPrefix))
      .Int("priority", c.priority())
      .Int("reports", c.report_count());
  AddTime(record, "created", c.create_time());
  if (!c.appeal_id().empty()) record.Str("appeal_id", c.appeal_id());
  if (!context.prompt().empty()) record.Str("prompt", context.prompt());
  if (!context.text().empty()) record.Str("text", context.text());
  if (!context.parent_clip_id().empty()) record.Str("parent_clip_id", context.parent_clip_id());
  if (!context.root_clip_id().empty()) {
    record.Str("root_clip_id", context.root_clip_id(), Show::kJsonOnly).Int("depth", context.depth(), Show::kJsonOnly);
  }
  if (context.has_media_url()) record.Str("media_url", context.media_url().url(), Show::kJsonOnly);
  record.Table("rule_matches", RuleMatchRows(c));
  if (c.frame_matches_size() > 0) record.Table("media_matches", FrameMatchRows(c));
  record.Table("prior_decisions", PriorDecisionRows(context));
  return record;
}

Record DecisionRecord(const v1::Decision& decision) {
  Record record;
  record.Str("decision_id", decision.decision_id()).Str("case_id", decision.case_id());
  AddTarget(record, decision.target());
  if (!decision.appeal_id().empty()) record.Str("appeal_id", decision.appeal_id());
  AddTime(record, "decided", decision.create_time());
  AddDecisionBody(record, decision);
  return record;
}

Record AppealRecord(const v1::Appeal& appeal) {
  Record record;
  record.Str("appeal_id", appeal.appeal_id())
      .Str("decision_id", appeal.decision_id())
      .Str("appellant_id", appeal.appellant_id())
      .Str("text", appeal.text())
      .Str("status", EnumWord(appeal.status(), kAppealStatusPrefix));
  AddTime(record, "filed", appeal.create_time());
  AddTime(record, "decided", appeal.decide_time());
  // The outcome is a decision of its own; its id must not read as the one
  // appealed.
  if (appeal.has_outcome()) {
    record.Str("outcome_decision_id", appeal.outcome().decision_id());
    AddDecisionBody(record, appeal.outcome());
  }
  return record;
}

}  // namespace clipforge::cli
