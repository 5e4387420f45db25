// Prometheus metrics: one registry per process, exposed over HTTP. Each
// component builds its metric handles once into a struct; the hot path never
// looks a metric up by name.
#pragma once

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace clipforge::kit {

// Reads /proc/self: CPU seconds, resident and virtual memory, open fds,
// threads and start time, under the names the Prometheus clients use.
class ProcessCollector final : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

// Serves the registry at http://ADDR/metrics.
class MetricsEndpoint {
 public:
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Create(
      const std::string& bind_address, std::shared_ptr<prometheus::Registry> registry);
  // The bound port (useful when asked for port 0).
  int port() const;

 private:
  explicit MetricsEndpoint(std::unique_ptr<prometheus::Exposer> exposer)
      : exposer_(std::move(exposer)) {}
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::shared_ptr<ProcessCollector> process_ = std::make_shared<ProcessCollector>();
};

// Per-method RPC metrics: a request counter and a latency histogram, both by
// status code. The label set is bounded: methods are the server's own and
// codes are the 17 canonical ones.
class RpcMetrics {
 public:
  explicit RpcMetrics(prometheus::Registry& registry);

  // Records one finished call. `method` is gRPC's stable per-method string
  // ("/pkg.Service/Method") or kUnknownMethodLabel, never a caller's raw
  // path (the call observer sees to that); its address is the cache key.
  void Record(const char* method, int code, double seconds);

 private:
  struct Handles {
    prometheus::Counter* requests;
    prometheus::Histogram* latency;
  };
  // Series are created on first use, so only (method, code) pairs that occur
  // are exported.
  Handles HandlesFor(const char* method, int code);

  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::pair<const char*, int>, Handles> handles_ ABSL_GUARDED_BY(mu_);
};

}  // namespace clipforge::kit
