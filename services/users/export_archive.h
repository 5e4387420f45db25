// The machine-readable archive of everything the users service holds about a
// user (GDPR art. 15/20): account, consent, sessions and the social graph.
#pragma once

#include <string>

#include <pqxx/transaction>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace clipforge::users {

// A JSON document ("format": "clipforge.users.export.v1"). Secrets (the
// password hash, refresh token hashes) are not included.
absl::StatusOr<std::string> BuildExportArchive(pqxx::work& txn, const std::string& user_id, absl::Time now);

}  // namespace clipforge::users
