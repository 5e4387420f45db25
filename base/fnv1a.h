// 64-bit FNV-1a (Fowler, Noll, Vo). Fixed by its published constants, so a
// value hashes the same on every machine, build and run: for hashes that
// are stored or travel (prompt shingle signatures, the feed cursor's Bloom
// filter), where std::hash and absl::Hash (seeded per process) cannot go.
// Not for untrusted keys of a hash table (no seed), nor for anything
// cryptographic.
#pragma once

#include <cstdint>

#include "absl/strings/string_view.h"

namespace clipforge::base {

inline constexpr uint64_t kFnv1aOffsetBasis = 0xcbf29ce484222325u;
inline constexpr uint64_t kFnv1aPrime = 0x100000001b3u;

constexpr uint64_t Fnv1a64(absl::string_view bytes) {
  uint64_t hash = kFnv1aOffsetBasis;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= kFnv1aPrime;
  }
  return hash;
}

}  // namespace clipforge::base
