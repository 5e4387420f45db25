// KitTestService: a minimal service built the way every ClipForge service is
// (CallRunner, validation, auth gate), plus a harness that hosts it on the
// kit's GrpcServer on a free port. Used by kit tests and the RPC benchmark.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "clipforge/testing/kit_test.grpc.pb.h"
#include "base/random.h"
#include "services/kit/blob_store.h"
#include "services/kit/call_runner.h"
#include "services/kit/chunk_writer.h"
#include "services/kit/grpc_server.h"

namespace clipforge::testing {

class StaticTokenVerifier final : public kit::TokenVerifier {
 public:
  void Add(std::string token, kit::Caller caller) { tokens_[std::move(token)] = std::move(caller); }
  absl::StatusOr<kit::Caller> Verify(absl::string_view token) const override;

 private:
  absl::flat_hash_map<std::string, kit::Caller> tokens_;
};

class KitTestServiceImpl final : public KitTestService::CallbackService {
 public:
  explicit KitTestServiceImpl(kit::CallRunner& runner) : runner_(runner) {}

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const EchoRequest* request,
                                 EchoResponse* response) override;
  grpc::ServerUnaryReactor* EchoBlocking(grpc::CallbackServerContext* ctx, const EchoRequest* request,
                                         EchoResponse* response) override;
  grpc::ServerUnaryReactor* WhoAmI(grpc::CallbackServerContext* ctx, const WhoAmIRequest* request,
                                   WhoAmIResponse* response) override;
  grpc::ServerWriteReactor<HangResponse>* Hang(grpc::CallbackServerContext* ctx,
                                               const HangRequest* request) override;
  grpc::ServerWriteReactor<v1::DataChunk>* Pour(grpc::CallbackServerContext* ctx,
                                                const PourRequest* request) override;
  grpc::ServerWriteReactor<v1::DataChunk>* PourBlob(grpc::CallbackServerContext* ctx,
                                                    const PourBlobRequest* request) override;

  // How Pour and PourBlob stream; set before the first call.
  kit::ChunkStreamOptions pour_stream;
  // Where PourBlob opens blobs (not owned; none: FAILED_PRECONDITION); set
  // before the first call.
  const kit::BlobStore* pour_blobs = nullptr;

 private:
  kit::CallRunner& runner_;
};

// Everything a kit server needs, owned in one place, on 127.0.0.1:0.
struct KitTestServer {
  explicit KitTestServer(kit::GrpcServerOptions options = {}, FILE* log_sink = nullptr);
  ~KitTestServer();

  std::unique_ptr<KitTestService::Stub> NewStub() const;

  base::SystemClock clock;
  base::SecureRandom random;
  base::UuidV7Generator ids{clock, random};
  std::FILE* log_sink;
  kit::Logger logger;
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  kit::RpcMetrics metrics{*registry};
  std::shared_ptr<StaticTokenVerifier> verifier = std::make_shared<StaticTokenVerifier>();
  kit::AuthGate auth{verifier};
  kit::BlockingExecutor executor{4, 256};
  kit::CallRunner runner{executor, auth, logger};
  KitTestServiceImpl service{runner};
  std::unique_ptr<kit::GrpcServer> server;
};

}  // namespace clipforge::testing
