// The moderation audit log: every audited change appends an entry to the
// hash chain in the change's own transaction (AppendAudit); admins list
// entries and verify the chain over a range.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/kit/caller.h"
#include "services/moderation/store_interface.h"

namespace clipforge::moderation_service {

// What an audited change says about itself.
struct AuditNote {
  absl::string_view action;     // "rule.created", ...
  absl::string_view object_id;  // The rule id, the category, ...
  std::string details_json;     // At most kMaxAuditDetailsBytes.
  v1::ContentKind target_kind = v1::CONTENT_KIND_UNSPECIFIED;  // What the change is about, if content.
  absl::string_view target_id;
};

inline constexpr size_t kMaxAuditDetailsBytes = 8192;

// Appends `note` by `caller` at `now` to the chain, in `tx`. Locks the
// chain's head: audited changes serialize on it.
absl::Status AppendAudit(ModerationTx& tx, const kit::Caller& caller, const AuditNote& note, absl::Time now);

struct AuditPage {
  std::vector<AuditEntryRecord> entries;
  int64_t next_sequence = 0;  // 0 on the last page.
};

struct ChainReport {
  bool valid = true;
  int64_t checked = 0;
  int64_t first_invalid = 0;
  int64_t last_sequence = 0;
  std::string last_hash;
};

class AuditLogic {
 public:
  // Most entries one VerifyAuditChain call checks.
  static constexpr int64_t kMaxVerifiedEntries = 10'000'000;

  explicit AuditLogic(ModerationStore& store) : store_(store) {}

  // Admin only.
  absl::StatusOr<AuditPage> List(const kit::Caller& caller, const AuditFilter& filter, int limit);
  // Recomputes the chain from `first` (0: 1) to `last` (0: the head).
  // Admin only; INVALID_ARGUMENT for an empty or too long range.
  absl::StatusOr<ChainReport> Verify(const kit::Caller& caller, int64_t first, int64_t last);

 private:
  ModerationStore& store_;
};

}  // namespace clipforge::moderation_service
