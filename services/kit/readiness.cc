#include "services/kit/readiness.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace clipforge::kit {

void ReadinessTracker::Observe(const std::string& dependency, bool reachable, absl::Time now) {
  if (reachable) {
    failing_since_.erase(dependency);
  } else {
    failing_since_.try_emplace(dependency, now);  // Keeps the first failure.
  }
}

bool ReadinessTracker::Ready(absl::Time now) const { return Down(now).empty(); }

std::string ReadinessTracker::Down(absl::Time now) const {
  std::vector<std::string> down;
  for (const auto& [dependency, since] : failing_since_) {
    if (now - since >= threshold_) down.push_back(dependency);
  }
  std::sort(down.begin(), down.end());
  return absl::StrJoin(down, ",");
}

ReadinessMonitor::ReadinessMonitor(ReadinessOptions options, std::vector<ReadinessDependency> dependencies,
                                   std::function<void(bool ready)> on_change, Logger& logger)
    : options_(options),
      dependencies_(std::move(dependencies)),
      on_change_(std::move(on_change)),
      logger_(logger),
      tracker_(options.threshold),
      thread_(options.period, [this] { CheckOnce(); }) {}

void ReadinessMonitor::CheckOnce() {
  for (const ReadinessDependency& dependency : dependencies_) {
    const absl::Status status = dependency.check();
    if (!status.ok()) {
      logger_.Log(LogLevel::kDebug, "dependency_unreachable",
                  {{"dependency", dependency.name}, {"error", status.message()}});
    }
    tracker_.Observe(dependency.name, status.ok(), absl::Now());
  }
  const absl::Time now = absl::Now();
  const bool now_ready = tracker_.Ready(now);
  if (now_ready == ready_) return;
  ready_ = now_ready;
  if (ready_) {
    logger_.Info("ready", {{"detail", "every dependency is reachable again: SERVING"}});
  } else {
    logger_.Warn("not_ready", {{"unreachable", tracker_.Down(now)},
                               {"threshold_ms", absl::ToInt64Milliseconds(options_.threshold)},
                               {"detail", "health reports NOT_SERVING until it is back"}});
  }
  on_change_(ready_);
}

std::string WithConnectTimeout(const std::string& dsn, int seconds) {
  const std::string setting = absl::StrCat("connect_timeout=", seconds);
  if (absl::StartsWith(dsn, "postgres://") || absl::StartsWith(dsn, "postgresql://")) {
    return absl::StrCat(dsn, absl::StrContains(dsn, "?") ? "&" : "?", setting);
  }
  return absl::StrCat(dsn, dsn.empty() ? "" : " ", setting);
}

}  // namespace clipforge::kit
