// The fund's Merkle tree: every leaf of trees of 1 to 33 leaves proves
// against the root, a changed leaf, sibling, root or place does not,
// leaves and nodes are domain-separated, and an odd last node is carried
// up rather than duplicated.
#include "ledger/merkle.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "base/sha256.h"
#include "base/testing/status_matchers.h"

namespace clipforge::ledger {
namespace {

using base::testing::StatusIs;

std::vector<std::string> Leaves(int n) {
  std::vector<std::string> leaves;
  for (int i = 0; i < n; ++i) leaves.push_back(absl::StrCat("line ", i));
  return leaves;
}
std::vector<std::string> Hashes(const std::vector<std::string>& leaves) {
  std::vector<std::string> hashes;
  for (const std::string& leaf : leaves) hashes.push_back(MerkleLeafHash(leaf));
  return hashes;
}

TEST(MerkleTest, EveryLeafProvesAgainstTheRootAndNothingElseDoes) {
  for (int n = 1; n <= 33; ++n) {
    const std::vector<std::string> leaves = Leaves(n);
    const std::vector<std::string> hashes = Hashes(leaves);
    const std::string root = MerkleRoot(hashes);
    ASSERT_EQ(root.size(), 32u);
    for (int i = 0; i < n; ++i) {
      absl::StatusOr<MerkleProof> proof = MerkleProofFor(hashes, static_cast<size_t>(i));
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_TRUE(VerifyMerkleProof(leaves[i], *proof, root)) << n << " leaves, leaf " << i;
      EXPECT_FALSE(VerifyMerkleProof(leaves[i] + "x", *proof, root));
      EXPECT_FALSE(VerifyMerkleProof(leaves[i], *proof, MerkleRoot(Hashes(Leaves(n + 1)))));
      if (!proof->steps.empty()) {
        MerkleProof tampered = *proof;
        tampered.steps.front().sibling[0] ^= 1;
        EXPECT_FALSE(VerifyMerkleProof(leaves[i], tampered, root));
      }
    }
    EXPECT_THAT(MerkleProofFor(hashes, static_cast<size_t>(n)).status(),
                StatusIs(absl::StatusCode::kInvalidArgument));
  }
}

TEST(MerkleTest, AProofIsBoundToItsLeafsPlace) {
  const std::vector<std::string> leaves = Leaves(6);
  const std::vector<std::string> hashes = Hashes(leaves);
  const std::string root = MerkleRoot(hashes);
  const MerkleProof proof = MerkleProofFor(hashes, 2).value();
  ASSERT_TRUE(VerifyMerkleProof(leaves[2], proof, root));
  MerkleProof moved = proof;
  moved.leaf_index = 3;  // the sides no longer match the place
  EXPECT_FALSE(VerifyMerkleProof(leaves[2], moved, root));
  MerkleProof resized = proof;
  resized.leaf_count = 2;
  EXPECT_FALSE(VerifyMerkleProof(leaves[2], resized, root));
  MerkleProof outside = proof;
  outside.leaf_index = 6;
  EXPECT_FALSE(VerifyMerkleProof(leaves[2], outside, root));
  MerkleProof padded = proof;
  padded.steps.push_back(proof.steps.back());
  EXPECT_FALSE(VerifyMerkleProof(leaves[2], padded, root));
}

TEST(MerkleTest, LeavesAndNodesAreDomainSeparatedAndTheOddNodeIsCarriedUp) {
  EXPECT_EQ(MerkleLeafHash("a"), base::Sha256(std::string("\x00", 1) + "a"));
  EXPECT_EQ(MerkleRoot({}), base::Sha256(""));
  const std::vector<std::string> one = Hashes({"a"});
  EXPECT_EQ(MerkleRoot(one), one[0]);
  const std::vector<std::string> three = Hashes({"a", "b", "c"});
  const std::string ab = base::Sha256(std::string("\x01", 1) + three[0] + three[1]);
  EXPECT_EQ(MerkleRoot(three), base::Sha256(std::string("\x01", 1) + ab + three[2]));
  // Not the tree with the last leaf repeated.
  EXPECT_NE(MerkleRoot(three), MerkleRoot(Hashes({"a", "b", "c", "c"})));
  // Order matters.
  EXPECT_NE(MerkleRoot(Hashes({"a", "b"})), MerkleRoot(Hashes({"b", "a"})));
}

}  // namespace
}  // namespace clipforge::ledger
