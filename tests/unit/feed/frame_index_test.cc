// The frame index: a frame within 31 bits of an indexed one is found and
// one at 32 is not, even when only one chunk is within a bit; unrelated
// random clips give no candidates; a copy with 20% of its frames replaced
// and an excerpt holding an indexed frame are found (and VideoMatches
// confirms), a shorter excerpt between indexed frames is the documented
// miss; Remove; qualities; full buckets of all-black frames; and the order
// of the answer.
#include "feed/frame_index.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <random>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "base/testing/status_matchers.h"
#include "feed/media_match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clipforge::feed {
namespace {

using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

FrameHash FrameIndexTestRandomFrame(std::mt19937_64& rng) {
  FrameHash frame;
  for (uint64_t& word : frame.words) word = rng();
  return frame;
}

std::vector<FrameHash> FrameIndexTestRandomClip(std::mt19937_64& rng, size_t frames) {
  std::vector<FrameHash> clip;
  for (size_t i = 0; i < frames; ++i) clip.push_back(FrameIndexTestRandomFrame(rng));
  return clip;
}

FrameHash FrameIndexTestFlipBit(FrameHash frame, size_t bit) {
  frame.words[bit / 64] ^= uint64_t{1} << (bit % 64);
  return frame;
}

// `frame` with `n` bits flipped at random distinct positions: exactly n
// bits from it.
FrameHash FrameIndexTestFlipped(FrameHash frame, size_t n, std::mt19937_64& rng) {
  std::vector<size_t> bits(256);
  std::iota(bits.begin(), bits.end(), size_t{0});
  std::shuffle(bits.begin(), bits.end(), rng);
  for (size_t k = 0; k < n; ++k) frame = FrameIndexTestFlipBit(frame, bits[k]);
  return frame;
}

// `frame` with 2 bits flipped in each of chunks [0, twos) and 1 bit in each
// of the next `ones`: 2 twos + ones bits from it, and within 1 bit only in
// the chunks from `twos` on.
FrameHash FrameIndexTestFlippedPerChunk(FrameHash frame, size_t twos, size_t ones) {
  for (size_t chunk = 0; chunk < twos + ones; ++chunk) {
    frame = FrameIndexTestFlipBit(frame, 16 * chunk + 5);
    if (chunk < twos) frame = FrameIndexTestFlipBit(frame, 16 * chunk + 12);
  }
  return frame;
}

// Each frame of `clip` with up to `max_bits` random bits flipped: a
// re-encode.
std::vector<FrameHash> FrameIndexTestReencoded(const std::vector<FrameHash>& clip, size_t max_bits,
                                               std::mt19937_64& rng) {
  std::vector<FrameHash> copy;
  for (const FrameHash& frame : clip) copy.push_back(FrameIndexTestFlipped(frame, rng() % (max_bits + 1), rng));
  return copy;
}

std::vector<std::pair<uint32_t, uint32_t>> FrameIndexTestPairs(const std::vector<FrameIndexHit>& hits) {
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  for (const FrameIndexHit& hit : hits) pairs.emplace_back(hit.clip, hit.matched_frames);
  return pairs;
}

TEST(IndexedFramePositionsTest, AllUpToEightElseTheMiddlesOfEightStretches) {
  EXPECT_THAT(IndexedFramePositions(0), IsEmpty());
  EXPECT_THAT(IndexedFramePositions(3), ElementsAre(0, 1, 2));
  EXPECT_THAT(IndexedFramePositions(8), ElementsAre(0, 1, 2, 3, 4, 5, 6, 7));
  EXPECT_THAT(IndexedFramePositions(16), ElementsAre(1, 3, 5, 7, 9, 11, 13, 15));
  EXPECT_THAT(IndexedFramePositions(60), ElementsAre(3, 11, 18, 26, 33, 41, 48, 56));
  // Any ceil(n / 8) consecutive frames hold an indexed one.
  for (size_t n = 1; n <= 120; ++n) {
    const std::vector<size_t> positions = IndexedFramePositions(n);
    const size_t window = (n + kIndexedFramesPerClip - 1) / kIndexedFramesPerClip;
    for (size_t start = 0; start + window <= n; ++start) {
      EXPECT_TRUE(
          std::any_of(positions.begin(), positions.end(), [&](size_t p) { return p >= start && p < start + window; }))
          << n << " frames, window at " << start;
    }
  }
}

TEST(FrameIndexTest, FindsAFrameWithin31BitsNot32) {
  std::mt19937_64 rng(1);
  FrameIndex index;
  std::vector<FrameHash> indexed;
  for (uint32_t clip = 0; clip < 100; ++clip) {
    indexed.push_back(FrameIndexTestRandomFrame(rng));
    ASSERT_THAT(index.Add(clip, {indexed.back()}), IsOk());
  }
  for (uint32_t clip = 0; clip < 100; ++clip) {
    const FrameHash at31 = FrameIndexTestFlipped(indexed[clip], 31, rng);
    const FrameHash at32 = FrameIndexTestFlipped(indexed[clip], 32, rng);
    ASSERT_EQ(HammingDistance(at31, indexed[clip]), 31);
    ASSERT_EQ(HammingDistance(at32, indexed[clip]), 32);
    EXPECT_THAT(FrameIndexTestPairs(index.Candidates({at31}, 10)), ElementsAre(Pair(clip, 1u))) << clip;
    EXPECT_THAT(index.Candidates({at32}, 10), IsEmpty()) << clip;
  }
  // The pigeonhole's edge: 31 bits with only the last chunk within 1 bit is
  // found through that chunk's one-bit neighbour; 32 bits, 2 in every chunk,
  // is probed nowhere.
  const FrameHash edge31 = FrameIndexTestFlippedPerChunk(indexed[0], 15, 1);
  const FrameHash edge32 = FrameIndexTestFlippedPerChunk(indexed[0], 16, 0);
  ASSERT_EQ(HammingDistance(edge31, indexed[0]), 31);
  ASSERT_EQ(HammingDistance(edge32, indexed[0]), 32);
  EXPECT_THAT(FrameIndexTestPairs(index.Candidates({edge31}, 10)), ElementsAre(Pair(0u, 1u)));
  EXPECT_THAT(index.Candidates({edge32}, 10), IsEmpty());
  // 32 bits in two chunks: 14 chunks are exact, so probed, then rejected by
  // the full distance.
  FrameHash crowded = indexed[0];
  for (size_t bit = 0; bit < 32; ++bit) crowded = FrameIndexTestFlipBit(crowded, bit);
  EXPECT_THAT(index.Candidates({crowded}, 10), IsEmpty());
}

TEST(FrameIndexTest, UnrelatedRandomClipsGiveNoCandidates) {
  std::mt19937_64 rng(2);
  FrameIndex index;
  for (uint32_t clip = 0; clip < 2000; ++clip) ASSERT_THAT(index.Add(clip, FrameIndexTestRandomClip(rng, 60)), IsOk());
  EXPECT_EQ(index.clip_count(), 2000u);
  EXPECT_EQ(index.entry_count(), 2000u * kIndexedFramesPerClip);
  EXPECT_EQ(index.full_buckets(), 0u);
  for (int query = 0; query < 20; ++query) {
    EXPECT_THAT(index.Candidates(FrameIndexTestRandomClip(rng, 60), 10), IsEmpty()) << query;
  }
}

TEST(FrameIndexTest, ACopyWithAFifthReplacedIsFoundAndVideoMatchesConfirms) {
  std::mt19937_64 rng(3);
  FrameIndex index;
  for (uint32_t clip = 0; clip < 500; ++clip) ASSERT_THAT(index.Add(clip, FrameIndexTestRandomClip(rng, 60)), IsOk());
  const std::vector<FrameHash> original = FrameIndexTestRandomClip(rng, 60);
  ASSERT_THAT(index.Add(1000, original), IsOk());

  // Re-encoded (up to 8 bits a frame), and every 5th frame replaced: 48 of
  // 60 frames kept, the 8 indexed ones among them.
  std::vector<FrameHash> copy = FrameIndexTestReencoded(original, 8, rng);
  for (size_t i = 0; i < copy.size(); i += 5) copy[i] = FrameIndexTestRandomFrame(rng);
  for (const size_t indexed : IndexedFramePositions(60)) ASSERT_NE(indexed % 5, 0u) << indexed;

  const std::vector<FrameIndexHit> hits = index.Candidates(copy, 5);
  // Each of the 8 indexed frames is matched by its re-encode.
  EXPECT_THAT(FrameIndexTestPairs(hits), ElementsAre(Pair(1000u, 8u)));
  EXPECT_TRUE(VideoMatches(copy, original));
  EXPECT_EQ(MatchedShare(copy, original), 0.8);
  // The count is a lower bound of VideoMatches' count.
  EXPECT_LE(hits[0].matched_frames, 48u);
}

TEST(FrameIndexTest, AnExcerptHoldingAnIndexedFrameIsFound) {
  std::mt19937_64 rng(4);
  FrameIndex index;
  const std::vector<FrameHash> clip = FrameIndexTestRandomClip(rng, 60);
  ASSERT_THAT(index.Add(1, clip), IsOk());
  const std::vector<FrameHash> reencoded = FrameIndexTestReencoded(clip, 6, rng);

  // 10 s from second 20: holds the frame at 26.
  const std::vector<FrameHash> excerpt(reencoded.begin() + 20, reencoded.begin() + 30);
  EXPECT_THAT(FrameIndexTestPairs(index.Candidates(excerpt, 5)), ElementsAre(Pair(1u, 1u)));
  EXPECT_TRUE(VideoMatches(excerpt, clip));
  EXPECT_FALSE(VideoMatches(clip, excerpt));

  // Any 8 s (ceil(60 / 8)) hold an indexed frame (two when the gap is 7).
  for (size_t start = 0; start + 8 <= reencoded.size(); ++start) {
    const std::vector<FrameHash> window(reencoded.begin() + static_cast<std::ptrdiff_t>(start),
                                        reencoded.begin() + static_cast<std::ptrdiff_t>(start + 8));
    const std::vector<FrameIndexHit> hits = index.Candidates(window, 5);
    ASSERT_EQ(hits.size(), 1u) << start;
    EXPECT_EQ(hits[0].clip, 1u) << start;
  }

  // The documented miss: 7 s between the indexed frames at 3 and 11.
  const std::vector<FrameHash> between(reencoded.begin() + 4, reencoded.begin() + 11);
  EXPECT_THAT(index.Candidates(between, 5), IsEmpty());
  EXPECT_TRUE(VideoMatches(between, clip));
}

TEST(FrameIndexTest, RemoveTakesAClipOut) {
  std::mt19937_64 rng(5);
  FrameIndex index;
  const std::vector<FrameHash> first = FrameIndexTestRandomClip(rng, 60);
  ASSERT_THAT(index.Add(1, first), IsOk());
  ASSERT_THAT(index.Add(2, FrameIndexTestReencoded(first, 8, rng)), IsOk());
  EXPECT_THAT(FrameIndexTestPairs(index.Candidates(first, 10)), ElementsAre(Pair(1u, 8u), Pair(2u, 8u)));

  EXPECT_FALSE(index.Remove(3));
  EXPECT_TRUE(index.Remove(1));
  EXPECT_FALSE(index.Remove(1));
  EXPECT_FALSE(index.contains(1));
  EXPECT_TRUE(index.contains(2));
  EXPECT_EQ(index.clip_count(), 1u);
  EXPECT_EQ(index.entry_count(), 8u);
  EXPECT_THAT(FrameIndexTestPairs(index.Candidates(first, 10)), ElementsAre(Pair(2u, 8u)));

  // The freed record is reused without the removed clip's entries.
  const std::vector<FrameHash> other = FrameIndexTestRandomClip(rng, 30);
  ASSERT_THAT(index.Add(7, other), IsOk());
  EXPECT_THAT(FrameIndexTestPairs(index.Candidates(first, 10)), ElementsAre(Pair(2u, 8u)));
  EXPECT_THAT(FrameIndexTestPairs(index.Candidates(other, 10)), ElementsAre(Pair(7u, 8u)));

  EXPECT_TRUE(index.Remove(2));
  EXPECT_TRUE(index.Remove(7));
  EXPECT_EQ(index.clip_count(), 0u);
  EXPECT_EQ(index.entry_count(), 0u);
  EXPECT_THAT(index.Candidates(first, 10), IsEmpty());
}

TEST(FrameIndexTest, AddTwiceIsRefusedAndAClipWithoutFramesIsNeverACandidate) {
  std::mt19937_64 rng(6);
  FrameIndex index;
  const std::vector<FrameHash> clip = FrameIndexTestRandomClip(rng, 20);
  ASSERT_THAT(index.Add(1, clip), IsOk());
  EXPECT_THAT(index.Add(1, FrameIndexTestRandomClip(rng, 20)), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(FrameIndexTestPairs(index.Candidates(clip, 10)), ElementsAre(Pair(1u, 8u)));

  ASSERT_THAT(index.Add(2, {}), IsOk());
  EXPECT_TRUE(index.contains(2));
  EXPECT_EQ(index.entry_count(), 8u);
  EXPECT_TRUE(index.Remove(2));

  EXPECT_THAT(index.Candidates(clip, 0), IsEmpty());
  EXPECT_THAT(FrameIndex().Candidates(clip, 10), IsEmpty());
}

TEST(FrameIndexTest, AStillImageIsOneEntryAndItsFramesAllCount) {
  std::mt19937_64 rng(7);
  FrameIndex index;
  const std::vector<FrameHash> still(60, FrameIndexTestRandomFrame(rng));
  ASSERT_THAT(index.Add(1, still), IsOk());
  EXPECT_EQ(index.entry_count(), 1u);
  EXPECT_THAT(FrameIndexTestPairs(index.Candidates(still, 10)), ElementsAre(Pair(1u, 60u)));
}

TEST(FrameIndexTest, FlatFramesAreNeitherIndexedNorQueried) {
  std::mt19937_64 rng(8);
  FrameIndex index;
  const std::vector<FrameHash> clip = FrameIndexTestRandomClip(rng, 10);
  // Frames 0, 2, 4, 6 and 8 are flat.
  const std::vector<int> qualities = {10, 90, 10, 90, 10, 90, 10, 90, 10, 90};
  ASSERT_THAT(index.Add(1, clip, qualities), IsOk());
  EXPECT_EQ(index.entry_count(), 5u);

  EXPECT_THAT(index.Candidates({clip[0]}, 10), IsEmpty());
  EXPECT_THAT(FrameIndexTestPairs(index.Candidates({clip[1]}, 10)), ElementsAre(Pair(1u, 1u)));
  // A flat query frame is not looked up.
  EXPECT_THAT(index.Candidates({clip[1]}, 10, {49}), IsEmpty());
  EXPECT_THAT(FrameIndexTestPairs(index.Candidates({clip[1]}, 10, {kMinFrameQuality})), ElementsAre(Pair(1u, 1u)));
  // With the qualities: 5 usable query frames, all matched.
  EXPECT_THAT(FrameIndexTestPairs(index.Candidates(clip, 10, qualities)), ElementsAre(Pair(1u, 5u)));
}

TEST(FrameIndexTest, FullBucketsOfBlackFramesStayCapped) {
  std::mt19937_64 rng(9);
  FrameIndex index;
  // 10,000 clips of all-black frames: one entry each, all in the same 16
  // buckets (every chunk is 0).
  const std::vector<FrameHash> black(60, FrameHash{});
  for (uint32_t clip = 0; clip < 10'000; ++clip) ASSERT_THAT(index.Add(clip, black), IsOk());
  EXPECT_EQ(index.clip_count(), 10'000u);
  EXPECT_EQ(index.entry_count(), 10'000u);
  EXPECT_EQ(index.full_buckets(), kFrameIndexChunks);
  EXPECT_EQ(index.refused_entries(), (10'000u - kDefaultFrameBucketCap) * kFrameIndexChunks);

  // The earliest ones stay; each matches all 60 query frames.
  EXPECT_THAT(FrameIndexTestPairs(index.Candidates(black, 3)),
              ElementsAre(Pair(0u, 60u), Pair(1u, 60u), Pair(2u, 60u)));
  EXPECT_EQ(index.Candidates(black, 20'000).size(), kDefaultFrameBucketCap);

  // A normal clip is unaffected.
  const std::vector<FrameHash> normal = FrameIndexTestRandomClip(rng, 60);
  ASSERT_THAT(index.Add(20'000, normal), IsOk());
  EXPECT_THAT(FrameIndexTestPairs(index.Candidates(normal, 5)), ElementsAre(Pair(20'000u, 8u)));

  // A removal frees a place for the next clip; the refused ones stay out.
  EXPECT_TRUE(index.Remove(0));
  EXPECT_EQ(index.full_buckets(), 0u);
  ASSERT_THAT(index.Add(30'000, black), IsOk());
  EXPECT_EQ(index.full_buckets(), kFrameIndexChunks);
  const std::vector<FrameIndexHit> hits = index.Candidates(black, 20'000);
  EXPECT_EQ(hits.size(), kDefaultFrameBucketCap);
  EXPECT_EQ(hits.back().clip, 30'000u);
  EXPECT_EQ(hits[hits.size() - 2].clip, kDefaultFrameBucketCap - 1);
}

TEST(FrameIndexTest, ASmallCapRefusesPerBucket) {
  FrameIndex index(/*bucket_cap=*/2);
  EXPECT_EQ(index.bucket_cap(), 2u);
  EXPECT_EQ(FrameIndex(0).bucket_cap(), 1u);
  const std::vector<FrameHash> black = {FrameHash{}};
  for (uint32_t clip = 0; clip < 3; ++clip) ASSERT_THAT(index.Add(clip, black), IsOk());
  EXPECT_THAT(FrameIndexTestPairs(index.Candidates(black, 10)), ElementsAre(Pair(0u, 1u), Pair(1u, 1u)));
  // One bit away from black: chunk 0 differs, the other 15 chunks are the
  // full buckets, so clip 3's frame is in chunk 0's bucket only, and still
  // found.
  const FrameHash near_black = FrameIndexTestFlipBit(FrameHash{}, 3);
  ASSERT_THAT(index.Add(3, {near_black}), IsOk());
  EXPECT_EQ(index.refused_entries(), 16u + 15u);
  EXPECT_THAT(FrameIndexTestPairs(index.Candidates({near_black}, 1)), ElementsAre(Pair(0u, 1u)));
  EXPECT_THAT(FrameIndexTestPairs(index.Candidates({FrameIndexTestFlipBit(near_black, 200)}, 10)),
              ElementsAre(Pair(0u, 1u), Pair(1u, 1u), Pair(3u, 1u)));
}

TEST(FrameIndexTest, TheAnswerIsOrderedAndDeterministic) {
  std::mt19937_64 rng(10);
  const std::vector<FrameHash> query = FrameIndexTestRandomClip(rng, 30);
  // Clip 5 is the query (8 indexed frames, all in it); clips 2 and 9 share
  // one frame each with it; clip 4 nothing.
  std::vector<FrameHash> sharing_first = FrameIndexTestRandomClip(rng, 8);
  sharing_first[3] = query[0];
  std::vector<FrameHash> sharing_second = FrameIndexTestRandomClip(rng, 8);
  sharing_second[6] = query[1];
  const std::vector<std::pair<uint32_t, std::vector<FrameHash>>> clips = {
      {2, sharing_first}, {4, FrameIndexTestRandomClip(rng, 60)}, {5, query}, {9, sharing_second}};

  FrameIndex forward;
  FrameIndex backward;
  for (const auto& [clip, frames] : clips) ASSERT_THAT(forward.Add(clip, frames), IsOk());
  for (auto it = clips.rbegin(); it != clips.rend(); ++it) ASSERT_THAT(backward.Add(it->first, it->second), IsOk());

  const std::vector<FrameIndexHit> hits = forward.Candidates(query, 10);
  EXPECT_THAT(FrameIndexTestPairs(hits), ElementsAre(Pair(5u, 8u), Pair(2u, 1u), Pair(9u, 1u)));
  EXPECT_EQ(backward.Candidates(query, 10), hits);
  EXPECT_EQ(forward.Candidates(query, 10), hits);
  // The query's order does not matter either.
  std::vector<FrameHash> shuffled = query;
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  EXPECT_EQ(forward.Candidates(shuffled, 10), hits);
  EXPECT_THAT(FrameIndexTestPairs(forward.Candidates(query, 2)), ElementsAre(Pair(5u, 8u), Pair(2u, 1u)));
}

}  // namespace
}  // namespace clipforge::feed
