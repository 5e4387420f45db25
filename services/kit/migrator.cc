#include "services/kit/migrator.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/kit/pg_errors.h"
#include "base/sha256.h"
#include "base/status_macros.h"

namespace clipforge::kit {
namespace {

// pg_advisory_lock key: "cf-migr" in ASCII, so it cannot collide by accident.
constexpr int64_t kMigrationLockKey = 0x63662d6d696772;

absl::StatusOr<int> VersionOf(const std::string& file_name) {
  int version = 0;
  const bool well_formed = file_name.size() > 9 && file_name[4] == '_' &&
                           file_name.substr(file_name.size() - 4) == ".sql" &&
                           std::all_of(file_name.begin(), file_name.begin() + 4, absl::ascii_isdigit) &&
                           absl::SimpleAtoi(file_name.substr(0, 4), &version) && version > 0;
  if (!well_formed) {
    return absl::InvalidArgumentError(
        absl::StrCat("migrations: ", file_name, ": expected NNNN_description.sql"));
  }
  return version;
}

}  // namespace

absl::StatusOr<std::vector<Migration>> LoadMigrations(const std::string& dir) {
  std::error_code ec;
  std::vector<Migration> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    Migration m;
    m.name = entry.path().filename().string();
    CF_ASSIGN_OR_RETURN(m.version, VersionOf(m.name));
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    m.sql = text.str();
    m.checksum = base::Sha256Hex(m.sql);
    out.push_back(std::move(m));
  }
  if (ec) return absl::NotFoundError(absl::StrCat("migrations: cannot read ", dir, ": ", ec.message()));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
  for (size_t i = 1; i < out.size(); ++i) {
    if (out[i].version == out[i - 1].version) {
      return absl::InvalidArgumentError(absl::StrCat("migrations: ", out[i - 1].name, " and ",
                                                     out[i].name, " share a version"));
    }
  }
  return out;
}

absl::StatusOr<MigrationReport> ApplyMigrations(const std::string& dsn,
                                                const std::vector<Migration>& migrations) {
  MigrationReport report;
  absl::Status status = CatchPqxx([&]() -> absl::Status {
    pqxx::connection conn(dsn);
    std::map<int, std::pair<std::string, std::string>> applied;
    {
    pqxx::nontransaction session(conn);
    // Session-level lock: held across the per-migration transactions below
    // and released when the connection closes, even if we crash.
    session.exec_params("SELECT pg_advisory_lock($1)", kMigrationLockKey);
    session.exec(
        "CREATE TABLE IF NOT EXISTS public.schema_migrations ("
        " version integer PRIMARY KEY,"
        " name text NOT NULL,"
        " checksum text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now())");
    for (const auto& row : session.exec("SELECT version, name, checksum FROM public.schema_migrations")) {
      applied[row[0].as<int>()] = {row[1].as<std::string>(), row[2].as<std::string>()};
    }
    session.commit();  // A nontransaction's commit is a no-op; the lock stays.
    }

    for (const Migration& m : migrations) {
      if (auto it = applied.find(m.version); it != applied.end()) {
        if (it->second.second != m.checksum) {
          return absl::FailedPreconditionError(absl::StrCat(
              "migrations: ", m.name, " was changed after it was applied (applied as ",
              it->second.first, "); add a new migration instead of editing an applied one"));
        }
        ++report.already_applied;
        continue;
      }
      pqxx::work txn(conn);
      txn.exec(m.sql);
      // A migration may `SET LOCAL ROLE cf_<service>` so that what it creates
      // belongs to the service; the record is written as ourselves.
      txn.exec("RESET ROLE");
      txn.exec_params("INSERT INTO public.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                      m.version, m.name, m.checksum);
      txn.commit();
      report.applied.push_back(m.name);
    }
    pqxx::nontransaction unlock(conn);
    unlock.exec_params("SELECT pg_advisory_unlock($1)", kMigrationLockKey);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return report;
}

}  // namespace clipforge::kit
