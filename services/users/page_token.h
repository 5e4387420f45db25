// Opaque page tokens for the users lists: a keyset position bound to the
// list and subject it was issued for, so a token cannot be replayed against
// another list.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "services/users/store.h"

namespace clipforge::users {

std::string EncodePageToken(ListKind kind, const std::string& subject, const ListCursor& cursor);

// nullopt for an empty token; INVALID_ARGUMENT "page_token: ..." when it is
// malformed or was issued for another list.
absl::StatusOr<std::optional<ListCursor>> DecodePageToken(const std::string& token, ListKind kind,
                                                          const std::string& subject);

}  // namespace clipforge::users
