// How API resources print: proto messages to Records. Tokens never appear.
#pragma once

#include <string>

#include "cli/output.h"
#include "clipforge/v1/common.pb.h"
#include "clipforge/v1/users.pb.h"

namespace clipforge::cli {

// ROLE_CREATOR -> "creator".
std::string RoleName(v1::Role role);
// TIER_PLUS -> "plus".
std::string TierName(v1::Tier tier);

// whoami: handle, user id, display name, email, roles, tier, consent.
Record AccountRecord(const v1::User& user);
// A profile; with the viewer's relationship when the server sent one.
Record ProfileRecord(const v1::Profile& profile);
Record RelationshipRecord(const std::string& handle, const v1::Relationship& relationship);
// One row of followers/following: handle, display name, since (user id in JSON).
Record RelatedUserRow(const v1::RelatedUser& related);
Record ConsentRecord(const v1::AnalyticsConsent& consent);

}  // namespace clipforge::cli
