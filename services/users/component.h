// The users service with what it owns (its two pools, store, password
// hasher, login throttle, logic and gRPC adapter) and its flags: one wiring
// used by `clipforged serve`, the admin commands and the test server alike.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/kit/access_token.h"
#include "services/kit/grpc_server.h"
#include "services/kit/periodic.h"
#include "services/kit/pg_pool.h"
#include "services/kit/service_deps.h"
#include "services/kit/settings.h"
#include "services/users/events.h"
#include "services/users/logic.h"
#include "services/users/service.h"
#include "services/users/store.h"
#include "users/login_throttle.h"
#include "users/password_hasher.h"

namespace clipforge::users {

struct UsersConfig {
  PasswordHashParams hash_params;
  UsersLogicOptions logic;
  LoginThrottleOptions throttle;
  size_t export_chunk_bytes = 64 * 1024;
  // How often ended sessions and expired refresh tokens are purged; zero:
  // never (a test, or another instance does it).
  absl::Duration session_purge_interval = absl::Hours(1);
};

// The users schema's store over its two pools (role cf_users): a main pool,
// and a small asynchronous-commit pool for the login's session write.
class UsersStorage {
 public:
  explicit UsersStorage(const kit::ServiceDatabase& database);
  UsersStore& store() { return store_; }

 private:
  kit::PgPool pool_;
  kit::PgPool session_pool_;
  PgUsersStore store_;
};

class UsersComponent {
 public:
  // The flags only the users service reads (`clipforged serve --help`).
  static std::vector<kit::SettingSpec> Flags();
  static absl::StatusOr<UsersConfig> ConfigFrom(const kit::Settings& settings);

  // `signer` signs the access tokens the service issues; it and `deps`
  // must outlive the component. INVALID_ARGUMENT naming the flag when the
  // database URL or the signing key is missing, or the hashing parameters
  // are out of range.
  static absl::StatusOr<std::unique_ptr<UsersComponent>> Create(const kit::ServiceDatabase& database,
                                                                const UsersConfig& config, kit::ServiceDeps deps,
                                                                const kit::AccessTokenSigner* signer);

  kit::HostedService hosted() { return {std::string(v1::UsersService::service_full_name()), &service_}; }

 private:
  UsersComponent(const kit::ServiceDatabase& database, const UsersConfig& config, kit::ServiceDeps deps,
                 const kit::AccessTokenSigner& signer, PasswordHasher hasher);

  void PurgeEndedSessions(kit::Logger& logger);

  UsersStorage storage_;
  PasswordHasher hasher_;
  LoginThrottle throttle_;
  PasswordWork passwords_;
  UserEvents events_;
  SessionLogic sessions_;
  ProfileLogic profiles_;
  GraphLogic graph_;
  RoleLogic roles_;
  PrivacyLogic privacy_;
  UsersServiceImpl service_;
  // Last: its thread stops before anything it uses goes.
  kit::Periodic purge_;
};

}  // namespace clipforge::users
