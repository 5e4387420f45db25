// The users service with what it owns: its pool (role cf_users), password
// hasher and login throttle.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "services/kit/access_token.h"
#include "services/kit/call_runner.h"
#include "services/kit/compute_slots.h"
#include "services/kit/grpc_server.h"
#include "services/kit/outbox.h"
#include "services/kit/pg_pool.h"
#include "services/users/service.h"
#include "users/login_throttle.h"
#include "users/password_hasher.h"

namespace clipforge::clipforged {

// Process-wide pieces every service component borrows.
struct SharedDeps {
  const kit::Clock& clock;
  kit::RandomSource& random;
  kit::UuidV7Generator& ids;
  const kit::AuthGate& auth;
  kit::CallRunner& runner;
  kit::BlockingExecutor& executor;
  kit::ComputeSlots& compute;
  const kit::EventFactory& events;
};

struct UsersComponentOptions {
  std::string database_url;
  int pool_size = 8;
  absl::Duration statement_timeout = absl::Seconds(5);
};

class UsersComponent {
 public:
  UsersComponent(const UsersComponentOptions& options, SharedDeps deps, const kit::AccessTokenSigner& signer,
                 users::PasswordHasher hasher);
  kit::HostedService hosted() { return {std::string(v1::UsersService::service_full_name()), &service_}; }

 private:
  kit::PgPool pool_;
  kit::PgPool session_pool_;
  users::PasswordHasher hasher_;
  users::LoginThrottle throttle_;
  users::UsersServiceImpl service_;
};

}  // namespace clipforge::clipforged
