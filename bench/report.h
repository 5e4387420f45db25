// Benchmark reporting: latency percentiles, and docs/benchmarks.md, where
// each benchmark owns one section between HTML comment markers and rewrites
// only that section.
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace clipforge::bench {

struct LatencySummary {
  double p50_us = 0;
  double p99_us = 0;
  double per_second = 0;
};

// `samples` are per-operation latencies; `wall` the whole run's duration.
LatencySummary Summarize(std::vector<absl::Duration> samples, absl::Duration wall);

// Replaces (or appends) the section `name` of `path` with `markdown`.
void WriteReportSection(const std::string& path, const std::string& name, const std::string& markdown);

// "2026-11-25, 2 cores (model name)": where and when a figure was measured.
std::string MachineLine();

// The 1-minute load average as /proc/loadavg writes it ("unknown" when it
// cannot be read): p99 figures on a shared 2-core machine are preemptions
// when it is above the core count.
std::string LoadAverage();

// This thread's CPU time: unlike the wall clock, it leaves out the time the
// thread waited for a core on a busy machine.
absl::Duration ThreadCpuTime();

// The median cost of reading the thread CPU clock (a system call), to take
// off every CPU-time sample.
absl::Duration ThreadCpuClockCost();

}  // namespace clipforge::bench
