// SplitMix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number
// generators", 2014): fixed by its published constants, so its values are
// the same on every machine, build and run. The finalizer alone mixes a
// 64-bit value so that every input bit reaches every output bit; the
// generator advances a state by the golden-ratio increment and finalizes
// it. Not for anything cryptographic.
#pragma once

#include <cstdint>

namespace clipforge::base {

inline constexpr uint64_t kSplitMix64Increment = 0x9e3779b97f4a7c15u;  // 2^64 / golden ratio, odd

constexpr uint64_t SplitMix64Finalizer(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

// The next output of the generator whose state is `state` (advanced).
constexpr uint64_t SplitMix64Next(uint64_t& state) { return SplitMix64Finalizer(state += kSplitMix64Increment); }

}  // namespace clipforge::base
