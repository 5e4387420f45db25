// The server interceptor every call passes: it assigns the request id, caps
// the call's deadline, and on completion writes one JSON log line and the
// per-method Prometheus metrics.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_interceptor.h>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/kit/logger.h"
#include "services/kit/metrics.h"
#include "base/uuid.h"

namespace clipforge::kit {

// gRPC applies no server-side limit to a client's deadline (and none at all
// when the client sets none). DeadlineCap ends calls still running past the
// server's own limit with DEADLINE_EXCEEDED, as if the client had asked for
// that deadline.
class DeadlineCap {
 public:
  explicit DeadlineCap(const base::Clock& clock);
  ~DeadlineCap();

  // Returns a ticket for Release. The context must stay valid until then.
  uint64_t Watch(grpc::ServerContextBase* ctx, absl::Time deadline);
  // Stops watching; returns whether the cap had already ended the call.
  bool Release(uint64_t ticket);
  // Whether the cap has ended the call of a ticket not yet released.
  bool Fired(uint64_t ticket);

 private:
  void Run();

  const base::Clock& clock_;
  absl::Mutex mu_;
  std::map<std::pair<absl::Time, uint64_t>, grpc::ServerContextBase*> watched_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, absl::Time> by_ticket_ ABSL_GUARDED_BY(mu_);
  uint64_t next_ticket_ ABSL_GUARDED_BY(mu_) = 1;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// The request id the observer attached to the call: the client's
// `x-request-id` when it sent a valid one, else a fresh UUIDv7.
absl::string_view RequestIdOf(const grpc::ServerContextBase& ctx);

// The metric label of every call to a method the server does not serve. The
// raw path is the caller's choice: as a label it would make one series per
// path a client invents.
inline constexpr char kUnknownMethodLabel[] = "unknown";

struct CallObserverOptions {
  absl::Duration max_unary_deadline = absl::Seconds(30);
  // Long enough for a party session or a job watch between reconnects; a
  // client that wants more reconnects (and rebalances) rather than pinning
  // one stream's buffers for hours.
  absl::Duration max_stream_deadline = absl::Minutes(15);
};

class CallObserverFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // `known_methods` are the paths ("/pkg.Service/Method") the server serves;
  // metrics label any other path kUnknownMethodLabel.
  CallObserverFactory(CallObserverOptions options, absl::flat_hash_set<std::string> known_methods,
                      Logger& logger, RpcMetrics& metrics, base::UuidV7Generator& ids,
                      DeadlineCap& cap, const base::Clock& clock)
      : options_(options), known_methods_(std::move(known_methods)), logger_(logger),
        metrics_(metrics), ids_(ids), cap_(cap), clock_(clock) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  friend class CallObserver;
  // The method's own string when the server serves it, else
  // kUnknownMethodLabel: the metrics' label and cache key stay bounded.
  const char* MetricMethod(const char* method) const;

  CallObserverOptions options_;
  absl::flat_hash_set<std::string> known_methods_;
  Logger& logger_;
  RpcMetrics& metrics_;
  base::UuidV7Generator& ids_;
  DeadlineCap& cap_;
  const base::Clock& clock_;
};

}  // namespace clipforge::kit
