// Test content whose bytes follow a pseudo-random pattern (the top byte of
// a linear congruential generator), so a read or a range off by even one
// byte compares unequal, where a run of one repeated byte would not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace clipforge::testing {

inline std::string PatternedBytes(size_t size, uint32_t seed = 12345) {
  std::string bytes(size, '\0');
  uint32_t state = seed;
  for (char& c : bytes) {
    state = state * 1103515245u + 12345u;
    c = static_cast<char>(state >> 24);
  }
  return bytes;
}

}  // namespace clipforge::testing
