// Readiness: whether this process should be sent calls. A service whose
// database (or bus) has been unreachable for a while answers every call
// UNAVAILABLE; its health status turns NOT_SERVING so that load balancers
// and Kubernetes route around the pod until the dependency is back. Short
// blips (a failover, a restart) do not flip it: only an outage longer than
// the threshold does. Liveness ("" in grpc.health.v1) is not touched, so an
// outage never makes Kubernetes restart healthy processes.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/kit/logger.h"
#include "services/kit/periodic.h"

namespace clipforge::kit {

// The pure bookkeeping: when each dependency was last reachable.
class ReadinessTracker {
 public:
  explicit ReadinessTracker(absl::Duration threshold) : threshold_(threshold) {}

  void Observe(const std::string& dependency, bool reachable, absl::Time now);
  // False once any dependency has failed every check for `threshold`.
  bool Ready(absl::Time now) const;
  // The dependencies down for longer than the threshold, comma-separated.
  std::string Down(absl::Time now) const;

 private:
  const absl::Duration threshold_;
  // Since when each dependency has been failing (absent: it is fine).
  absl::flat_hash_map<std::string, absl::Time> failing_since_;
};

struct ReadinessDependency {
  std::string name;  // "postgres", "nats": logged.
  // OK when reachable; must return within about a second.
  std::function<absl::Status()> check;
};

struct ReadinessOptions {
  absl::Duration period = absl::Seconds(1);
  absl::Duration threshold = absl::Seconds(5);
};

// Checks every dependency each period on its own thread and calls
// `on_change(ready)` when readiness flips (logging why).
class ReadinessMonitor {
 public:
  ReadinessMonitor(ReadinessOptions options, std::vector<ReadinessDependency> dependencies,
                   std::function<void(bool ready)> on_change, Logger& logger);

 private:
  void CheckOnce();

  const ReadinessOptions options_;
  const std::vector<ReadinessDependency> dependencies_;
  const std::function<void(bool)> on_change_;
  Logger& logger_;
  ReadinessTracker tracker_;  // Only the thread touches these two.
  bool ready_ = true;
  Periodic thread_;  // Last: stopped before the rest goes.
};

// `dsn` with libpq's connect_timeout set, so that a check of an
// unreachable host (packets dropped) fails in `seconds`, not minutes.
std::string WithConnectTimeout(const std::string& dsn, int seconds);

}  // namespace clipforge::kit
