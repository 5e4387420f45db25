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
#include "services/kit/uuid.h"
#include "services/kit/pg_pool.h"
#include "services/kit/pg_transaction.h"
#include "services/kit/status_macros.h"
#include "services/clipforged/auth_setup.h"
#include "services/users/convert.h"
#include "services/users/store.h"
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
  kit::SystemClock clock;
  kit::SecureRandom random;
  kit::UuidV7Generator ids(clock, random);
  kit::EventFactory events(ids, clock);
  std::vector<kit::PreparedStatement> statements = users::UsersStore::Statements();
  statements.push_back(kit::OutboxWriter::Statement());
  kit::PgPool pool({.dsn = settings->Get("database-url"), .size = 1, .role = "cf_users", .statements = statements});
  const absl::Status status = kit::RunInTransaction(pool, [&](pqxx::work& txn) -> absl::Status {
    const auto account = users::UsersStore::AccountByHandle(txn, *handle);
    if (!account) return absl::NotFoundError(absl::StrCat("no user with handle ", *handle));
    const int admin_bit = 1 << static_cast<int>(kit::Role::kAdmin);
    if (account->roles & admin_bit) return absl::OkStatus();
    const int roles = account->roles | admin_bit;
    users::UsersStore::UpdateRoles(txn, account->user_id, roles, clock.Now());
    v1::EventEnvelope event = events.New("clipforge.user.roles_changed", "user", account->user_id);
    auto* changed = event.mutable_user_roles_changed();
    changed->set_user_id(account->user_id);
    changed->set_role(v1::ROLE_ADMIN);
    changed->set_granted(true);
    for (kit::Role r : users::RolesOf(roles)) changed->add_roles(users::ToProtoRole(r));
    changed->set_reason("clipforged admin make-admin");
    return kit::OutboxWriter::Append(txn, event);
  });
  if (!status.ok()) return Fail(absl::StrCat("admin make-admin: ", status.message()));
  std::printf("%s is an admin (takes effect at their next login or token refresh)\n", handle->c_str());
  return 0;
}

}  // namespace clipforge::clipforged
