// Prompt rules and category policies: admins add, change, disable, delete
// and list them. Every change bumps the policy version and emits
// rule_changed in the same transaction, which every instance's
// PolicyReloader turns into a recompiled policy.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "base/uuid.h"
#include "services/kit/caller.h"
#include "services/kit/idempotency.h"
#include "services/moderation/access.h"
#include "services/moderation/events.h"
#include "services/moderation/store_interface.h"

namespace clipforge::moderation_service {

struct RuleLimits {
  int64_t max_rules = 100'000;
};

// Which fields an UpdateRule changes.
struct RuleMask {
  bool kind = false;
  bool pattern = false;
  bool category = false;
  bool decision = false;
  bool locales = false;
  bool surfaces = false;
  bool enabled = false;
  bool description = false;
};

// Which fields an UpdatePolicy changes.
struct PolicyMask {
  bool max_automatic_decision = false;
  bool media_match_decision = false;
  bool queue_priority = false;
  bool terms_clause = false;
  bool description = false;
};

struct RulePage {
  std::vector<RuleRecord> rules;
  int64_t next_after_seq = 0;  // 0 on the last page.
};

class RuleLogic {
 public:
  RuleLogic(ModerationStore& store, const base::Clock& clock, base::UuidV7Generator& ids,
            const ModerationEvents& events, RuleLimits limits = {})
      : store_(store), clock_(clock), ids_(ids), events_(events), limits_(limits) {}

  // Each needs an admin caller (PERMISSION_DENIED otherwise). A rule whose
  // pattern the filter cannot use (a regex that does not compile or can
  // match the empty string, a keyword of two words) is INVALID_ARGUMENT
  // naming rule.pattern with the reason; the live policy never sees it.
  absl::StatusOr<RuleRecord> Create(const kit::Caller& caller, const kit::IdempotencyKey& key, RuleRecord rule);
  // `values` holds the new values of the fields in `mask`.
  absl::StatusOr<RuleRecord> Update(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                    const std::string& rule_id, const RuleRecord& values, const RuleMask& mask);
  // Returns the rule set's version after the deletion.
  absl::StatusOr<int64_t> Delete(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                 const std::string& rule_id);
  // `limit` rules after `after_seq` (0: from the start), oldest first.
  absl::StatusOr<RulePage> List(const kit::Caller& caller, v1::ModerationCategory category, int64_t after_seq,
                                int limit);

  absl::StatusOr<std::vector<CategoryPolicyRecord>> ListPolicies(const kit::Caller& caller);
  absl::StatusOr<CategoryPolicyRecord> UpdatePolicy(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                                    const CategoryPolicyRecord& values, const PolicyMask& mask);

 private:
  ModerationStore& store_;
  const base::Clock& clock_;
  base::UuidV7Generator& ids_;
  const ModerationEvents& events_;
  const RuleLimits limits_;
};

// INVALID_ARGUMENT naming rule.pattern (or rule.locales) when the core
// filter would refuse `rule`.
absl::Status ValidateForFilter(const RuleRecord& rule);

}  // namespace clipforge::moderation_service
