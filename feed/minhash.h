// MinHash signatures (Broder, "On the resemblance and containment of
// documents", 1997): a fixed-size summary of a shingle set from which the
// Jaccard similarity of two sets is estimated without the sets themselves,
// and which the LSH index (lsh_index.h) cuts into bands.
//
// Permutation i is simulated by a seeded 64-bit mix: h_i(x) = M(x ^ s_i),
// with M the splitmix64 finalizer (Steele, Lea, Flood, "Fast splittable
// pseudorandom number generators", 2014), a bijection of 64-bit words with
// full avalanche, and s_i the i-th output of splitmix64 started from the
// fixed state kMinHashSeedState. Slot i of a signature is the least h_i
// over the set; two sets agree in a slot with probability equal to their
// Jaccard similarity, so the share of agreeing slots estimates it with a
// standard error of sqrt(J (1 - J) / 128) <= 0.045.
//
// Everything is fixed (count, seeds, mix): signatures are computed once at
// publish and compared for as long as the clips live, so changing any of
// it means recomputing every stored signature.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/strings/string_view.h"

namespace clipforge::feed {

// 128 slots: the error bound above, and 32 bands of 4 rows in the index;
// 1 KiB per clip.
inline constexpr size_t kMinHashPermutations = 128;
inline constexpr uint64_t kMinHashSeedState = 0x636c6970666f7267u;  // "clipforg" in ASCII

using MinHashSignature = std::array<uint64_t, kMinHashPermutations>;

// The value of every slot of an empty set's signature. A slot holding it
// never counts as agreeing, so empty prompts match nothing (a real minimum
// equal to it has probability ~2^-64 per shingle).
inline constexpr uint64_t kEmptyMinHashSlot = std::numeric_limits<uint64_t>::max();

// The signature of a set of shingle hashes (duplicates do not matter).
MinHashSignature ComputeMinHash(const std::vector<uint64_t>& shingles);

// NormalizePrompt, PromptShingles (default k) and ComputeMinHash in one.
MinHashSignature PromptSignature(absl::string_view prompt);

// The share of slots where `a` and `b` agree (empty slots excepted), in
// [0, 1]: the estimated Jaccard similarity of their sets.
double EstimateJaccard(const MinHashSignature& a, const MinHashSignature& b);

}  // namespace clipforge::feed
