// Hosts any set of gRPC services on one port with what every ClipForge port
// carries: the call observer (logs, metrics, request ids, deadline cap),
// grpc.health.v1 per service, server reflection (switchable), a receive
// size limit, optional TLS and graceful shutdown.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/kit/call_observer.h"

namespace clipforge::kit {

struct GrpcServerOptions {
  std::string address = "127.0.0.1:50051";  // host:port; port 0 picks a free one.
  int max_receive_message_bytes = 4 << 20;
  bool reflection = true;
  CallObserverOptions observer;
  // The port's credentials: TLS ones (grpc::SslServerCredentials) to serve
  // TLS; null for plaintext (loopback, or behind a TLS-terminating proxy).
  std::shared_ptr<grpc::ServerCredentials> credentials;
};

// A service to host and the name health checks know it by (the proto's full
// service name, e.g. "clipforge.v1.UsersService").
struct HostedService {
  std::string name;
  grpc::Service* service;  // Not owned; must outlive the server.
};

class GrpcServer {
 public:
  // Builds and starts the server; each service reports SERVING under its
  // name (and "" for the whole server) until Shutdown.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(
      const GrpcServerOptions& options, const std::vector<HostedService>& services,
      Logger& logger, RpcMetrics& metrics, base::UuidV7Generator& ids, const base::Clock& clock);

  ~GrpcServer();

  int port() const { return port_; }

  // Reports NOT_SERVING, stops accepting calls, lets in-flight calls finish
  // until `grace` has passed, then cancels the rest.
  void Shutdown(absl::Duration grace);

 private:
  GrpcServer() = default;

  std::unique_ptr<DeadlineCap> cap_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace clipforge::kit
