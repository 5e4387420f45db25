// How the moderation logic's idempotent outcomes are recorded: as the RPC's
// response message, so a replay answers what the first call answered.
#pragma once

#include <optional>
#include <string>

#include "absl/time/time.h"

#include "services/kit/idempotency.h"
#include "services/moderation/bank_logic.h"
#include "services/moderation/store_interface.h"

namespace clipforge::moderation_service {

// A moderator's time-limited hold on a case.
struct CaseClaim {
  std::string case_id;
  std::string claim_id;
  absl::Time expire_time;
};


extern const kit::IdempotencyCodec<RuleRecord> kRuleCodec;              // v1::Rule
extern const kit::IdempotencyCodec<CategoryPolicyRecord> kPolicyCodec;  // v1::CategoryPolicy
// A change that answers nothing (google.protobuf.Empty) but the rule set's
// version after it, which the server waits for before answering.
extern const kit::IdempotencyCodec<int64_t> kVersionCodec;              // decimal
extern const kit::IdempotencyCodec<HashBankRecord> kBankCodec;          // v1::HashBank
extern const kit::IdempotencyCodec<AllowListRecord> kAllowCodec;        // v1::AllowListEntry
// "version\n" then a v1::ImportHashesResponse.
extern const kit::IdempotencyCodec<ImportOutcome> kImportCodec;
// A change whose outcome is a stored object: its id, read back on replay.
// A claim, or none when the queue was empty: "case_id claim_id expire_micros".
extern const kit::IdempotencyCodec<std::optional<CaseClaim>> kClaimCodec;

}  // namespace clipforge::moderation_service
