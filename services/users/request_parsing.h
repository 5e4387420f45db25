// Validation and conversion of the users API's requests into the logic's
// values: every bad field named in one INVALID_ARGUMENT.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "clipforge/v1/users.pb.h"
#include "services/users/profile_logic.h"
#include "services/users/session_logic.h"
#include "users/account.h"

namespace clipforge::users {

absl::StatusOr<Registration> ParseRegistration(const v1::RegisterRequest& request);
absl::StatusOr<LoginAttempt> ParseLogin(const v1::LoginRequest& request);
// Every mask path updatable, its new value valid, no path twice.
absl::StatusOr<ProfileChange> ParseProfileChange(const v1::UpdateMyProfileRequest& request);
absl::StatusOr<UserLookup> ParseUserLookup(const v1::GetPublicProfileRequest& request);

// INVALID_ARGUMENT "request_id: ..." unless a canonical UUID.
absl::Status CheckRequestId(const std::string& request_id);

}  // namespace clipforge::users
