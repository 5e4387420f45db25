// Gives freed heap memory back to the system. glibc's malloc keeps what a
// spike freed (a flood of streams, a burst of large messages) in its arenas
// for ever unless it happens to sit at the top of the heap: after a
// rapid-reset flood the process stayed at 10.7 GiB. A background thread
// calls malloc_trim whenever the free heap exceeds a threshold. malloc goes
// on counting trimmed pages as free, so it trims again at the next look;
// with nothing new to return that costs about 0.4 ms (every 10 s).
#pragma once

#include <cstdint>

#include "absl/time/time.h"
#include "services/kit/periodic.h"

namespace clipforge::kit {

struct MemoryTrimmerOptions {
  // How often the free heap is looked at; zero: never (no thread).
  absl::Duration interval = absl::Seconds(10);
  // Free heap bytes (malloc's, in every arena) worth a trim.
  int64_t threshold_bytes = int64_t{32} << 20;
};

class MemoryTrimmer {
 public:
  explicit MemoryTrimmer(MemoryTrimmerOptions options)
      : options_(options), thread_(options.interval, [this] { TrimIfWorthIt(); }) {}

  // Bytes malloc holds free in its arenas now.
  static int64_t FreeHeapBytes();
  // Trims if the free heap is over the threshold; true when it trimmed.
  bool TrimIfWorthIt() const;

 private:
  const MemoryTrimmerOptions options_;
  Periodic thread_;  // Last: stopped before the options go.
};

}  // namespace clipforge::kit
