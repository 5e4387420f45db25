#include "users/account.h"

namespace clipforge::users {

void ApplyProfileChange(const ProfileChange& change, Account& account) {
  if (change.display_name) account.display_name = *change.display_name;
  if (change.bio) account.bio = *change.bio;
  if (change.languages) account.languages = *change.languages;
  if (change.avatar_blob_id) account.avatar_blob_id = *change.avatar_blob_id;
}

}  // namespace clipforge::users
