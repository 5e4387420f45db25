#include "cli/views.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
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

}  // namespace clipforge::cli
