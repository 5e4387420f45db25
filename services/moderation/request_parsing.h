// Validation and conversion of the moderation API's requests into the
// logic's values: every bad field named in one INVALID_ARGUMENT.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "clipforge/v1/moderation.pb.h"
#include "services/moderation/audit_logic.h"
#include "services/moderation/rule_logic.h"
#include "services/moderation/store_interface.h"

namespace clipforge::moderation_service {

inline constexpr size_t kMaxCheckedChars = 10'000;

struct CheckInput {
  std::string_view text;
  std::string_view locale;
  v1::TextSurface surface = v1::TEXT_SURFACE_PROMPT;
};

// text 1-10,000 code points of valid UTF-8, locale empty or a BCP-47 tag,
// surface a known one.
absl::StatusOr<CheckInput> ParseCheck(const v1::CheckPromptRequest& request);

// A new rule: every required field present and valid ("rule.pattern: ...").
absl::StatusOr<RuleRecord> ParseNewRule(const v1::CreateRuleRequest& request);

struct RuleUpdate {
  std::string rule_id;
  RuleRecord values;
  RuleMask mask;
};
// The mask's paths known and not repeated, the fields they name valid.
absl::StatusOr<RuleUpdate> ParseRuleUpdate(const v1::UpdateRuleRequest& request);

struct PolicyUpdate {
  CategoryPolicyRecord values;
  PolicyMask mask;
};
absl::StatusOr<PolicyUpdate> ParsePolicyUpdate(const v1::UpdatePolicyRequest& request);

struct RuleListing {
  v1::ModerationCategory category = v1::MODERATION_CATEGORY_UNSPECIFIED;
  int64_t after_seq = 0;
  int32_t page_size = 100;
};
absl::StatusOr<RuleListing> ParseRuleListing(const v1::ListRulesRequest& request);
// The token ListRules answers for the page after `after_seq`.
std::string RulePageToken(v1::ModerationCategory category, int64_t after_seq);

struct AuditListing {
  AuditFilter filter;
  int32_t page_size = 100;
};
absl::StatusOr<AuditListing> ParseAuditListing(const v1::ListAuditEntriesRequest& request);
// The token ListAuditEntries answers for the page starting at `next_sequence`.
std::string AuditPageToken(int64_t next_sequence);

}  // namespace clipforge::moderation_service
