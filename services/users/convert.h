// Conversions between the users store's rows and the API's messages.
#pragma once

#include <optional>

#include "clipforge/v1/users.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "services/kit/auth.h"
#include "services/users/store.h"

namespace clipforge::users {

google::protobuf::Timestamp ToTimestamp(absl::Time t);
v1::Role ToProtoRole(kit::Role role);
std::optional<kit::Role> FromProtoRole(v1::Role role);

void FillProfile(const Account& account, v1::Profile* profile);
void FillUser(const Account& account, v1::User* user);
void FillConsent(const Account& account, v1::AnalyticsConsent* consent);
void FillRelationship(const std::string& other_id, const Relation& relation, v1::Relationship* out);
void FillRelatedUser(const RelatedAccount& related, v1::RelatedUser* out);

}  // namespace clipforge::users
