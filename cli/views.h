// How API resources print: proto messages to Records. Tokens never appear.
#pragma once

#include <string>

#include "cli/enum_words.h"
#include "cli/output.h"
#include "clipforge/v1/common.pb.h"
#include "clipforge/v1/moderation.pb.h"
#include "clipforge/v1/users.pb.h"

namespace clipforge::cli {

// ROLE_CREATOR -> "creator".
std::string RoleName(v1::Role role);
// TIER_PLUS -> "plus".
std::string TierName(v1::Tier tier);

// whoami: handle, user id, display name, email, roles, tier, consent, and
// teen_account when it is one.
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
inline constexpr absl::string_view kContentKindPrefix = "CONTENT_KIND_";
inline constexpr absl::string_view kActionPrefix = "MODERATION_ACTION_";
inline constexpr absl::string_view kGroundPrefix = "DECISION_GROUND_";
inline constexpr absl::string_view kRedressPrefix = "REDRESS_OPTION_";
inline constexpr absl::string_view kCaseSourcePrefix = "CASE_SOURCE_";
inline constexpr absl::string_view kCaseStatusPrefix = "CASE_STATUS_";
inline constexpr absl::string_view kReportStatusPrefix = "REPORT_STATUS_";
inline constexpr absl::string_view kAppealStatusPrefix = "APPEAL_STATUS_";
// The short words of the values whose names read long: `report job ID`,
// `--action=suspend`, `--ground=terms`.
inline constexpr ShortWord kContentKindWords[] = {{v1::CONTENT_KIND_GENERATION_JOB, "job"},
                                                  {v1::CONTENT_KIND_PARTY_CHAT, "chat"}};
inline constexpr ShortWord kActionWords[] = {{v1::MODERATION_ACTION_SUSPEND_ACCOUNT, "suspend"},
                                             {v1::MODERATION_ACTION_TERMINATE_ACCOUNT, "terminate"},
                                             {v1::MODERATION_ACTION_WARN_AUTHOR, "warn"}};
inline constexpr ShortWord kGroundWords[] = {{v1::DECISION_GROUND_ILLEGAL_CONTENT, "illegal"},
                                             {v1::DECISION_GROUND_TERMS_OF_SERVICE, "terms"}};

// A hash bank: id, name, category, decision, distance, entries, enabled.
Record BankRow(const v1::HashBank& bank);
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

// A report: target, reason, status and, once decided, the outcome receipt
// (the decision and its statement of reasons).
Record ReportRecord(const v1::Report& report);
// One row of `reports`: id, filed, target, reason, status, outcome action.
Record ReportRow(const v1::Report& report);
// One row of `queue`: id, status, priority, source, categories, reports,
// target.
Record CaseRow(const v1::ReviewCase& review_case);
// A case in full for deciding it: target, author, categories, priority,
// reports, the prompt or text, rule and media matches, prior decisions;
// with the claim on it when `claim` is given.
Record CaseRecord(const v1::ReviewCase& review_case, const v1::CaseClaim* claim = nullptr);
// A decision with its statement of reasons.
Record DecisionRecord(const v1::Decision& decision);
// An appeal and, once decided, its outcome.
Record AppealRecord(const v1::Appeal& appeal);

}  // namespace clipforge::cli
