// How the moderation logic's idempotent outcomes are recorded: as the RPC's
// response message, so a replay answers what the first call answered.
#pragma once

#include "services/kit/idempotency.h"
#include "services/moderation/store_interface.h"

namespace clipforge::moderation_service {

// The outcome of a change that answers nothing (google.protobuf.Empty).
struct Done {};

extern const kit::IdempotencyCodec<RuleRecord> kRuleCodec;              // v1::Rule
extern const kit::IdempotencyCodec<CategoryPolicyRecord> kPolicyCodec;  // v1::CategoryPolicy
extern const kit::IdempotencyCodec<Done> kDoneCodec;                    // empty

}  // namespace clipforge::moderation_service
