// Conversions between the moderation service's records and the API's
// messages.
#pragma once

#include "clipforge/v1/moderation.pb.h"
#include "services/moderation/active_policy.h"
#include "services/moderation/store_interface.h"

namespace clipforge::moderation_service {

void FillRule(const RuleRecord& rule, v1::Rule* out);
// Every field, output-only ones included (idempotency replays).
RuleRecord RuleFromProto(const v1::Rule& rule);

void FillPolicy(const CategoryPolicyRecord& policy, v1::CategoryPolicy* out);
CategoryPolicyRecord PolicyFromProto(const v1::CategoryPolicy& policy);

void FillCheckResult(const CheckResult& result, v1::CheckPromptResponse* out);

void FillAuditEntry(const AuditEntryRecord& entry, v1::AuditEntry* out);

}  // namespace clipforge::moderation_service
