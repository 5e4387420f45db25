#include "services/kit/metrics.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace clipforge::kit {
namespace {

prometheus::MetricFamily Gauge(std::string name, std::string help, double value,
                               prometheus::MetricType type = prometheus::MetricType::Gauge) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(std::move(metric));
  return family;
}

int CountOpenFds() {
  int count = 0;
  if (DIR* dir = opendir("/proc/self/fd")) {
    while (readdir(dir) != nullptr) ++count;
    closedir(dir);
    count -= 3;  // ".", ".." and the directory's own descriptor.
  }
  return count;
}

absl::string_view CodeName(int code) {
  static constexpr absl::string_view kNames[17] = {
      "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
      "UNAUTHENTICATED"};
  return kNames[code];
}

}  // namespace

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), {});
  // Fields after the parenthesised command name, which may contain spaces.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return out;
  std::istringstream fields(stat.substr(close + 2));
  std::vector<std::string> f{std::istream_iterator<std::string>(fields), {}};
  // f[0] is field 3 (state); utime=14, stime=15, threads=20, starttime=22,
  // vsize=23, rss=24 in proc(5) numbering.
  auto field = [&](int n) { return std::stod(f.at(n - 3)); };
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  double boot_time = 0;
  std::ifstream proc_stat("/proc/stat");
  for (std::string key; proc_stat >> key;) {
    if (key == "btime") {
      proc_stat >> boot_time;
      break;
    }
  }
  out.push_back(Gauge("process_cpu_seconds_total", "User and system CPU time spent in seconds.",
                      (field(14) + field(15)) / ticks, prometheus::MetricType::Counter));
  out.push_back(Gauge("process_resident_memory_bytes", "Resident memory size in bytes.",
                      field(24) * page));
  out.push_back(Gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", field(23)));
  out.push_back(Gauge("process_threads", "Number of OS threads.", field(20)));
  out.push_back(Gauge("process_start_time_seconds",
                      "Start time of the process since the Unix epoch in seconds.",
                      boot_time + field(22) / ticks));
  out.push_back(Gauge("process_open_fds", "Number of open file descriptors.", CountOpenFds()));
  return out;
}

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Create(
    const std::string& bind_address, std::shared_ptr<prometheus::Registry> registry) {
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    exposer = std::make_unique<prometheus::Exposer>(bind_address);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("metrics: cannot listen on ", bind_address, ": ", e.what()));
  }
  auto endpoint = std::unique_ptr<MetricsEndpoint>(new MetricsEndpoint(std::move(exposer)));
  endpoint->exposer_->RegisterCollectable(registry);
  endpoint->exposer_->RegisterCollectable(endpoint->process_);
  return endpoint;
}

int MetricsEndpoint::port() const {
  const auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

RpcMetrics::RpcMetrics(prometheus::Registry& registry)
    : requests_(prometheus::BuildCounter()
                    .Name("grpc_server_handled_total")
                    .Help("RPCs completed on the server, by method and status code.")
                    .Register(registry)),
      latency_(prometheus::BuildHistogram()
                   .Name("grpc_server_handling_seconds")
                   .Help("Time from receiving an RPC's headers to sending its status.")
                   .Register(registry)) {}

RpcMetrics::Handles RpcMetrics::HandlesFor(const char* method, int code) {
  const auto key = std::make_pair(method, code);
  {
    absl::ReaderMutexLock lock(&mu_);
    if (auto it = handles_.find(key); it != handles_.end()) return it->second;
  }
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
      0.05,   0.1,     0.25,   0.5,   1,      2.5,    5,    10};
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = handles_.try_emplace(key);
  if (inserted) {
    const prometheus::Labels labels = {{"grpc_method", method},
                                       {"grpc_code", std::string(CodeName(code))}};
    it->second = Handles{&requests_.Add(labels), &latency_.Add(labels, kBuckets)};
  }
  return it->second;
}

void RpcMetrics::Record(const char* method, int code, double seconds) {
  if (code < 0 || code > 16) code = 2;  // UNKNOWN
  const Handles handles = HandlesFor(method, code);
  handles.requests->Increment();
  handles.latency->Observe(seconds);
}

}  // namespace clipforge::kit
