#include "ledger/merkle.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/sha256.h"

namespace clipforge::ledger {
namespace {

std::string NodeHash(absl::string_view left, absl::string_view right) {
  return base::Sha256(absl::StrCat(absl::string_view("\x01", 1), left, right));
}

// The level above `level`: pairs hashed, an odd last node carried up.
std::vector<std::string> LevelAbove(const std::vector<std::string>& level) {
  std::vector<std::string> above;
  above.reserve((level.size() + 1) / 2);
  for (size_t i = 0; i + 1 < level.size(); i += 2) above.push_back(NodeHash(level[i], level[i + 1]));
  if (level.size() % 2 == 1) above.push_back(level.back());
  return above;
}

}  // namespace

std::string MerkleLeafHash(absl::string_view leaf) {
  return base::Sha256(absl::StrCat(absl::string_view("\x00", 1), leaf));
}

std::string MerkleRoot(std::vector<std::string> leaf_hashes) {
  if (leaf_hashes.empty()) return base::Sha256("");
  while (leaf_hashes.size() > 1) leaf_hashes = LevelAbove(leaf_hashes);
  return std::move(leaf_hashes.front());
}

absl::StatusOr<MerkleProof> MerkleProofFor(const std::vector<std::string>& leaf_hashes, size_t index) {
  if (index >= leaf_hashes.size()) {
    return absl::InvalidArgumentError(absl::StrCat("merkle: leaf ", index, " of ", leaf_hashes.size()));
  }
  MerkleProof proof{.leaf_index = index, .leaf_count = leaf_hashes.size()};
  std::vector<std::string> level = leaf_hashes;
  size_t position = index;
  while (level.size() > 1) {
    const size_t sibling = position ^ 1;
    // The odd last node has no sibling at this level: it is carried up.
    if (sibling < level.size()) {
      proof.steps.push_back(MerkleStep{.sibling = level[sibling], .sibling_is_left = sibling < position});
    }
    level = LevelAbove(level);
    position /= 2;
  }
  return proof;
}

bool VerifyMerkleProof(absl::string_view leaf, const MerkleProof& proof, absl::string_view root) {
  if (proof.leaf_index >= proof.leaf_count) return false;
  // The path's shape follows from the leaf's position and the tree's size:
  // a proof whose sides or length disagree with them is refused, so that
  // a line is bound to its place (no two lines claim one leaf).
  std::string hash = MerkleLeafHash(leaf);
  size_t position = proof.leaf_index;
  size_t width = proof.leaf_count;
  size_t step = 0;
  while (width > 1) {
    const size_t sibling = position ^ 1;
    if (sibling < width) {
      if (step == proof.steps.size() || proof.steps[step].sibling_is_left != (sibling < position)) return false;
      const MerkleStep& s = proof.steps[step++];
      hash = s.sibling_is_left ? NodeHash(s.sibling, hash) : NodeHash(hash, s.sibling);
    }
    position /= 2;
    width = (width + 1) / 2;
  }
  return step == proof.steps.size() && hash == root;
}

}  // namespace clipforge::ledger
