// The prompt filter as the service runs it: the core's compiled policy
// (moderation/policy.h) plus what the service adds around its verdict: each
// rule's id, category, decision and surfaces, and each category's cap on
// what a match may decide automatically. Built from one snapshot of the
// store, so rules and caps always come from the same version.
#pragma once

#include "services/moderation/live_snapshot.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "clipforge/v1/common.pb.h"
#include "clipforge/v1/moderation.pb.h"
#include "moderation/policy.h"
#include "services/moderation/store_interface.h"

namespace clipforge::moderation_service {

// One rule that matched, its span in code points of the original text.
struct TextMatch {
  std::string rule_id;
  v1::ModerationCategory category = v1::MODERATION_CATEGORY_UNSPECIFIED;
  v1::ModerationDecision decision = v1::MODERATION_DECISION_UNSPECIFIED;
  int32_t start = 0;
  int32_t end = 0;
};

struct CheckResult {
  v1::ModerationDecision decision = v1::MODERATION_DECISION_ALLOW;
  std::vector<v1::ModerationCategory> categories;  // Most severe first, no duplicates.
  std::vector<TextMatch> matches;                   // In text order; at most kMaxReportedMatches.
  int64_t version = 0;
};

inline constexpr size_t kMaxReportedMatches = 64;

// How bad a category is, 1-5: orders a verdict's categories.
int CategorySeverity(v1::ModerationCategory category);

// The core rule a stored rule compiles to (its id is the rule's seq).
moderation::Rule CoreRule(const RuleRecord& rule);

// Compiling a large rule set takes long (50,000 rules: about half a
// minute), so a change is not waited for that: a policy is a compiled base
// plus, when rules changed since the base, a small delta layer compiled
// from just those rules, with the base's copies of them masked. A later
// full Build folds the delta back in (PolicyReloader::Compact).
class ActivePolicy {
 public:
  // Compiles every enabled rule of `snapshot` (INVALID_ARGUMENT naming the
  // rule when one does not compile: the caller keeps its old policy).
  static absl::StatusOr<std::shared_ptr<const ActivePolicy>> Build(const PolicySnapshot& snapshot);

  // `changes` (read since current's base_version()) on top of `current`'s
  // base: compiles only the enabled rules created or changed since, and
  // masks the base's copies of every rule changed or deleted since. Takes
  // about as long as compiling those rules alone.
  static absl::StatusOr<std::shared_ptr<const ActivePolicy>> Extend(const ActivePolicy& current,
                                                                    const PolicyChanges& changes);

  // The rules Extend(current, changes) would compile.
  static size_t RulesToCompile(const PolicyChanges& changes);

  // `text` is valid UTF-8 of at most moderation::kMaxCheckedTextBytes
  // bytes (INVALID_ARGUMENT naming "text" otherwise); `locale` may be
  // empty. Rules limited to other surfaces do not match; a match's decision
  // is lowered to its category's max_automatic_decision.
  absl::StatusOr<CheckResult> Check(std::string_view text, std::string_view locale, v1::TextSurface surface) const;

  int64_t version() const { return version_; }
  // The version whose rules the base holds.
  int64_t base_version() const { return base_->version; }
  // Rules in force.
  size_t rule_count() const;
  // Rules compiled into the delta layer (0 after a full Build).
  size_t delta_rule_count() const { return delta_ ? delta_->rules.size() : 0; }
  // Whether a full Build would fold changes in (a delta, or masked rules).
  bool layered() const { return delta_ != nullptr || !masked_.empty(); }

 private:
  struct RuleMeta {
    std::string rule_id;
    v1::ModerationCategory category;
    v1::ModerationDecision decision;
    uint32_t surfaces;  // Bit per TextSurface; 0: every surface.
    int64_t version;
  };
  // Rules compiled together.
  struct Layer {
    std::shared_ptr<const moderation::CompiledPolicy> compiled;
    absl::flat_hash_map<int64_t, RuleMeta> rules;  // By seq.
    int64_t version = 0;
  };

  ActivePolicy() = default;
  static absl::StatusOr<std::shared_ptr<const Layer>> Compile(const std::vector<const RuleRecord*>& rules,
                                                              int64_t version);
  void SetCaps(int64_t version, const std::vector<CategoryPolicyRecord>& policies);
  std::shared_ptr<const Layer> base_;
  std::shared_ptr<const Layer> delta_;      // Null when nothing changed since the base.
  absl::flat_hash_set<int64_t> masked_;     // Base rules changed, disabled or deleted since.
  std::array<v1::ModerationDecision, v1::ModerationCategory_ARRAYSIZE> max_automatic_{};
  int64_t version_ = 0;
};

// The policy every check uses, swapped whole while checks run: a check
// holds the policy it started with until it ends.
using ActivePolicyHolder = LiveSnapshot<ActivePolicy>;

}  // namespace clipforge::moderation_service
