// How the users logic's idempotent outcomes are recorded: as the RPC's
// response message, so a replay answers byte for byte what the first call
// answered (and records written before the logic split still replay).
#pragma once

#include "services/kit/idempotency.h"
#include "services/users/logic_support.h"
#include "users/account.h"

namespace clipforge::users {

extern const kit::IdempotencyCodec<Account> kAccountCodec;              // v1::User
extern const kit::IdempotencyCodec<Consent> kConsentCodec;              // v1::AnalyticsConsent
extern const kit::IdempotencyCodec<RelationshipView> kRelationshipCodec;  // v1::Relationship
extern const kit::IdempotencyCodec<RolesView> kRolesCodec;              // v1::UserRoles

}  // namespace clipforge::users
