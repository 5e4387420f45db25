// Conversions between the users domain's values and the API's messages.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/role.h"
#include "clipforge/v1/users.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "services/kit/proto_time.h"
#include "services/users/logic_support.h"
#include "users/account.h"
#include "users/graph.h"

namespace clipforge::users {

using kit::FromTimestamp;
using kit::ToTimestamp;

// The API's roles are base::Role shifted by one (0 is ROLE_UNSPECIFIED).
v1::Role ToProtoRole(base::Role role);
std::optional<base::Role> FromProtoRole(v1::Role role);
// Unknown values are INVALID_ARGUMENT naming `field`.
absl::StatusOr<base::RoleSet> FromProtoRoles(const google::protobuf::RepeatedField<int>& roles);

void FillProfile(const Account& account, v1::Profile* profile);
// The caller's own account as of `now` (teen_account holds while now is
// before the account's adult_at).
void FillUser(const Account& account, absl::Time now, v1::User* user);
// The caller's own account as of its last change (updated_at): how an
// update's answer is recorded for replay (result_codecs.h).
void FillUserAsUpdated(const Account& account, v1::User* user);
void FillConsent(const Consent& consent, v1::AnalyticsConsent* out);
void FillRelationship(const RelationshipView& view, v1::Relationship* out);
void FillRelatedUser(const RelatedAccount& related, v1::RelatedUser* out);
void FillTokens(const IssuedTokens& tokens, v1::AuthTokens* out);
void FillRoles(const RolesView& roles, v1::UserRoles* out);

// The inverses, for outcomes replayed from their idempotency records: what
// Fill* wrote comes back equal. A User does not say when a teen account
// becomes an adult's, only that it was a teen's: that comes back as an
// adult_at that never passes, so the replay answers what the first call
// answered.
Account AccountFromUser(const v1::User& user);
Consent ConsentFromProto(const v1::AnalyticsConsent& consent);
RelationshipView RelationshipFromProto(const v1::Relationship& relationship);
RolesView RolesFromProto(const v1::UserRoles& roles);

}  // namespace clipforge::users
