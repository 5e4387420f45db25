// The data export's archive: one JSON document with the account, its
// consent, sessions, and the four lists, read through one UsersTx (the
// caller runs it in a snapshot transaction).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/users/store_interface.h"

namespace clipforge::users {

absl::StatusOr<std::string> BuildExportArchive(UsersTx& tx, const std::string& user_id, absl::Time now);

}  // namespace clipforge::users
