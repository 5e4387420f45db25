// Hash banks and the allow-list, for admins: create and change banks,
// import hashes in batches, add and remove allow-list entries. Every
// change bumps the one banks version and emits bank_changed in the same
// transaction (every instance's BankReloader rebuilds its index from it),
// and enters the audit log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "base/uuid.h"
#include "services/kit/caller.h"
#include "services/kit/idempotency.h"
#include "services/moderation/events.h"
#include "services/moderation/store_interface.h"

namespace clipforge::moderation_service {

struct BankLimits {
  int64_t max_entries = 5'000'000;  // Over all banks: ~112 bytes each in every instance's memory.
  int64_t max_allow_list = 10'000;  // Each check scans the allow-list of a matched bank.
};

// Which fields an UpdateBank changes.
struct BankMask {
  bool name = false;
  bool description = false;
  bool decision = false;
  bool max_distance = false;
  bool source = false;
  bool enabled = false;
};

struct EntryRejection {
  int32_t index = 0;  // In the request's entries.
  std::string reason;  // "BAD_FORMAT", "TOO_LONG", "DUPLICATE".
  std::string description;
};

struct ImportOutcome {
  int32_t added = 0;
  int32_t duplicates = 0;  // Already in the bank, or twice in the batch.
  int32_t rejected = 0;
  std::vector<EntryRejection> rejections;  // The first kMaxRejectionsShown.
  int64_t version = 0;                     // The banks version after the import.
};

struct BankPage {
  std::vector<HashBankRecord> banks;
  std::string next_after_name;  // Empty on the last page.
};

struct AllowListPage {
  std::vector<AllowListRecord> entries;
  std::optional<AllowListCursor> next;
};

class BankLogic {
 public:
  static constexpr size_t kMaxRejectionsShown = 100;

  BankLogic(ModerationStore& store, const base::Clock& clock, base::UuidV7Generator& ids,
            const ModerationEvents& events, BankLimits limits = {})
      : store_(store), clock_(clock), ids_(ids), events_(events), limits_(limits) {}

  // All admin only. ALREADY_EXISTS naming bank.name when the name is taken.
  absl::StatusOr<HashBankRecord> Create(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                        HashBankRecord bank);
  absl::StatusOr<HashBankRecord> Update(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                        const std::string& bank_id, const HashBankRecord& values,
                                        const BankMask& mask);
  absl::StatusOr<BankPage> List(const kit::Caller& caller, const std::string& after_name, int limit);
  // Adds the entries that are new: a hash not of 32 bytes or an external
  // id over 128 characters is rejected (the rest still go in);
  // RESOURCE_EXHAUSTED past max_entries, adding nothing.
  absl::StatusOr<ImportOutcome> Import(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                       const std::string& bank_id, const std::vector<BankEntryInput>& entries);
  absl::StatusOr<AllowListRecord> AddAllowed(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                             AllowListRecord entry);
  absl::Status RemoveAllowed(const kit::Caller& caller, const kit::IdempotencyKey& key, const std::string& entry_id);
  absl::StatusOr<AllowListPage> ListAllowed(const kit::Caller& caller, const std::string& bank_id,
                                            const std::optional<AllowListCursor>& before, int limit);

 private:
  ModerationStore& store_;
  const base::Clock& clock_;
  base::UuidV7Generator& ids_;
  const ModerationEvents& events_;
  const BankLimits limits_;
};

}  // namespace clipforge::moderation_service
