// Hosts any set of gRPC services on one port with what every ClipForge port
// carries: the call observer (logs, metrics, request ids, deadline cap),
// grpc.health.v1 per service, server reflection (switchable), a receive
// size limit, HTTP/2 transport limits, optional TLS and graceful shutdown.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/kit/call_observer.h"

namespace clipforge::kit {

// What one client connection may hold and for how long, and what the whole
// transport may take. gRPC 1.51's defaults advertise no stream limit, never
// reap idle connections and never age old ones, so one client can pin
// memory and file descriptors without end.
struct TransportLimits {
  // Advertised as SETTINGS_MAX_CONCURRENT_STREAMS.
  int max_concurrent_streams = 100;
  // A connection with no call open this long is closed (GOAWAY).
  absl::Duration max_connection_idle = absl::Minutes(5);
  // Every connection is told to go away after this long, then given the
  // grace for its open calls; clients reconnect (and rebalance).
  absl::Duration max_connection_age = absl::Minutes(30);
  absl::Duration max_connection_age_grace = absl::Minutes(1);
  // Keepalive enforcement: a client pinging more often than this without
  // data gets strikes, then a GOAWAY (ENHANCE_YOUR_CALM).
  absl::Duration min_client_ping_interval = absl::Minutes(1);
  int max_ping_strikes = 2;
  // The transport's memory (buffers, streams) and its sync-server threads.
  int64_t memory_quota_bytes = int64_t{1} << 30;
  int max_threads = 256;
};

struct GrpcServerOptions {
  std::string address = "127.0.0.1:50051";  // host:port; port 0 picks a free one.
  int max_receive_message_bytes = 4 << 20;
  // Server reflection hands anyone a map of every method: off unless asked
  // for (scripts/run turns it on for local tools like grpcurl).
  bool reflection = false;
  CallObserverOptions observer;
  TransportLimits transport;
  // The port's credentials: TLS ones (grpc::SslServerCredentials) to serve
  // TLS; null for plaintext (loopback, or behind a TLS-terminating proxy).
  std::shared_ptr<grpc::ServerCredentials> credentials;
};

// A service to host and the name health checks know it by (the proto's full
// service name, e.g. "clipforge.v1.UsersService").
struct HostedService {
  std::string name;
  grpc::Service* service;  // Not owned; must outlive the server.
  // False for a placeholder whose every method answers UNIMPLEMENTED: it is
  // served (callers get a clear UNIMPLEMENTED) but health does not list it,
  // so a probe of it answers NOT_FOUND instead of a false SERVING.
  bool built = true;
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

  // Readiness: every built service reports SERVING (true) or NOT_SERVING.
  // The whole server's status ("", liveness) stays SERVING until Shutdown.
  void SetServing(bool serving);

  // Reports NOT_SERVING, stops accepting calls, lets in-flight calls finish
  // until `grace` has passed, then cancels the rest.
  void Shutdown(absl::Duration grace);

 private:
  GrpcServer() = default;

  std::unique_ptr<DeadlineCap> cap_;
  std::unique_ptr<grpc::Server> server_;
  // Only for a server hosting nothing (see Start).
  std::unique_ptr<grpc::ServerCompletionQueue> idle_queue_;
  std::vector<std::string> built_;  // Names health lists.
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace clipforge::kit
