// Video matching over frame hashes: Hamming distance, the 80% share at its
// edge, the distance threshold at 31 vs 32, the direction (an excerpt
// matches its source, not the other way), and empty videos.
#include "feed/media_match.h"

#include <cstddef>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace clipforge::feed {
namespace {

// A frame hash with bits [0, n) set: n bits from the all-zero hash.
FrameHash FrameWithLowBits(int n) {
  FrameHash hash;
  for (int k = 0; k < n; ++k) hash.words[static_cast<size_t>(k / 64)] |= uint64_t{1} << (k % 64);
  return hash;
}

// A frame hash with bits [256 - n, 256) set: n bits from the all-zero hash,
// 2n from FrameWithLowBits(n) when n <= 128.
FrameHash FrameWithHighBits(int n) {
  FrameHash hash;
  for (int k = 256 - n; k < 256; ++k) hash.words[static_cast<size_t>(k / 64)] |= uint64_t{1} << (k % 64);
  return hash;
}

// `matching` copies of `frame` followed by `far` frames 256 bits from the
// all-zero hash.
std::vector<FrameHash> VideoOf(const FrameHash& frame, int matching, int far) {
  std::vector<FrameHash> frames(static_cast<size_t>(matching), frame);
  frames.insert(frames.end(), static_cast<size_t>(far), FrameWithLowBits(256));
  return frames;
}

TEST(HammingDistanceTest, CountsDifferingBits) {
  EXPECT_EQ(HammingDistance(FrameHash{}, FrameHash{}), 0);
  EXPECT_EQ(HammingDistance(FrameHash{}, FrameWithLowBits(31)), 31);
  EXPECT_EQ(HammingDistance(FrameHash{}, FrameWithLowBits(256)), 256);
  EXPECT_EQ(HammingDistance(FrameWithLowBits(70), FrameWithHighBits(70)), 140);
  EXPECT_EQ(HammingDistance(FrameWithLowBits(100), FrameWithLowBits(60)), 40);
}

TEST(VideoMatchesTest, EightyPercentOfFramesMatchesBelowDoesNot) {
  const std::vector<FrameHash> original = {FrameHash{}};
  // 4 of 5 frames: exactly 80%.
  EXPECT_EQ(MatchedShare(VideoOf(FrameWithLowBits(3), 4, 1), original), 0.8);
  EXPECT_TRUE(VideoMatches(VideoOf(FrameWithLowBits(3), 4, 1), original));
  // 8 of 10, and 80 of 100: still exactly at the edge.
  EXPECT_TRUE(VideoMatches(VideoOf(FrameHash{}, 8, 2), original));
  EXPECT_TRUE(VideoMatches(VideoOf(FrameHash{}, 80, 20), original));
  // 79 of 100 and 3 of 4 fall short.
  EXPECT_FALSE(VideoMatches(VideoOf(FrameHash{}, 79, 21), original));
  EXPECT_FALSE(VideoMatches(VideoOf(FrameHash{}, 3, 1), original));
  EXPECT_EQ(MatchedShare(VideoOf(FrameHash{}, 3, 1), original), 0.75);
}

TEST(VideoMatchesTest, FramesMatchWithinDistance31Not32) {
  const std::vector<FrameHash> original = {FrameHash{}, FrameWithHighBits(200)};
  EXPECT_TRUE(VideoMatches(VideoOf(FrameWithLowBits(31), 5, 0), original));
  EXPECT_EQ(MatchedShare(VideoOf(FrameWithLowBits(31), 5, 0), original), 1.0);
  EXPECT_FALSE(VideoMatches(VideoOf(FrameWithLowBits(32), 5, 0), original));
  EXPECT_EQ(MatchedShare(VideoOf(FrameWithLowBits(32), 5, 0), original), 0.0);
  // The threshold is a parameter.
  EXPECT_TRUE(VideoMatches(VideoOf(FrameWithLowBits(32), 5, 0), original, /*max_distance=*/32));
}

TEST(VideoMatchesTest, TheShareIsOfTheFirstVideosFrames) {
  // Six distinct frames, at least 48 bits apart: 40-bit runs in different
  // words, or shifted by 24 bits within one.
  std::vector<FrameHash> clip;
  for (int i = 0; i < 6; ++i) {
    FrameHash frame;
    frame.words[static_cast<size_t>(i % 4)] = i < 4 ? uint64_t{0xFFFFFFFFFF} : uint64_t{0xFFFFFFFFFF} << 24;
    clip.push_back(frame);
  }
  for (size_t i = 0; i < clip.size(); ++i) {
    for (size_t j = i + 1; j < clip.size(); ++j) ASSERT_GT(HammingDistance(clip[i], clip[j]), 31) << i << " " << j;
  }
  const std::vector<FrameHash> excerpt = {clip[2]};
  EXPECT_TRUE(VideoMatches(excerpt, clip));
  EXPECT_FALSE(VideoMatches(clip, excerpt));
  EXPECT_DOUBLE_EQ(MatchedShare(clip, excerpt), 1.0 / 6.0);
}

TEST(VideoMatchesTest, EmptyVideosMatchNothing) {
  const std::vector<FrameHash> some = {FrameHash{}};
  EXPECT_EQ(MatchedShare({}, some), 0.0);
  EXPECT_EQ(MatchedShare(some, {}), 0.0);
  EXPECT_FALSE(VideoMatches({}, some));
  EXPECT_FALSE(VideoMatches(some, {}));
  EXPECT_FALSE(VideoMatches({}, {}, kFrameMatchDistance, 0.0));
}

}  // namespace
}  // namespace clipforge::feed
