#include "feed/minhash.h"

#include "base/splitmix.h"
#include "feed/prompt_shingles.h"

namespace clipforge::feed {
namespace {

// s_i: the splitmix64 stream from kMinHashSeedState (the state advances by
// the golden-ratio increment before each output).
constexpr std::array<uint64_t, kMinHashPermutations> MinHashSeeds() {
  std::array<uint64_t, kMinHashPermutations> seeds{};
  uint64_t state = kMinHashSeedState;
  for (uint64_t& seed : seeds) seed = base::SplitMix64Next(state);
  return seeds;
}

constexpr std::array<uint64_t, kMinHashPermutations> kMinHashSeeds = MinHashSeeds();

}  // namespace

MinHashSignature ComputeMinHash(const std::vector<uint64_t>& shingles) {
  MinHashSignature signature;
  signature.fill(kEmptyMinHashSlot);
  for (const uint64_t shingle : shingles) {
    for (size_t i = 0; i < kMinHashPermutations; ++i) {
      const uint64_t h = base::SplitMix64Finalizer(shingle ^ kMinHashSeeds[i]);
      if (h < signature[i]) signature[i] = h;
    }
  }
  return signature;
}

MinHashSignature PromptSignature(absl::string_view prompt) {
  return ComputeMinHash(PromptShingles(NormalizePrompt(prompt)));
}

double EstimateJaccard(const MinHashSignature& a, const MinHashSignature& b) {
  size_t agreeing = 0;
  for (size_t i = 0; i < kMinHashPermutations; ++i) {
    if (a[i] == b[i] && a[i] != kEmptyMinHashSlot) ++agreeing;
  }
  return static_cast<double>(agreeing) / static_cast<double>(kMinHashPermutations);
}

}  // namespace clipforge::feed
