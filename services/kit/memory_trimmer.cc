#include "services/kit/memory_trimmer.h"

#include <malloc.h>

namespace clipforge::kit {

MemoryTrimmer::MemoryTrimmer(MemoryTrimmerOptions options) : options_(options) {
  if (options_.interval > absl::ZeroDuration()) thread_ = std::thread([this] { Run(); });
}

MemoryTrimmer::~MemoryTrimmer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

int64_t MemoryTrimmer::FreeHeapBytes() {
  // fordblks: free bytes in the arenas (not counting mmapped chunks, which
  // go back on free already).
  return static_cast<int64_t>(mallinfo2().fordblks);
}

bool MemoryTrimmer::TrimIfWorthIt() const {
  if (FreeHeapBytes() < options_.threshold_bytes) return false;
  malloc_trim(0);  // Every arena, pages in the middle too (madvise).
  return true;
}

void MemoryTrimmer::Run() {
  absl::MutexLock lock(&mu_);
  while (!mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.interval)) {
    mu_.Unlock();
    TrimIfWorthIt();
    mu_.Lock();
  }
}

}  // namespace clipforge::kit
