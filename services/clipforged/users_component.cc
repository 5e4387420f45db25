#include "services/clipforged/users_component.h"

namespace clipforge::clipforged {
namespace {

kit::PgPoolOptions MainPoolOptions(const UsersComponentOptions& options) {
  return {.dsn = options.database_url,
          .size = options.pool_size,
          .role = "cf_users",
          .statement_timeout = options.statement_timeout,
          .statements = users::UsersServiceImpl::Statements()};
}

}  // namespace

UsersComponent::UsersComponent(const UsersComponentOptions& options, SharedDeps deps,
                               const kit::AccessTokenSigner& signer, users::PasswordHasher hasher)
    : pool_(MainPoolOptions(options)),
      session_pool_(users::UsersServiceImpl::SessionPoolOptions(MainPoolOptions(options))),
      hasher_(std::move(hasher)),
      service_(users::UsersServiceDeps{.pool = pool_,
                                       .session_pool = session_pool_,
                                       .runner = deps.runner,
                                       .auth = deps.auth,
                                       .signer = signer,
                                       .hasher = hasher_,
                                       .compute = deps.compute,
                                       .throttle = throttle_,
                                       .executor = deps.executor,
                                       .events = deps.events,
                                       .ids = deps.ids,
                                       .random = deps.random,
                                       .clock = deps.clock},
               users::UsersServiceOptions{}) {}

}  // namespace clipforge::clipforged
