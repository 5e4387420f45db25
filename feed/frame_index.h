// The video near-duplicate index: which earlier clips might a new clip's
// video copy? It narrows the earlier clips down to a few candidates, so that
// the feed runs VideoMatches (media_match.h) on those instead of on every
// clip. Multi-index hashing over frame hashes (Norouzi, Punjani, Fleet,
// "Fast search in Hamming space with multi-index hashing", CVPR 2012): the
// scheme of moderation/hash_index.h, but mutable and keyed by clip.
//
// What is indexed: up to kIndexedFramesPerClip = 8 frames a clip, evenly
// spaced over its usable frames (IndexedFramePositions: the middles of 8
// equal stretches, which also keeps off the first and last frames, where
// fades sit), an exact repeat once. The index keeps those frames' hashes,
// which it needs to check a hit. The clip's full frame list stays with the
// caller, who needs it for VideoMatches anyway and may load it from storage
// for the candidates only (60 x 32 = 1,920 bytes a one-minute clip at 1 fps,
// not duplicated here). The clip is a caller's number (a slot into its own
// table of clips, say); the index maps it to its own record.
//
// Search: a 256-bit hash is cut into 16 chunks of 16 bits (bits 16c ..
// 16c + 15), and each chunk position has a table of 65,536 buckets: the
// indexed frames holding that value there. Two hashes within 31 bits differ
// in at most 1 bit in some chunk (16 chunks of 2 or more would make 32), so
// looking up, in every table, the query's chunk and its 16 one-bit
// neighbours (17 x 16 = 272 buckets) reaches every indexed frame within
// kFrameMatchDistance. Each frame reached is checked at its full distance,
// so nothing farther is reported. A query takes all the new clip's frames
// and returns the clips with an indexed frame within 31 bits of at least
// one of them, with how many of them matched one.
//
// That count is a lower bound of the count VideoMatches(query, clip) takes
// (the indexed frames are some of the clip's), so a count of at least 80% of
// the query's frames proves the match; below that only VideoMatches on the
// full lists can tell, and it has the last word either way.
//
// Direction: a copy of clip b (the new clip is b's frames, trimmed or
// re-cut) contains b's indexed frames, so it finds b. An excerpt finds b
// only when it contains one of b's indexed frames: any ceil(n / 8)
// consecutive frames of b's n do (8 s of a 60 s clip at 1 fps: the gap
// between indexed frames, duration / kIndexedFramesPerClip); a shorter
// excerpt can fall between two indexed frames and is missed. "Contains"
// means the excerpt's frame at that moment hashes within 31 bits of b's: a
// re-encode samples its 1 fps at another phase, which fast motion can push
// past 31.
//
// Degenerate frames: near-uniform frames (black fades, title cards) hash
// alike across unrelated videos (a uniform image hashes to all zeros), so
// their buckets would grow without bound and every query near them would
// check them all. A bucket holds at most `bucket_cap` frames (default
// 4,096); a frame that finds a bucket full is left out of that bucket only,
// counted in refused_entries(), and the bucket in full_buckets(). As in
// lsh_index.h the earliest entries stay (the original before its copies),
// and a bucket that overflowed stays lossy after removals: refused frames do
// not come back. A frame left out of all 16 of its buckets cannot be found,
// so a clip whose indexed frames all land in full buckets is missed. The
// caller may also pass PDQ qualities: frames under kMinFrameQuality (50,
// where PDQ calls an image too flat for its hash to mean much) are neither
// indexed nor queried.
//
// Cost: at 1,000,000 clips x 8 frames each table holds 8M entries, 122 a
// bucket on average (PDQ sets exactly half the bits, so chunk values spread
// near uniformly; real content crowds some buckets, which only adds
// checks). A query frame reads 272 buckets, ~33,000 entries, and checks
// each at 4 popcounts: ~2M checks for a one-minute clip, a few ms of
// arithmetic. But each check reads 32 random bytes of a 256 MB table, a
// cache miss; the entries are gathered first and their hashes prefetched so
// the misses overlap, and still the query is memory-bound: expect tens of
// ms a publish at that scale (an estimate, not measured). Identical query
// frames (a still image) are looked up once.
//
// Memory per clip: 8 x 32 = 256 bytes of hashes (reserved for every clip,
// even one of fewer frames), 5 of clip number and frame count, 8 x 16 x 4 =
// 512 of bucket entries plus their vectors' growth slack (~25% on
// average), and ~16 in the clip map: ~0.9 KB, ~0.9 GB for a million clips,
// plus 24 MiB of bucket headers (16 x 65,536 vectors) from the first Add on.
// Not thread-safe; the caller serializes writes (reads alone may run
// concurrently).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/types/span.h"
#include "feed/media_match.h"

namespace clipforge::feed {

inline constexpr size_t kIndexedFramesPerClip = 8;
inline constexpr size_t kFrameIndexChunks = 16;
inline constexpr size_t kFrameIndexChunkBits = 16;
static_assert(kFrameIndexChunks * kFrameIndexChunkBits == 256, "the chunks cover the hash exactly");
static_assert(2 * static_cast<int>(kFrameIndexChunks) > kFrameMatchDistance,
              "pigeonhole: a match differs in at most 1 bit in some chunk");

inline constexpr size_t kDefaultFrameBucketCap = 4096;
// PDQ's quality below which a frame is too flat to index or query.
inline constexpr int kMinFrameQuality = 50;
// Records are numbered so that (record, position) fits 32 bits.
inline constexpr uint32_t kMaxFrameIndexClips = uint32_t{1} << 29;
static_assert(uint64_t{kMaxFrameIndexClips} * kIndexedFramesPerClip <= uint64_t{1} << 32,
              "an entry's (record, position) fits 32 bits");

// An indexed clip with an indexed frame within kFrameMatchDistance of at
// least one query frame: a candidate for VideoMatches, unconfirmed.
struct FrameIndexHit {
  uint32_t clip = 0;
  // How many query frames matched one of the clip's indexed frames: a
  // lower bound of what VideoMatches counts.
  uint32_t matched_frames = 0;

  friend bool operator==(const FrameIndexHit&, const FrameIndexHit&) = default;
};

// The positions, ascending, of the frames a clip of `frame_count` usable
// frames has indexed: all of them up to kIndexedFramesPerClip, else the
// middles of 8 equal stretches, floor((2i + 1) n / 16) for i = 0..7 (3, 11,
// 18, 26, 33, 41, 48, 56 of 60). Two in a row are at most ceil(n / 8) apart.
std::vector<size_t> IndexedFramePositions(size_t frame_count);

class FrameIndex {
 public:
  // `bucket_cap`: the most frames one bucket keeps (0 counts as 1).
  explicit FrameIndex(size_t bucket_cap = kDefaultFrameBucketCap);

  // Indexes clip `clip` by its frames, in order. `qualities`: PDQ quality
  // (0..100) per frame, parallel to `frames`; empty (the default) takes every
  // frame, and a frame past its end is taken too. A clip with no usable
  // frame is indexed but never a candidate. ALREADY_EXISTS when `clip` is
  // indexed already (remove it first to replace it); RESOURCE_EXHAUSTED past
  // kMaxFrameIndexClips clips.
  absl::Status Add(uint32_t clip, absl::Span<const FrameHash> frames, absl::Span<const int> qualities = {});

  // Takes a clip out (deleted, or no longer eligible); false when it was not
  // indexed. Its record is reused by a later Add.
  bool Remove(uint32_t clip);

  // The indexed clips with an indexed frame within kFrameMatchDistance of
  // one of `frames` (those `qualities` lets through, as in Add), at most
  // `limit`, by matched_frames descending then clip ascending: the same
  // answer for the same index contents, whatever the order they came in.
  std::vector<FrameIndexHit> Candidates(absl::Span<const FrameHash> frames, size_t limit,
                                        absl::Span<const int> qualities = {}) const;

  bool contains(uint32_t clip) const { return record_by_clip_.contains(clip); }
  size_t clip_count() const { return record_by_clip_.size(); }
  // Indexed frames (clip, frame) across all clips, whether or not full
  // buckets left some out.
  size_t entry_count() const { return entry_count_; }
  // Buckets holding bucket_cap() frames now.
  size_t full_buckets() const { return full_buckets_; }
  // Bucket placements refused by a full bucket since construction (16 per
  // frame at most).
  size_t refused_entries() const { return refused_entries_; }
  size_t bucket_cap() const { return bucket_cap_; }

 private:
  // An entry: record * kIndexedFramesPerClip + the frame's position in it.
  using Ref = uint32_t;
  // A hash on its own half cache line, so that checking it reads one line.
  struct alignas(32) StoredFrame {
    FrameHash hash;
  };
  using Bucket = std::vector<Ref>;

  static Ref RefOf(uint32_t record, size_t position);
  // The bucket of `hash` in chunk table `chunk`, as an index into buckets_.
  static size_t BucketOf(const FrameHash& hash, size_t chunk);
  // Appends to `matched` each of the `count` entries `refs` names whose
  // frame in `stored` is within kFrameMatchDistance of `query`. The hot loop
  // (built with and without popcnt, picked at load time, in the .cc).
  static void CheckEntries(const StoredFrame* stored, const Ref* refs, size_t count, const FrameHash& query,
                           std::vector<Ref>& matched);

  // A record for `clip` holding `frames` (at most kIndexedFramesPerClip).
  uint32_t NewRecord(uint32_t clip, const std::vector<FrameHash>& frames);
  // Puts entry `ref` into its 16 buckets, or counts the full ones.
  void Place(Ref ref);
  // Takes entry `ref` out of whichever of its 16 buckets hold it.
  void Unplace(Ref ref);
  // The entries of the 272 buckets a query frame probes (repeats included).
  void GatherProbed(const FrameHash& query, std::vector<Ref>& refs) const;
  // The clips, ascending and each once, with an entry in `refs` within
  // kFrameMatchDistance of `query`.
  void MatchingClips(const FrameHash& query, const std::vector<Ref>& refs, std::vector<uint32_t>& clips) const;

  size_t bucket_cap_;
  size_t entry_count_ = 0;
  size_t full_buckets_ = 0;
  size_t refused_entries_ = 0;
  // By record: kIndexedFramesPerClip frames (the first record_sizes_[r]
  // used), the clip number, the frame count. Freed records are reused
  // (free_records_).
  std::vector<StoredFrame> stored_;
  std::vector<uint32_t> record_clips_;
  std::vector<uint8_t> record_sizes_;
  std::vector<uint32_t> free_records_;
  absl::flat_hash_map<uint32_t, uint32_t> record_by_clip_;
  // kFrameIndexChunks tables of 65,536 buckets, table c at [c * 65,536,
  // (c + 1) * 65,536); empty until the first Add.
  std::vector<Bucket> buckets_;
};

}  // namespace clipforge::feed
