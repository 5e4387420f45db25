// The memory trimmer gives a spike's freed heap back to the system.
#include "services/kit/memory_trimmer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace clipforge::kit {
namespace {

// The process's resident set, from /proc/self/status (kB).
int64_t ResidentBytes() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      int64_t kib = 0;
      status >> kib;
      return kib * 1024;
    }
  }
  return -1;
}

// A spike: 256 MiB in 4 KiB blocks, written to, then all freed but one in
// 512, which pins the heap's top so that glibc cannot give it back alone.
std::vector<std::unique_ptr<char[]>> SpikeAndFree() {
  constexpr size_t kBlock = 4096;
  constexpr size_t kBlocks = (size_t{256} << 20) / kBlock;
  std::vector<std::unique_ptr<char[]>> blocks(kBlocks);
  for (auto& block : blocks) {
    block = std::make_unique<char[]>(kBlock);
    block[0] = 1;
    block[kBlock - 1] = 1;
  }
  std::vector<std::unique_ptr<char[]>> kept;
  for (size_t i = 0; i < kBlocks; ++i) {
    if (i % 512 == 511) kept.push_back(std::move(blocks[i]));
  }
  return kept;  // `blocks` frees the rest here.
}

// ASan replaces malloc: glibc's arenas (and mallinfo2) are not in play.
#if defined(__SANITIZE_ADDRESS__)
#define SKIP_UNDER_ASAN() GTEST_SKIP() << "ASan's allocator is not glibc malloc"
#else
#define SKIP_UNDER_ASAN() (void)0
#endif

TEST(MemoryTrimmerTest, FreedSpikeStaysResidentUntilTrimmed) {
  SKIP_UNDER_ASAN();
  const int64_t before = ResidentBytes();
  const auto kept = SpikeAndFree();
  const int64_t after_free = ResidentBytes();
  // Without a trim, glibc keeps the freed spike (this is what the trimmer
  // is for; if a future glibc returns it by itself, this says so).
  EXPECT_GT(after_free - before, int64_t{128} << 20);
  ASSERT_GT(MemoryTrimmer::FreeHeapBytes(), int64_t{128} << 20);

  MemoryTrimmer trimmer({.interval = absl::ZeroDuration(), .threshold_bytes = int64_t{32} << 20});
  EXPECT_TRUE(trimmer.TrimIfWorthIt());
  EXPECT_LT(ResidentBytes() - before, int64_t{32} << 20);
  // malloc still counts the trimmed pages as free, so the next look trims
  // again: that has to stay cheap (printed for the docs).
  const absl::Time start = absl::Now();
  EXPECT_TRUE(trimmer.TrimIfWorthIt());
  std::printf("a trim with nothing new to return: %.3f ms\n",
              absl::ToDoubleMilliseconds(absl::Now() - start));
}

TEST(MemoryTrimmerTest, TheBackgroundThreadTrimsASpikeBySelf) {
  SKIP_UNDER_ASAN();
  const int64_t before = ResidentBytes();
  MemoryTrimmer trimmer({.interval = absl::Milliseconds(20), .threshold_bytes = int64_t{32} << 20});
  const auto kept = SpikeAndFree();
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (ResidentBytes() - before > (int64_t{32} << 20) && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_LT(ResidentBytes() - before, int64_t{32} << 20);
}

TEST(MemoryTrimmerTest, ZeroIntervalStartsNoThreadAndStopsAtOnce) {
  const absl::Time start = absl::Now();
  { MemoryTrimmer trimmer({.interval = absl::ZeroDuration()}); }
  { MemoryTrimmer trimmer({.interval = absl::Hours(1)}); }
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

}  // namespace
}  // namespace clipforge::kit
