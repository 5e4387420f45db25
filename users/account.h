// A user's account as the users service keeps it, and the rules that read
// only the account itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "base/role.h"

namespace clipforge::users {

struct Account {
  std::string user_id;
  std::string handle;
  std::string email;
  std::string password_hash;
  std::string display_name;
  std::string bio;
  std::string avatar_blob_id;  // Lowercase hex SHA-256 of the avatar, or empty.
  std::vector<std::string> languages;
  base::RoleSet roles{base::Role::kUser};  // Every account holds kUser.
  bool analytics_opt_in = false;
  std::optional<absl::Time> consent_time;
  std::string consent_policy_version;
  // A teen's account (users/age.h): when it becomes an adult's, the 18th
  // birthday at 00:00 UTC. Unset for adults and for sign-ups that gave no
  // birth date. The birth date itself is never kept.
  std::optional<absl::Time> adult_at;
  int64_t follower_count = 0;
  int64_t following_count = 0;
  absl::Time created_at;
  absl::Time updated_at;
  absl::Time roles_updated_at;
};

// The analytics consent of an account: opted out until the user opts in.
struct Consent {
  bool opted_in = false;
  std::optional<absl::Time> update_time;
  std::string policy_version;
};

inline Consent ConsentOf(const Account& account) {
  return {account.analytics_opt_in, account.consent_time, account.consent_policy_version};
}

// Which profile fields an update replaces (the request's update mask).
struct ProfileChange {
  std::optional<std::string> display_name;  // Normalized.
  std::optional<std::string> bio;
  std::optional<std::vector<std::string>> languages;
  std::optional<std::string> avatar_blob_id;  // Empty: remove the avatar.
};

// Applies `change` to `account`'s profile fields.
void ApplyProfileChange(const ProfileChange& change, Account& account);

}  // namespace clipforge::users
