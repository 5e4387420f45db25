// The prompt near-duplicate index: banded locality-sensitive hashing over
// MinHash signatures (Leskovec, Rajaraman, Ullman, "Mining of Massive
// Datasets", ch. 3.4).
//
// A signature's 128 slots are cut into 32 bands of 4 rows; two clips are
// candidates when all 4 rows of at least one band agree. For prompts of
// Jaccard similarity s that happens with probability 1 - (1 - s^4)^32:
// 0.23 at s = 0.3, 0.87 at s = 0.5, 0.99 at s = 0.6 and above, 0.0002 at
// s = 0.05. The curve's midpoint, (1/32)^(1/4) ~ 0.42, sits below the
// similarity where originality starts to count a match (0.5,
// originality.h), so the matches that matter are found and unrelated
// prompts cost almost no verification. Candidates are then verified by
// their estimated Jaccard (NearDuplicates).
//
// Bounded buckets: a spam wave of one prompt lands every copy in the same
// 32 buckets. Each bucket keeps at most `bucket_cap` clips (default 1,000),
// the earliest ones by (publish time, clip id): the earliest clip is the
// original that copies are dropped in favour of, so it must never be the
// one evicted. A later clip that finds a full bucket is left out of that
// bucket only (it stays in the index and in its other buckets); an earlier
// one (a backfill) takes the place of the bucket's latest. A bucket that
// overflowed stays lossy after removals: evicted clips do not come back.
//
// Memory: per clip its ids, the 1 KiB signature and 32 bucket slots of 4
// bytes, about 1.3 KiB plus the buckets' own keys. Not thread-safe; the
// caller serializes writes (reads alone may run concurrently).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "feed/minhash.h"

namespace clipforge::feed {

inline constexpr size_t kLshBands = 32;
inline constexpr size_t kLshRowsPerBand = 4;
static_assert(kLshBands * kLshRowsPerBand == kMinHashPermutations, "the bands cover the signature exactly");

inline constexpr size_t kDefaultLshBucketCap = 1000;

// A verified near-duplicate: an indexed clip and its estimated Jaccard
// similarity to the query.
struct PromptMatch {
  std::string clip_id;
  std::string creator_id;
  absl::Time published_at;
  double similarity = 0.0;

  friend bool operator==(const PromptMatch&, const PromptMatch&) = default;
};

class PromptLshIndex {
 public:
  // `bucket_cap`: the most clips one bucket keeps (0 counts as 1).
  explicit PromptLshIndex(size_t bucket_cap = kDefaultLshBucketCap);

  // Adds a clip. ALREADY_EXISTS when `clip_id` is indexed already (its
  // signature is left as it was: remove it first to replace it).
  absl::Status Insert(absl::string_view clip_id, absl::string_view creator_id, absl::Time published_at,
                      const MinHashSignature& signature);

  // Removes a clip (deleted, or no longer eligible); false when it was not
  // indexed.
  bool Remove(absl::string_view clip_id);

  // The indexed clips that share at least one band with `signature`,
  // unverified, each once, sorted by (publish time, clip id).
  std::vector<std::string> Candidates(const MinHashSignature& signature) const;

  // The candidates by other creators than `creator_id`, published strictly
  // between `published_after` and `published_before`, whose estimated
  // Jaccard similarity to `signature` is at least `threshold`, sorted by
  // (publish time, clip id): the earliest, the original, first. The upper
  // bound lets a clip's score be recomputed later without counting the
  // copies made of it since; the lower one finds the clips scored before an
  // earlier one arrived.
  std::vector<PromptMatch> NearDuplicates(const MinHashSignature& signature, absl::string_view creator_id,
                                          double threshold, absl::Time published_before = absl::InfiniteFuture(),
                                          absl::Time published_after = absl::InfinitePast()) const;

  size_t size() const { return slot_by_id_.size(); }
  size_t bucket_cap() const { return bucket_cap_; }

 private:
  struct Entry {
    std::string clip_id;
    std::string creator_id;
    absl::Time published_at;
    MinHashSignature signature{};
  };
  // A band's rows mixed into 64 bits. Two bands that differ share a key
  // with probability 2^-64: such a clip is one more unverified candidate,
  // which NearDuplicates' Jaccard check drops. 8 bytes instead of the
  // rows' 32 keep the 32 bands of a million clips in about a gigabyte.
  using BandKey = uint64_t;
  // Slots into entries_, sorted by (publish time, clip id), at most
  // bucket_cap_ long. Most buckets hold one clip (prompts rarely share a
  // band): up to 4 slots live inline, with no allocation of their own.
  using Bucket = absl::InlinedVector<uint32_t, 4>;

  static BandKey KeyOf(const MinHashSignature& signature, size_t band);
  // Whether entry a sorts before entry b: (publish time, clip id).
  bool Before(uint32_t a, uint32_t b) const;
  // The slots of the candidates, each once, sorted by (publish time, id).
  std::vector<uint32_t> CandidateSlots(const MinHashSignature& signature) const;

  size_t bucket_cap_;
  // Entries by slot; a removed entry's slot is reused (free_slots_), so
  // buckets hold 4-byte slots instead of copies of the ids.
  std::vector<Entry> entries_;
  std::vector<uint32_t> free_slots_;
  absl::flat_hash_map<std::string, uint32_t> slot_by_id_;
  std::array<absl::flat_hash_map<BandKey, Bucket>, kLshBands> bands_;
};

}  // namespace clipforge::feed
