#include "feed/frame_index.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace clipforge::feed {
namespace {

constexpr size_t kFrameIndexBucketsPerChunk = size_t{1} << kFrameIndexChunkBits;

// Chunk `chunk` (0..15) of a hash: bits 16 chunk .. 16 chunk + 15, the
// layout of moderation::Substring.
uint16_t FrameIndexChunkValue(const FrameHash& hash, size_t chunk) {
  return static_cast<uint16_t>(hash.words[chunk / 4] >> (16 * (chunk % 4)));
}

// The frames `qualities` lets through (see FrameIndex::Add), in order.
std::vector<FrameHash> FrameIndexUsableFrames(absl::Span<const FrameHash> frames, absl::Span<const int> qualities) {
  std::vector<FrameHash> usable;
  usable.reserve(frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    if (i >= qualities.size() || qualities[i] >= kMinFrameQuality) usable.push_back(frames[i]);
  }
  return usable;
}

// The frames a clip indexes: its usable frames at IndexedFramePositions, an
// exact repeat once (a still image is one frame, not 8 entries alike).
std::vector<FrameHash> FrameIndexPickedFrames(absl::Span<const FrameHash> frames, absl::Span<const int> qualities) {
  const std::vector<FrameHash> usable = FrameIndexUsableFrames(frames, qualities);
  std::vector<FrameHash> picked;
  for (const size_t position : IndexedFramePositions(usable.size())) {
    const FrameHash& frame = usable[position];
    if (std::find(picked.begin(), picked.end(), frame) == picked.end()) picked.push_back(frame);
  }
  return picked;
}

// A distinct query frame and how many of the query's frames it stands for.
struct FrameIndexQueryFrame {
  FrameHash hash;
  uint32_t copies = 0;
};

// The usable query frames, each distinct hash once with its count, sorted
// by hash: identical frames (a still image) cost one lookup.
std::vector<FrameIndexQueryFrame> FrameIndexDistinctFrames(absl::Span<const FrameHash> frames,
                                                           absl::Span<const int> qualities) {
  std::vector<FrameHash> usable = FrameIndexUsableFrames(frames, qualities);
  std::sort(usable.begin(), usable.end(), [](const FrameHash& a, const FrameHash& b) { return a.words < b.words; });
  std::vector<FrameIndexQueryFrame> distinct;
  for (const FrameHash& frame : usable) {
    if (distinct.empty() || !(distinct.back().hash == frame)) distinct.push_back(FrameIndexQueryFrame{frame, 0});
    ++distinct.back().copies;
  }
  return distinct;
}

// The hits by matched_frames descending, then clip ascending, cut to `limit`.
std::vector<FrameIndexHit> FrameIndexRankedHits(const absl::flat_hash_map<uint32_t, uint32_t>& matched_by_clip,
                                                size_t limit) {
  std::vector<FrameIndexHit> hits;
  hits.reserve(matched_by_clip.size());
  for (const auto& [clip, matched] : matched_by_clip) hits.push_back(FrameIndexHit{clip, matched});
  const auto before = [](const FrameIndexHit& a, const FrameIndexHit& b) {
    return a.matched_frames != b.matched_frames ? a.matched_frames > b.matched_frames : a.clip < b.clip;
  };
  const size_t kept = std::min(limit, hits.size());
  std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(kept), hits.end(), before);
  hits.resize(kept);
  return hits;
}

}  // namespace

std::vector<size_t> IndexedFramePositions(size_t frame_count) {
  const size_t picked = std::min(frame_count, kIndexedFramesPerClip);
  std::vector<size_t> positions;
  positions.reserve(picked);
  // floor((2i + 1) n / 2k): the middle of stretch i of k; i itself when
  // n = k.
  for (size_t i = 0; i < picked; ++i) positions.push_back((2 * i + 1) * frame_count / (2 * picked));
  return positions;
}

FrameIndex::FrameIndex(size_t bucket_cap) : bucket_cap_(bucket_cap == 0 ? 1 : bucket_cap) {}

FrameIndex::Ref FrameIndex::RefOf(uint32_t record, size_t position) {
  return record * static_cast<Ref>(kIndexedFramesPerClip) + static_cast<Ref>(position);
}

size_t FrameIndex::BucketOf(const FrameHash& hash, size_t chunk) {
  return chunk * kFrameIndexBucketsPerChunk + FrameIndexChunkValue(hash, chunk);
}

// Built twice on x86-64 and picked at load time (ifunc), as in
// moderation/hash_index.cc: without -mpopcnt GCC makes each popcount a
// libgcc call, ~10x the instruction, and the baseline x86-64 has no popcnt.
#if defined(__x86_64__) && defined(__GNUC__)
#define CF_FRAME_INDEX_POPCOUNT_CLONES __attribute__((target_clones("popcnt", "default")))
#else
#define CF_FRAME_INDEX_POPCOUNT_CLONES
#endif

CF_FRAME_INDEX_POPCOUNT_CLONES void FrameIndex::CheckEntries(const StoredFrame* stored, const Ref* refs, size_t count,
                                                             const FrameHash& query, std::vector<Ref>& matched) {
  // The entries sit at random places in a table far larger than the
  // caches: ask for each a few iterations ahead so that the misses overlap.
  constexpr size_t kAhead = 16;
  for (size_t k = 0; k < count; ++k) {
    if (k + kAhead < count) __builtin_prefetch(&stored[refs[k + kAhead]]);
    if (HammingDistance(query, stored[refs[k]].hash) <= kFrameMatchDistance) matched.push_back(refs[k]);
  }
}

#undef CF_FRAME_INDEX_POPCOUNT_CLONES

uint32_t FrameIndex::NewRecord(uint32_t clip, const std::vector<FrameHash>& frames) {
  uint32_t record = 0;
  if (!free_records_.empty()) {
    record = free_records_.back();
    free_records_.pop_back();
  } else {
    record = static_cast<uint32_t>(record_clips_.size());
    record_clips_.push_back(0);
    record_sizes_.push_back(0);
    stored_.resize(stored_.size() + kIndexedFramesPerClip);
  }
  record_clips_[record] = clip;
  record_sizes_[record] = static_cast<uint8_t>(frames.size());
  for (size_t position = 0; position < frames.size(); ++position) {
    stored_[RefOf(record, position)].hash = frames[position];
  }
  return record;
}

void FrameIndex::Place(Ref ref) {
  const FrameHash& hash = stored_[ref].hash;
  for (size_t chunk = 0; chunk < kFrameIndexChunks; ++chunk) {
    Bucket& bucket = buckets_[BucketOf(hash, chunk)];
    if (bucket.size() >= bucket_cap_) {
      ++refused_entries_;
      continue;
    }
    bucket.push_back(ref);
    if (bucket.size() == bucket_cap_) ++full_buckets_;
  }
}

void FrameIndex::Unplace(Ref ref) {
  const FrameHash& hash = stored_[ref].hash;
  for (size_t chunk = 0; chunk < kFrameIndexChunks; ++chunk) {
    Bucket& bucket = buckets_[BucketOf(hash, chunk)];
    const auto found = std::find(bucket.begin(), bucket.end(), ref);
    if (found == bucket.end()) continue;  // refused when the bucket was full
    const bool was_full = bucket.size() >= bucket_cap_;
    // Order within a bucket does not matter (Candidates sorts): swap out.
    *found = bucket.back();
    bucket.pop_back();
    if (was_full) --full_buckets_;
  }
}

absl::Status FrameIndex::Add(uint32_t clip, absl::Span<const FrameHash> frames, absl::Span<const int> qualities) {
  if (record_by_clip_.contains(clip)) {
    return absl::AlreadyExistsError(absl::StrCat("frame index: clip ", clip, " is indexed"));
  }
  if (free_records_.empty() && record_clips_.size() >= kMaxFrameIndexClips) {
    return absl::ResourceExhaustedError(absl::StrCat("frame index: holds ", kMaxFrameIndexClips, " clips"));
  }
  const std::vector<FrameHash> picked = FrameIndexPickedFrames(frames, qualities);
  const uint32_t record = NewRecord(clip, picked);
  record_by_clip_.emplace(clip, record);
  if (buckets_.empty()) buckets_.resize(kFrameIndexChunks * kFrameIndexBucketsPerChunk);
  for (size_t position = 0; position < picked.size(); ++position) Place(RefOf(record, position));
  entry_count_ += picked.size();
  return absl::OkStatus();
}

bool FrameIndex::Remove(uint32_t clip) {
  const auto found = record_by_clip_.find(clip);
  if (found == record_by_clip_.end()) return false;
  const uint32_t record = found->second;
  for (size_t position = 0; position < record_sizes_[record]; ++position) Unplace(RefOf(record, position));
  entry_count_ -= record_sizes_[record];
  record_clips_[record] = 0;
  record_sizes_[record] = 0;
  free_records_.push_back(record);
  record_by_clip_.erase(found);
  return true;
}

void FrameIndex::GatherProbed(const FrameHash& query, std::vector<Ref>& refs) const {
  const auto append = [&refs](const Bucket& bucket) { refs.insert(refs.end(), bucket.begin(), bucket.end()); };
  for (size_t chunk = 0; chunk < kFrameIndexChunks; ++chunk) {
    const size_t table = chunk * kFrameIndexBucketsPerChunk;
    const size_t value = FrameIndexChunkValue(query, chunk);
    append(buckets_[table + value]);
    for (size_t bit = 0; bit < kFrameIndexChunkBits; ++bit) append(buckets_[table + (value ^ (size_t{1} << bit))]);
  }
}

void FrameIndex::MatchingClips(const FrameHash& query, const std::vector<Ref>& refs,
                               std::vector<uint32_t>& clips) const {
  std::vector<Ref> matched;
  CheckEntries(stored_.data(), refs.data(), refs.size(), query, matched);
  clips.clear();
  for (const Ref ref : matched) clips.push_back(record_clips_[ref / kIndexedFramesPerClip]);
  // A frame close in several chunks was reached in each of their tables,
  // and a clip may have several indexed frames near the query.
  std::sort(clips.begin(), clips.end());
  clips.erase(std::unique(clips.begin(), clips.end()), clips.end());
}

std::vector<FrameIndexHit> FrameIndex::Candidates(absl::Span<const FrameHash> frames, size_t limit,
                                                  absl::Span<const int> qualities) const {
  if (buckets_.empty() || limit == 0) return {};
  absl::flat_hash_map<uint32_t, uint32_t> matched_by_clip;
  std::vector<Ref> refs;
  std::vector<uint32_t> clips;
  for (const FrameIndexQueryFrame& frame : FrameIndexDistinctFrames(frames, qualities)) {
    refs.clear();
    GatherProbed(frame.hash, refs);
    MatchingClips(frame.hash, refs, clips);
    for (const uint32_t clip : clips) matched_by_clip[clip] += frame.copies;
  }
  return FrameIndexRankedHits(matched_by_clip, limit);
}

}  // namespace clipforge::feed
