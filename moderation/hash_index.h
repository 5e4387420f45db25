// Near-neighbour search over PDQ hashes in Hamming space: multi-index
// hashing (Norouzi, Punjani, Fleet, "Fast search in Hamming space with
// multi-index hashing", CVPR 2012).
//
// Each 256-bit hash is cut into m = 16 substrings of 16 bits, and each
// substring position has its own table from the 65,536 possible values to
// the entries holding that value there. Pigeonhole: if two hashes differ
// in at most r bits, the 16 substring distances add up to at most r, so at
// least one substring differs in at most floor(r / 16) bits. A query at
// radius r therefore looks up, in every table, every 16-bit value within
// floor(r / 16) of its own substring (17 probes per table at PDQ's usual
// r = 31: the value itself and its 16 one-bit neighbours), and checks each
// candidate's full distance. Nothing within r is missed; the check drops
// the rest.
//
// Why m = 16 (16-bit substrings): Norouzi et al. suggest substrings of about
// log2(N) bits, so a bucket holds ~1 entry. For banks of 10^5..10^6 hashes
// that is 17..20 bits; 16 bits keeps the tables direct-addressed arrays
// (no hashing, 256 KiB of offsets each, 4 MiB in all), the substrings
// aligned to 16-bit words, and the probe count small: 16 x 17 = 272 bucket
// reads at r = 31. With 1M uniform hashes a bucket averages 15 entries, so
// a query checks ~4,150 candidates at 4 popcounts each; those reads land at
// random in a 32 MB array, so the candidates are gathered first and their
// hashes prefetched (bench/hash_index_bench.cc: ~65 us per query against
// ~1.5 ms for a linear scan of 1M, on our 2-core machine). The
// alternatives cost more: m = 8 (32-bit substrings) would need
// floor(31/8) = 3 bits of slack, C(32,<=3) = 5,489 probes per table into
// hashed tables; m = 12 (~21-bit substrings) needs 2 bits of slack (232
// probes per table) and unaligned keys. Real PDQ banks are not uniform
// (near-duplicates crowd some buckets), which only adds candidates that the
// full check discards: results stay exact.
//
// Radii whose slack floor(r / 16) exceeds 2 (r >= 48) would probe more
// buckets than a scan touches; those queries scan linearly. Still exact.
//
// Memory per entry: 32 bytes of hash, 16 of payload (label, bank,
// severity), 64 of table ids (16 tables x 4 bytes): ~112 bytes, ~112 MB per
// million entries, plus 4 MiB of offsets.
//
// Allow-lists: the index does not interpret banks. A query returns every
// match with its bank id; the caller decides that a match in an allow-list
// bank overrides one in a block bank.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "moderation/pdq.h"

namespace clipforge::moderation {

struct HashEntry {
  PdqHash hash;
  uint64_t label_id = 0;  // what the hash stands for (a bank item's id)
  uint32_t bank_id = 0;   // which bank it belongs to (block list, allow list, ...)
  uint8_t severity = 0;   // the bank item's severity, opaque here
};

struct HashMatch {
  uint32_t entry = 0;  // position of the entry in the order it was added
  uint64_t label_id = 0;
  uint32_t bank_id = 0;
  uint8_t severity = 0;
  int distance = 0;  // Hamming distance to the query, 0..256

  friend bool operator==(const HashMatch&, const HashMatch&) = default;
};

// An immutable index, built by HashIndexBuilder. Queries are const and
// thread-safe.
class HashIndex {
 public:
  static constexpr int kSubstrings = 16;
  static constexpr int kSubstringBits = 16;
  // Up to this much slack per substring, probing beats scanning.
  static constexpr int kMaxProbeSlack = 2;

  // Every entry within `radius` bits of `query` (0 <= radius <= 256),
  // sorted by distance, then by entry. INVALID_ARGUMENT for a bad radius.
  absl::StatusOr<std::vector<HashMatch>> Query(const PdqHash& query, int radius) const;
  // The same answer by comparing with every entry: the baseline and the
  // fallback for large radii.
  absl::StatusOr<std::vector<HashMatch>> Scan(const PdqHash& query, int radius) const;

  size_t size() const { return hashes_.size(); }
  HashEntry Entry(uint32_t entry) const;

 private:
  friend class HashIndexBuilder;
  HashIndex() = default;

  HashMatch MatchAt(uint32_t entry, int distance) const;
  void SortMatches(std::vector<HashMatch>& matches) const;

  // Entries, structure of arrays: the hot hash checks touch hashes_ only.
  std::vector<PdqHash> hashes_;
  std::vector<uint64_t> labels_;
  std::vector<uint32_t> banks_;
  std::vector<uint8_t> severities_;
  // Per substring s: the entries whose substring s equals v are
  // ids_[s][offsets_[s][v] .. offsets_[s][v + 1]) (compressed rows).
  std::vector<std::vector<uint32_t>> offsets_;
  std::vector<std::vector<uint32_t>> ids_;
};

class HashIndexBuilder {
 public:
  // At most 2^32 - 1 entries; more is RESOURCE_EXHAUSTED at Build.
  void Add(const HashEntry& entry) { entries_.push_back(entry); }
  void Reserve(size_t n) { entries_.reserve(n); }
  size_t size() const { return entries_.size(); }

  // Builds the index from everything added so far (the builder is left
  // empty). Entries keep the positions they were added in.
  absl::StatusOr<HashIndex> Build();

 private:
  std::vector<HashEntry> entries_;
};

// Substring s (0..15) of a hash: bits 16s .. 16s + 15.
inline uint16_t Substring(const PdqHash& hash, int s) {
  return static_cast<uint16_t>(hash.words[s >> 2] >> (16 * (s & 3)));
}

}  // namespace clipforge::moderation
