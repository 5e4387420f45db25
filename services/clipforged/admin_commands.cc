// migrate and bus redrive: one-shot operator commands.
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/clipforged/commands.h"
#include "services/clipforged/flags.h"
#include "services/kit/logger.h"
#include "services/kit/migrator.h"
#include "services/kit/outbox.h"
#include "services/kit/outbox_relay.h"
#include "base/uuid.h"
#include "base/random.h"
#include "services/kit/pg_pool.h"
#include "services/kit/pg_transaction.h"
#include "base/status_macros.h"
#include "services/clipforged/auth_setup.h"
#include "services/users/component.h"
#include "services/users/role_logic.h"
#include "users/account_rules.h"

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

int KeysGenerate(const std::vector<std::string>& args) {
  const std::vector<kit::SettingSpec> specs = {
      {"key-file", "", "where to write the new signing key (created 0600; never overwritten)"},
      {"key-id", "", "key id (1-16 letters, digits, '-' or '_'); default: k<unix time>"},
  };
  auto settings = LoadOrExplain("keys generate", specs, args);
  if (!settings.ok()) return ExitCodeFor(settings.status());
  if (settings->Get("key-file").empty()) return Fail("keys generate: --key-file is required");
  std::string key_id = settings->Get("key-id");
  if (key_id.empty()) key_id = absl::StrCat("k", absl::ToUnixSeconds(absl::Now()));
  if (absl::Status s = WriteNewSigningKey(settings->Get("key-file"), key_id); !s.ok()) {
    return Fail(absl::StrCat("keys generate: ", s.message()));
  }
  auto keys = LoadTokenKeys(settings->Get("key-file"), "");
  if (!keys.ok()) return Fail(keys.status().message());
  // The public half, for --token-verify-keys of services in other pods.
  std::printf("%s\n", kit::FormatVerifyKey(keys->signer->key_id(), keys->signer->public_key()).c_str());
  return 0;
}

int AdminMakeAdmin(const std::vector<std::string>& args) {
  const std::vector<kit::SettingSpec> specs = {
      DatabaseUrlSpec(),
      {"handle", "", "the registered user to make an admin"},
  };
  auto settings = LoadOrExplain("admin make-admin", specs, args);
  if (!settings.ok()) return ExitCodeFor(settings.status());
  if (settings->Get("database-url").empty()) return Fail("admin make-admin: --database-url is required");
  auto handle = users::NormalizeHandle(settings->Get("handle"));
  if (!handle.ok()) return Fail(absl::StrCat("admin make-admin: ", handle.status().message()));
  base::SystemClock clock;
  base::SecureRandom random;
  base::UuidV7Generator ids(clock, random);
  kit::EventFactory factory(ids, clock);
  const users::UserEvents events(factory);
  users::UsersStorage storage({.url = settings->Get("database-url"), .pool_size = 1});
  users::RoleLogic roles(storage.store(), clock, events);
  const absl::StatusOr<bool> changed = roles.MakeAdmin(*handle);
  if (!changed.ok()) return Fail(absl::StrCat("admin make-admin: ", changed.status().message()));
  std::printf("%s is %s (takes effect at their next login or token refresh)\n", handle->c_str(),
              *changed ? "an admin now" : "already an admin");
  return 0;
}

}  // namespace clipforge::clipforged
