#include "bench/report.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace clipforge::bench {

LatencySummary Summarize(std::vector<absl::Duration> samples, absl::Duration wall) {
  LatencySummary out;
  if (samples.empty()) return out;
  std::sort(samples.begin(), samples.end());
  const auto at = [&](double q) {
    return absl::ToDoubleMicroseconds(samples[std::min(samples.size() - 1, static_cast<size_t>(q * samples.size()))]);
  };
  out.p50_us = at(0.50);
  out.p99_us = at(0.99);
  out.per_second = static_cast<double>(samples.size()) / absl::ToDoubleSeconds(wall);
  return out;
}

void WriteReportSection(const std::string& path, const std::string& name, const std::string& markdown) {
  const std::string begin = "<!-- bench:" + name + " -->";
  const std::string end = "<!-- /bench:" + name + " -->";
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (text.empty()) {
    text = "# Benchmarks\n\nWritten by `scripts/bench`; each section is replaced by the benchmark that owns it.\n";
  }
  const std::string section = begin + "\n" + markdown + end;
  const size_t from = text.find(begin);
  const size_t to = text.find(end);
  if (from != std::string::npos && to != std::string::npos && to > from) {
    text.replace(from, to + end.size() - from, section);
  } else {
    text += "\n" + section + "\n";
  }
  std::ofstream(path, std::ios::trunc) << text;
}

std::string MachineLine() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, model = "unknown CPU";
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  return absl::StrCat(absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone()), ", ",
                      sysconf(_SC_NPROCESSORS_ONLN), " cores (", model, ")");
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one.empty() ? "unknown" : one;
}

absl::Duration ThreadCpuTime() {
  timespec now;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return absl::DurationFromTimespec(now);
}

absl::Duration ThreadCpuClockCost() {
  std::vector<absl::Duration> reads;
  reads.reserve(10'000);
  for (int i = 0; i < 10'000; ++i) {
    const absl::Duration begin = ThreadCpuTime();
    reads.push_back(ThreadCpuTime() - begin);
  }
  std::sort(reads.begin(), reads.end());
  return reads[reads.size() / 2];
}

}  // namespace clipforge::bench
