#include "tests/support/users_test_server.h"

#include <grpcpp/create_channel.h>

#include <pqxx/pqxx>

#include "services/kit/migrator.h"

namespace clipforge::testing {

UsersTestServer::UsersTestServer(UsersTestServerOptions options)
    : pg_(TestPostgres::Start(options.durable_postgres)),
      addresses_(kit::ClientAddresses::Parse(options.trusted_proxies).value()),
      log_sink_(std::fopen("/dev/null", "w")),
      logger_(log_sink_, clock_) {
  auto migrations = kit::LoadMigrations(CF_MIGRATIONS_DIR);
  if (!migrations.ok() || !kit::ApplyMigrations(pg_->dsn(), *migrations).ok()) std::abort();
  signer_.emplace(kit::AccessTokenSigner::FromSeed("test1", kit::GenerateSigningKeySeed(random_)).value());
  if (!keyring_->AddPublicKey(signer_->key_id(), signer_->public_key()).ok()) std::abort();
  auth_ = std::make_unique<kit::AuthGate>(std::make_shared<kit::KeyringTokenVerifier>(keyring_, clock_));
  executor_ = std::make_unique<kit::BlockingExecutor>(options.executor_threads, 1024);
  compute_ = std::make_unique<kit::ComputeSlots>(options.compute);
  compute_executor_ = std::make_unique<kit::BlockingExecutor>(static_cast<size_t>(compute_->slots()) + 2, 1024);
  runner_ = std::make_unique<kit::CallRunner>(*executor_, *auth_, logger_,
                                              options.compute_lane ? compute_executor_.get() : nullptr);
  const kit::ServiceDeps deps{clock_,    random_,  ids_,    *auth_,     *runner_,
                              *executor_, *compute_, events_, addresses_, logger_};
  users_ = users::UsersComponent::Create({.url = pg_->dsn(), .pool_size = static_cast<int>(options.executor_threads)},
                                         {.hash_params = options.hash_params, .throttle = options.throttle}, deps,
                                         &*signer_)
               .value();
  auto started = kit::GrpcServer::Start({.address = "127.0.0.1:0"}, {users_->hosted()}, logger_, metrics_, ids_,
                                        clock_);
  if (!started.ok()) std::abort();
  server_ = *std::move(started);
}

UsersTestServer::~UsersTestServer() {
  server_->Shutdown(absl::Seconds(1));
  compute_executor_->Drain();
  executor_->Drain();
  std::fclose(log_sink_);
}

std::shared_ptr<grpc::Channel> UsersTestServer::channel() const {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()), grpc::InsecureChannelCredentials());
}

std::unique_ptr<v1::UsersService::Stub> UsersTestServer::NewStub() const {
  return v1::UsersService::NewStub(channel());
}

int64_t UsersTestServer::Scalar(const std::string& sql) {
  pqxx::connection conn(pg_->dsn());
  pqxx::nontransaction txn(conn);
  return txn.exec1(sql)[0].as<int64_t>();
}

}  // namespace clipforge::testing
