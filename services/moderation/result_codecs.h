// How the moderation logic's idempotent outcomes are recorded: as the RPC's
// response message, so a replay answers what the first call answered.
#pragma once

#include "services/kit/idempotency.h"
#include "services/moderation/store_interface.h"

namespace clipforge::moderation_service {


extern const kit::IdempotencyCodec<RuleRecord> kRuleCodec;              // v1::Rule
extern const kit::IdempotencyCodec<CategoryPolicyRecord> kPolicyCodec;  // v1::CategoryPolicy
// A change that answers nothing (google.protobuf.Empty) but the rule set's
// version after it, which the server waits for before answering.
extern const kit::IdempotencyCodec<int64_t> kVersionCodec;              // decimal

}  // namespace clipforge::moderation_service
