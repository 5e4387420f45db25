#include "services/kit/pg_errors.h"

#include <string>

#include <pqxx/except>

#include "absl/strings/str_cat.h"

namespace clipforge::kit {
namespace {

// First line of a server message: the rest may quote parameter values.
std::string FirstLine(const char* what) {
  std::string text(what);
  if (const size_t nl = text.find('\n'); nl != std::string::npos) text.resize(nl);
  return text;
}

}  // namespace

absl::Status StatusFromPqxx(const std::exception& e) {
  const std::string msg = FirstLine(e.what());
  // Order matters: more specific classes first.
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) ||
      dynamic_cast<const pqxx::statement_completion_unknown*>(&e)) {
    return absl::UnknownError(absl::StrCat("database: outcome unknown: ", msg));
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e)) {
    return absl::UnavailableError(absl::StrCat("database unavailable: ", msg));
  }
  if (dynamic_cast<const pqxx::serialization_failure*>(&e) ||
      dynamic_cast<const pqxx::deadlock_detected*>(&e)) {
    return absl::AbortedError(absl::StrCat("database: transaction conflict: ", msg));
  }
  if (dynamic_cast<const pqxx::unique_violation*>(&e)) {
    return absl::AlreadyExistsError(absl::StrCat("database: ", msg));
  }
  if (dynamic_cast<const pqxx::integrity_constraint_violation*>(&e)) {
    return absl::FailedPreconditionError(absl::StrCat("database: ", msg));
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string& state = sql->sqlstate();
    if (state == "57014") return absl::DeadlineExceededError("database: statement timeout");
    if (state == "40001" || state == "40P01") {
      return absl::AbortedError(absl::StrCat("database: transaction conflict: ", msg));
    }
    // Class 08 (connection exception) and 57P0x (admin/crash shutdown).
    if (state.rfind("08", 0) == 0 || state.rfind("57P0", 0) == 0) {
      return absl::UnavailableError(absl::StrCat("database unavailable: ", msg));
    }
  }
  return absl::InternalError(absl::StrCat("database: ", msg));
}

}  // namespace clipforge::kit
