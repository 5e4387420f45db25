// A Merkle tree over a creator fund run's lines, so that a creator can
// check their statement against the run's published, signed root without
// seeing anyone else's line.
//
// Shape (RFC 6962's domain separation): a leaf hashes as SHA-256(0x00 ||
// leaf), an inner node as SHA-256(0x01 || left || right), so no leaf can
// pose as a node. A level with an odd number of nodes carries its last one
// up unchanged (no duplication: a tree of n leaves and one of n + 1 with
// the last leaf repeated have different roots). The empty tree's root is
// SHA-256 of nothing.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clipforge::ledger {

// One step from a leaf toward the root: the sibling's hash and its side.
struct MerkleStep {
  std::string sibling;  // 32 raw bytes
  bool sibling_is_left = false;
};

// The path from one leaf to the root.
struct MerkleProof {
  size_t leaf_index = 0;
  size_t leaf_count = 0;
  std::vector<MerkleStep> steps;
};

// SHA-256(0x00 || leaf): 32 raw bytes.
std::string MerkleLeafHash(absl::string_view leaf);

// The root over the leaves' hashes (MerkleLeafHash), in their order.
std::string MerkleRoot(std::vector<std::string> leaf_hashes);

// The proof for the leaf at `index`; INVALID_ARGUMENT past the end.
absl::StatusOr<MerkleProof> MerkleProofFor(const std::vector<std::string>& leaf_hashes, size_t index);

// Whether `leaf` with `proof` hashes up to `root`, the proof's steps
// being those of its leaf_index in a tree of leaf_count leaves.
bool VerifyMerkleProof(absl::string_view leaf, const MerkleProof& proof, absl::string_view root);

}  // namespace clipforge::ledger
