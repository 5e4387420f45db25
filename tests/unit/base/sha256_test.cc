// SHA-256: the FIPS 180-2 test vectors, one-shot and fed in pieces.
#include "base/sha256.h"

#include <string>

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"

namespace clipforge::base {
namespace {

constexpr char kAbc[] = "abc";
constexpr char kAbcDigest[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr char kTwoBlocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
constexpr char kTwoBlocksDigest[] = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";

TEST(Sha256Test, MatchesTheStandardVectors) {
  EXPECT_EQ(Sha256Hex(kAbc), kAbcDigest);
  EXPECT_EQ(Sha256Hex(kTwoBlocks), kTwoBlocksDigest);
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(absl::BytesToHexString(Sha256(kAbc)), kAbcDigest);
}

TEST(Sha256Test, TheHasherFedInPiecesGivesTheOneShotDigest) {
  const std::string input = kTwoBlocks;
  for (size_t split = 0; split <= input.size(); split += 7) {
    Sha256Hasher hasher;
    hasher.Update(absl::string_view(input).substr(0, split));
    hasher.Update(absl::string_view(input).substr(split));
    EXPECT_EQ(absl::BytesToHexString(hasher.Finish()), kTwoBlocksDigest) << "split at " << split;
  }
  // Pieces that end inside, at and just past a 64-byte block.
  const std::string million(1'000'000, 'a');
  for (size_t step : {1u, 55u, 63u, 64u, 65u, 1000u}) {
    Sha256Hasher hasher;
    const absl::string_view head = absl::string_view(million).substr(0, 200'000);
    for (size_t i = 0; i < head.size(); i += step) hasher.Update(head.substr(i, step));
    EXPECT_EQ(hasher.Finish(), Sha256(absl::string_view(million).substr(0, 200'000))) << "step " << step;
  }
  // A million 'a's, 1,000 bytes at a time (the standard's long vector).
  Sha256Hasher hasher;
  const std::string thousand(1000, 'a');
  for (int i = 0; i < 1000; ++i) hasher.Update(thousand);
  EXPECT_EQ(absl::BytesToHexString(hasher.Finish()),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

}  // namespace
}  // namespace clipforge::base
