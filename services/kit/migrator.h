// Applies migrations/NNNN_description.sql in order, each in its own
// transaction together with its record in public.schema_migrations, under a
// Postgres advisory lock so that two processes never migrate at once.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace clipforge::kit {

struct Migration {
  int version = 0;
  std::string name;      // File name, e.g. "0001_bus_outbox.sql".
  std::string sql;
  std::string checksum;  // Hex SHA-256 of `sql`.
};

// Reads and orders the migration files in `dir`. INVALID_ARGUMENT for a
// file not named NNNN_description.sql or for duplicate versions.
absl::StatusOr<std::vector<Migration>> LoadMigrations(const std::string& dir);

struct MigrationReport {
  std::vector<std::string> applied;   // Newly applied, in order.
  int already_applied = 0;
};

// FAILED_PRECONDITION naming the file when an applied migration's checksum
// differs from the file's: applied migrations are never edited.
absl::StatusOr<MigrationReport> ApplyMigrations(const std::string& dsn,
                                                const std::vector<Migration>& migrations);

}  // namespace clipforge::kit
