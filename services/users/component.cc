#include "services/users/component.h"

#include <algorithm>

#include "base/status_macros.h"

namespace clipforge::users {
namespace {

kit::PgPoolOptions MainPoolOptions(const kit::ServiceDatabase& database) {
  return {.dsn = database.url,
          .size = database.pool_size,
          .role = "cf_users",
          .statement_timeout = database.statement_timeout,
          .statements = PgUsersStore::Statements()};
}

kit::PgPoolOptions SessionPoolOptions(const kit::ServiceDatabase& database) {
  kit::PgPoolOptions sessions = MainPoolOptions(database);
  // Each login holds one of these for a single short statement.
  sessions.size = std::max(2, database.pool_size / 4);
  sessions.async_commit = true;
  return sessions;
}

}  // namespace

UsersStorage::UsersStorage(const kit::ServiceDatabase& database)
    : pool_(MainPoolOptions(database)), session_pool_(SessionPoolOptions(database)), store_(pool_, session_pool_) {}

std::vector<kit::SettingSpec> UsersComponent::Flags() {
  return {
      {"password-hash-memory-kib", "19456", "Argon2id memory per password hash (OWASP minimum 19456 KiB)"},
      {"password-hash-iterations", "2", "Argon2id iterations (OWASP minimum 2 with 19 MiB)"},
      {"session-purge-interval", "1h", "how often ended sessions (after 7 days) and expired refresh tokens are "
                                       "deleted; 0: never"},
  };
}

absl::StatusOr<UsersConfig> UsersComponent::ConfigFrom(const kit::Settings& s) {
  UsersConfig config;
  CF_ASSIGN_OR_RETURN(const int64_t memory_kib, s.GetInt("password-hash-memory-kib", 19456, 4 << 20));
  config.hash_params.mem_limit = static_cast<size_t>(memory_kib) * 1024;
  CF_ASSIGN_OR_RETURN(const int64_t iterations, s.GetInt("password-hash-iterations", 2, 100));
  config.hash_params.ops_limit = static_cast<uint64_t>(iterations);
  CF_ASSIGN_OR_RETURN(config.session_purge_interval, s.GetDuration("session-purge-interval"));
  return config;
}

absl::StatusOr<std::unique_ptr<UsersComponent>> UsersComponent::Create(const kit::ServiceDatabase& database,
                                                                       const UsersConfig& config,
                                                                       kit::ServiceDeps deps,
                                                                       const kit::AccessTokenSigner* signer) {
  if (database.url.empty()) return absl::InvalidArgumentError("--database-url is required to run the users service");
  if (signer == nullptr) {
    return absl::InvalidArgumentError(
        "--token-signing-key-file is required to run the users service (create one with `clipforged keys generate`)");
  }
  CF_ASSIGN_OR_RETURN(PasswordHasher hasher, PasswordHasher::Create(config.hash_params));
  return std::unique_ptr<UsersComponent>(new UsersComponent(database, config, deps, *signer, std::move(hasher)));
}

UsersComponent::UsersComponent(const kit::ServiceDatabase& database, const UsersConfig& config,
                               kit::ServiceDeps deps, const kit::AccessTokenSigner& signer, PasswordHasher hasher)
    : storage_(database),
      hasher_(std::move(hasher)),
      throttle_(config.throttle),
      passwords_(hasher_, deps.compute),
      events_(deps.events),
      sessions_(storage_.store(), deps.clock, deps.ids, deps.random, signer, passwords_, throttle_, events_,
                config.logic),
      profiles_(storage_.store(), deps.clock, events_),
      graph_(storage_.store(), deps.clock, events_, config.logic),
      roles_(storage_.store(), deps.clock, events_),
      privacy_(storage_.store(), deps.clock, passwords_, throttle_, events_, config.logic),
      service_(UsersLogic{sessions_, profiles_, graph_, roles_, privacy_}, deps.clock, deps.runner, deps.auth,
               deps.executor, deps.addresses, {config.export_chunk_bytes, deps.stream_write_timeout}),
      purge_(config.session_purge_interval, [this, &logger = deps.logger] { PurgeEndedSessions(logger); }) {}

void UsersComponent::PurgeEndedSessions(kit::Logger& logger) {
  const absl::StatusOr<PurgedRows> purged = sessions_.PurgeEnded();
  if (!purged.ok()) {
    logger.Warn("session_purge_failed", {{"error", purged.status().message()}});
  } else if (purged->tokens > 0 || purged->sessions > 0) {
    logger.Info("sessions_purged", {{"refresh_tokens", purged->tokens}, {"sessions", purged->sessions}});
  }
}

}  // namespace clipforge::users
