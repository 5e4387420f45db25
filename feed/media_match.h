// Media near-duplicates: is one clip's video made of another's frames?
//
// A video is summarized by the PDQ hashes of its frames sampled at 1 fps
// (moderation/pdq.h computes them; the feed takes them as plain 256-bit
// values so that it links nothing but base/). Two frames match when their
// hashes are within 31 bits, PDQ's published match threshold. A video
// `a` matches `b` when at least 80% of a's frames have a matching frame
// somewhere in b: order and timing are ignored, so a copy that is trimmed,
// re-cut, slowed down or looped still matches, and the 20% slack absorbs
// an added intro, outro or watermark card.
//
// The direction matters: the share is of a's frames. A 10-second excerpt
// of a 60-second clip matches the clip (all its frames are in it), while
// the clip does not match the excerpt (1/6 of its frames are). The feed
// asks it with a = the clip being scored, b = an earlier clip.
//
// Cost: |a| x |b| distances of 4 popcounts; at 1 fps two one-minute clips
// take 3,600. Finding which earlier clips to compare (a frame-hash index)
// is the caller's.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <vector>

namespace clipforge::feed {

// A 256-bit frame hash. Same layout as moderation::PdqHash (bit k is bit
// k % 64 of words[k / 64]), so an adapter copies the words across.
struct FrameHash {
  std::array<uint64_t, 4> words{};

  friend bool operator==(const FrameHash&, const FrameHash&) = default;
};

// PDQ's threshold for "the same picture" (Meta's hashing.pdf): at most 31
// of 256 bits differ.
inline constexpr int kFrameMatchDistance = 31;
// The share of a video's frames that must match for the video to match.
inline constexpr double kVideoMatchShare = 0.8;

// The number of differing bits, 0..256.
inline int HammingDistance(const FrameHash& a, const FrameHash& b) {
  return std::popcount(a.words[0] ^ b.words[0]) + std::popcount(a.words[1] ^ b.words[1]) +
         std::popcount(a.words[2] ^ b.words[2]) + std::popcount(a.words[3] ^ b.words[3]);
}

// The share of `a`'s frames, in [0, 1], that have a frame of `b` within
// `max_distance` bits. 0 when either is empty.
double MatchedShare(const std::vector<FrameHash>& a, const std::vector<FrameHash>& b,
                    int max_distance = kFrameMatchDistance);

// Whether `a` matches `b`: a has frames and MatchedShare(a, b,
// max_distance) >= min_share.
bool VideoMatches(const std::vector<FrameHash>& a, const std::vector<FrameHash>& b,
                  int max_distance = kFrameMatchDistance, double min_share = kVideoMatchShare);

}  // namespace clipforge::feed
