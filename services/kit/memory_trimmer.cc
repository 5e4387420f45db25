#include "services/kit/memory_trimmer.h"

#include <malloc.h>

namespace clipforge::kit {

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

}  // namespace clipforge::kit
