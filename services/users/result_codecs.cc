#include "services/users/result_codecs.h"

#include "services/kit/proto_codec.h"
#include "services/users/convert.h"

namespace clipforge::users {

// An update's answer is recorded as of the update: whether the account was
// a teen's then is what a replay answers.
const kit::IdempotencyCodec<Account> kAccountCodec =
    kit::ProtoCodec<v1::User, Account, FillUserAsUpdated, AccountFromUser>();
const kit::IdempotencyCodec<Consent> kConsentCodec =
    kit::ProtoCodec<v1::AnalyticsConsent, Consent, FillConsent, ConsentFromProto>();
const kit::IdempotencyCodec<RelationshipView> kRelationshipCodec =
    kit::ProtoCodec<v1::Relationship, RelationshipView, FillRelationship, RelationshipFromProto>();
const kit::IdempotencyCodec<RolesView> kRolesCodec =
    kit::ProtoCodec<v1::UserRoles, RolesView, FillRoles, RolesFromProto>();

}  // namespace clipforge::users
