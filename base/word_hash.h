// A fixed 64-bit hash of a short byte string that reads it 8 bytes a step.
// Like Fnv1a64 (fnv1a.h) it is the same on every machine, build and run,
// so its values may be stored or travel (the feed cursor's Bloom filter);
// unlike it, a 36-byte UUID costs 5 multiplications instead of 36, which
// matters where every candidate of a feed request is hashed. The steps:
// the length seeds the state, each little-endian 8-byte word (the last one
// zero-padded) is xored in and multiplied by an odd constant with a shift
// to fold the high bits down, and splitmix64's finalizer (Steele, Lea,
// Flood, 2014) spreads the result over all 64 bits.
// Not for untrusted keys of a hash table (no seed), nor for anything
// cryptographic.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

#include "absl/strings/string_view.h"
#include "base/splitmix.h"

namespace clipforge::base {

namespace word_hash_internal {

inline constexpr uint64_t kWordHashMultiplier = kSplitMix64Increment;  // 2^64 / golden ratio, odd

// `size` (0..8) bytes at `p` as a little-endian integer, the rest 0.
inline uint64_t LoadLittleEndian(const char* p, size_t size) {
  uint64_t word = 0;
  std::memcpy(&word, p, size);
  if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
  return word;
}

inline uint64_t MixWord(uint64_t state, uint64_t word) {
  state = (state ^ word) * kWordHashMultiplier;
  return state ^ (state >> 32);
}

}  // namespace word_hash_internal

inline uint64_t WordHash64(absl::string_view bytes) {
  using namespace word_hash_internal;
  uint64_t state = MixWord(kWordHashMultiplier, bytes.size());
  const char* p = bytes.data();
  size_t left = bytes.size();
  for (; left >= 8; left -= 8, p += 8) state = MixWord(state, LoadLittleEndian(p, 8));
  if (left > 0) state = MixWord(state, LoadLittleEndian(p, left));
  return SplitMix64Finalizer(state);
}

}  // namespace clipforge::base
