// How API resources print: proto messages to Records. Tokens never appear.
#pragma once

#include <string>

#include "cli/output.h"
#include "clipforge/v1/common.pb.h"
#include "clipforge/v1/moderation.pb.h"
#include "clipforge/v1/users.pb.h"

namespace clipforge::cli {

// ROLE_CREATOR -> "creator".
std::string RoleName(v1::Role role);
// TIER_PLUS -> "plus".
std::string TierName(v1::Tier tier);

// whoami: handle, user id, display name, email, roles, tier, consent.
Record AccountRecord(const v1::User& user);
// A profile; with the viewer's relationship when the server sent one.
Record ProfileRecord(const v1::Profile& profile);
Record RelationshipRecord(const std::string& handle, const v1::Relationship& relationship);
// One row of followers/following: handle, display name, since (user id in JSON).
Record RelatedUserRow(const v1::RelatedUser& related);
Record ConsentRecord(const v1::AnalyticsConsent& consent);

// The words the moderation commands read and print for the API's enums,
// with each enum's prefix dropped: "child-safety", "block", "regex", "chat".
inline constexpr absl::string_view kCategoryPrefix = "MODERATION_CATEGORY_";
inline constexpr absl::string_view kDecisionPrefix = "MODERATION_DECISION_";
inline constexpr absl::string_view kRuleKindPrefix = "RULE_KIND_";
inline constexpr absl::string_view kSurfacePrefix = "TEXT_SURFACE_";

// A prompt rule, every field.
Record RuleRecord(const v1::Rule& rule);
// One row of `rules`: id, kind, pattern, category, decision, enabled.
Record RuleRow(const v1::Rule& rule);
// A check's verdict, each match with the text it covered (code point spans
// of `text`).
Record CheckRecord(const std::string& text, const v1::CheckPromptResponse& response);
// One row of `policies`.
Record PolicyRow(const v1::CategoryPolicy& policy);
// One row of `audit`: sequence, time, actor, action, object, details
// (and the hashes, hex, in JSON).
Record AuditRow(const v1::AuditEntry& entry);

}  // namespace clipforge::cli
