// Operator commands of the generation service, run on the server machine
// against its database: issue and revoke the credentials that workers on
// other hosts present, and set a user's subscription tier (until the
// tipping service sells subscriptions).
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "base/random.h"
#include "base/uuid.h"
#include "base/validation.h"
#include "services/clipforged/commands.h"
#include "services/clipforged/flags.h"
#include "services/generation/store.h"
#include "services/generation/worker_credentials.h"
#include "services/kit/pg_pool.h"

namespace clipforge::clipforged {
namespace {

struct GenerationDatabase {
  explicit GenerationDatabase(const std::string& dsn)
      : pool({.dsn = dsn,
              .size = 1,
              .role = "cf_generation",
              .statements = generation_service::PgGenerationStore::Statements()}),
        store(pool) {}
  kit::PgPool pool;
  generation_service::PgGenerationStore store;
};

}  // namespace

int AdminWorkerCredential(const std::vector<std::string>& args) {
  if (args.empty() || (args[0] != "create" && args[0] != "revoke")) {
    return Fail("admin worker-credential: say create or revoke (--name=NAME)");
  }
  const std::string action = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  const std::vector<kit::SettingSpec> specs = {
      DatabaseUrlSpec(),
      {"name", "", "the credential's name, 1-64 characters (e.g. the worker host)"},
  };
  const std::string command = absl::StrCat("admin worker-credential ", action);
  auto settings = LoadOrExplain(command, specs, rest);
  if (!settings.ok()) return ExitCodeFor(settings.status());
  if (settings->Get("database-url").empty()) return Fail(absl::StrCat(command, ": --database-url is required"));
  base::SystemClock clock;
  GenerationDatabase database(settings->Get("database-url"));
  if (action == "revoke") {
    const absl::Status revoked = generation_service::RevokeWorkerCredential(database.store, clock,
                                                                            settings->Get("name"));
    if (!revoked.ok()) return Fail(absl::StrCat(command, ": ", revoked.message()));
    std::printf("revoked %s (workers using it are refused within 30 s)\n", settings->Get("name").c_str());
    return 0;
  }
  base::SecureRandom random;
  base::UuidV7Generator ids(clock, random);
  auto issued = generation_service::IssueWorkerCredential(database.store, ids, random, clock, settings->Get("name"));
  if (!issued.ok()) return Fail(absl::StrCat(command, ": ", issued.status().message()));
  // Printed once, on stdout only: store it in the worker's secret.
  std::printf("%s\n", issued->credential.c_str());
  return 0;
}

int AdminSetTier(const std::vector<std::string>& args) {
  const std::vector<kit::SettingSpec> specs = {
      DatabaseUrlSpec(),
      {"user-id", "", "the user's id (UUID)"},
      {"tier", "", "free, plus or pro"},
  };
  auto settings = LoadOrExplain("admin set-tier", specs, args);
  if (!settings.ok()) return ExitCodeFor(settings.status());
  if (settings->Get("database-url").empty()) return Fail("admin set-tier: --database-url is required");
  const std::string name = settings->Get("tier");
  const v1::Tier tier = name == "free" ? v1::TIER_FREE
                        : name == "plus" ? v1::TIER_PLUS
                        : name == "pro"  ? v1::TIER_PRO
                                         : v1::TIER_UNSPECIFIED;
  if (tier == v1::TIER_UNSPECIFIED) return Fail("admin set-tier: --tier must be free, plus or pro");
  const std::string user_id = settings->Get("user-id");
  if (!base::IsCanonicalUuid(user_id)) return Fail("admin set-tier: --user-id must be a user id (UUID)");
  GenerationDatabase database(settings->Get("database-url"));
  const absl::Status set = database.store.Transact(generation_service::TxMode::kReadWrite,
                                                   [&](generation_service::GenerationTx& tx) {
                                                     tx.SetUserTier(user_id, tier);
                                                     return absl::OkStatus();
                                                   });
  if (!set.ok()) return Fail(absl::StrCat("admin set-tier: ", set.message()));
  std::printf("%s is on the %s tier (for jobs created from now on)\n", user_id.c_str(), name.c_str());
  return 0;
}

}  // namespace clipforge::clipforged
