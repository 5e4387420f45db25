#include "services/kit/pg_errors.h"

#include <string>

#include <pqxx/except>

#include "absl/strings/str_cat.h"
#include "services/kit/grpc_status.h"

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
  // The server's own words (host, role, constraint and column names) are a
  // private detail for the log; the message is ours.
  const std::string detail = FirstLine(e.what());
  auto with_detail = [&](absl::Status status) { return WithPrivateDetail(std::move(status), detail); };
  // Order matters: more specific classes first.
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) ||
      dynamic_cast<const pqxx::statement_completion_unknown*>(&e)) {
    return with_detail(absl::UnknownError("database: outcome unknown"));
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e)) {
    return with_detail(absl::UnavailableError("database unavailable"));
  }
  if (dynamic_cast<const pqxx::serialization_failure*>(&e) ||
      dynamic_cast<const pqxx::deadlock_detected*>(&e)) {
    return with_detail(absl::AbortedError("database: transaction conflict; retry"));
  }
  if (dynamic_cast<const pqxx::unique_violation*>(&e)) {
    return with_detail(absl::AlreadyExistsError("database: conflicts with an existing row"));
  }
  if (dynamic_cast<const pqxx::integrity_constraint_violation*>(&e)) {
    return with_detail(absl::FailedPreconditionError("database: the change breaks a data rule"));
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string& state = sql->sqlstate();
    if (state == "57014") return with_detail(absl::DeadlineExceededError("database: statement timeout"));
    if (state == "40001" || state == "40P01") {
      return with_detail(absl::AbortedError("database: transaction conflict; retry"));
    }
    // Class 08 (connection exception) and 57P0x (admin/crash shutdown).
    if (state.rfind("08", 0) == 0 || state.rfind("57P0", 0) == 0) {
      return with_detail(absl::UnavailableError("database unavailable"));
    }
  }
  return with_detail(absl::InternalError("database error"));
}

}  // namespace clipforge::kit
