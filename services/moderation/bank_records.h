// Hash banks, their entries and the allow-list as the moderation logic and
// its store exchange them. Hashes are raw bytes (32 for PDQ).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "clipforge/v1/moderation.pb.h"

namespace clipforge::moderation_service {

struct HashBankRecord {
  std::string bank_id;
  int32_t seq = 0;  // Its number inside the in-memory index; assigned by the store.
  std::string name;
  std::string description;
  v1::ModerationCategory category = v1::MODERATION_CATEGORY_UNSPECIFIED;
  v1::ModerationDecision decision = v1::MODERATION_DECISION_UNSPECIFIED;
  v1::HashType hash_type = v1::HASH_TYPE_PDQ;
  int32_t max_distance = 31;
  std::string source;
  bool enabled = true;
  int64_t entry_count = 0;
  int64_t version = 0;  // The banks version of its last change.
  absl::Time create_time;
  absl::Time update_time;
};

// One hash to import.
struct BankEntryInput {
  std::string hash;  // 32 bytes.
  std::string external_id;
};

// A stored entry, as the index loads it.
struct BankEntryRecord {
  std::string entry_id;
  int32_t bank_seq = 0;
  std::string hash;
  std::string external_id;
};

struct AllowListRecord {
  std::string entry_id;
  std::string bank_id;  // Empty: every bank.
  std::string hash;
  std::string reason;
  std::string create_user_id;
  absl::Time create_time;
};

// A position in the allow-list: entries older than this one.
struct AllowListCursor {
  absl::Time create_time;
  std::string entry_id;
};

}  // namespace clipforge::moderation_service
