// migrate and bus redrive: one-shot operator commands.
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/clipforged/commands.h"
#include "services/clipforged/flags.h"
#include "services/kit/logger.h"
#include "services/kit/migrator.h"
#include "services/kit/outbox_relay.h"
#include "services/kit/pg_pool.h"

extern char** environ;

namespace clipforge::clipforged {

int Migrate(const std::vector<std::string>& args) {
  const std::vector<kit::SettingSpec> specs = {
      DatabaseUrlSpec(),
      {"migrations-dir", CF_DEFAULT_MIGRATIONS_DIR, "directory of NNNN_description.sql files"},
  };
  auto settings = LoadOrExplain("migrate", specs, args);
  if (!settings.ok()) return ExitCodeFor(settings.status());
  const std::string dsn = settings->Get("database-url");
  if (dsn.empty()) return Fail("migrate: --database-url is required");
  auto migrations = kit::LoadMigrations(settings->Get("migrations-dir"));
  if (!migrations.ok()) return Fail(migrations.status().message());
  auto report = kit::ApplyMigrations(dsn, *migrations);
  if (!report.ok()) return Fail(absl::StrCat("migrate: ", report.status().message()));
  for (const std::string& name : report->applied) std::printf("applied %s\n", name.c_str());
  std::printf("migrations: %zu applied, %d already applied\n", report->applied.size(),
              report->already_applied);
  return 0;
}

int BusRedrive(const std::vector<std::string>& args) {
  const std::vector<kit::SettingSpec> specs = {
      DatabaseUrlSpec(),
      {"since", "", "republish events published at or after this RFC 3339 time"},
  };
  auto settings = LoadOrExplain("bus redrive", specs, args);
  if (!settings.ok()) return ExitCodeFor(settings.status());
  absl::Time since;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, settings->Get("since"), &since, &error)) {
    return Fail("bus redrive: --since must be an RFC 3339 time such as 2026-11-25T13:00:00Z");
  }
  if (settings->Get("database-url").empty()) return Fail("bus redrive: --database-url is required");
  kit::PgPool pool({.dsn = settings->Get("database-url"), .size = 1, .role = "cf_bus",
                    .statements = kit::OutboxRelay::Statements({})});
  auto count = kit::RedriveOutbox(pool, since);
  if (!count.ok()) return Fail(absl::StrCat("bus redrive: ", count.status().message()));
  std::printf("bus redrive: %lld events marked for republishing\n", static_cast<long long>(*count));
  return 0;
}

}  // namespace clipforge::clipforged
