// The users service as `clipforged serve` wires it (UsersComponent) on the
// kit's GrpcServer over a real, migrated Postgres, with a fake clock (token
// expiry) and cheap password hashing, for the users integration tests and
// benchmarks.
#pragma once

#include <memory>
#include <string>

#include "base/random.h"
#include "base/testing/fake_clock.h"
#include "base/uuid.h"
#include "clipforge/v1/users.grpc.pb.h"
#include "services/kit/access_token.h"
#include "services/kit/grpc_server.h"
#include "services/kit/keyring_token_verifier.h"
#include "services/kit/logger.h"
#include "services/users/component.h"
#include "tests/support/test_servers.h"

namespace clipforge::testing {

struct UsersTestServerOptions {
  users::PasswordHashParams hash_params{.ops_limit = 1, .mem_limit = 64 * 1024};
  size_t executor_threads = 4;
  kit::ComputeSlotsOptions compute;
  users::LoginThrottleOptions throttle;
  bool durable_postgres = false;
  // Password checks wait in their own lane (kit::Lane::kCompute), as in
  // clipforged; false puts them on the main executor (a benchmark baseline).
  bool compute_lane = true;
  // --trusted-proxies: whose x-forwarded-for names the client.
  std::string trusted_proxies;
};

class UsersTestServer {
 public:
  explicit UsersTestServer(UsersTestServerOptions options = {});
  ~UsersTestServer();

  std::unique_ptr<v1::UsersService::Stub> NewStub() const;
  std::shared_ptr<grpc::Channel> channel() const;
  base::testing::FakeClock& clock() { return clock_; }
  TestPostgres& pg() { return *pg_; }
  const kit::AccessTokenSigner& signer() const { return *signer_; }
  const kit::ComputeSlots& compute() const { return *compute_; }
  int64_t Scalar(const std::string& sql);

 private:
  std::unique_ptr<TestPostgres> pg_;
  // Real time at the start: Postgres stamps some rows with now().
  base::testing::FakeClock clock_{absl::Now()};
  base::SecureRandom random_;
  base::UuidV7Generator ids_{clock_, random_};
  kit::EventFactory events_{ids_, clock_};
  kit::ClientAddresses addresses_;
  std::FILE* log_sink_;
  kit::Logger logger_;
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  kit::RpcMetrics metrics_{*registry_};
  std::optional<kit::AccessTokenSigner> signer_;
  std::shared_ptr<kit::AccessTokenKeyring> keyring_ = std::make_shared<kit::AccessTokenKeyring>();
  std::unique_ptr<kit::AuthGate> auth_;
  std::unique_ptr<kit::BlockingExecutor> executor_;
  std::unique_ptr<kit::BlockingExecutor> compute_executor_;
  std::unique_ptr<kit::CallRunner> runner_;
  std::unique_ptr<kit::ComputeSlots> compute_;
  std::unique_ptr<users::UsersComponent> users_;
  std::unique_ptr<kit::GrpcServer> server_;
};

}  // namespace clipforge::testing
