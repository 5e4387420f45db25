#include "moderation/hash_index.h"

#include <algorithm>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace clipforge::moderation {
namespace {

constexpr size_t kBuckets = size_t{1} << HashIndex::kSubstringBits;

absl::Status CheckRadius(int radius) {
  if (radius < 0 || radius > 256) {
    return absl::InvalidArgumentError(absl::StrCat("hash index: radius ", radius, " is outside 0..256"));
  }
  return absl::OkStatus();
}

// Every 16-bit value within `slack` bits of `value` (slack <= 2).
void Probes(uint16_t value, int slack, std::vector<uint16_t>& out) {
  out.clear();
  out.push_back(value);
  if (slack >= 1) {
    for (int a = 0; a < HashIndex::kSubstringBits; ++a) out.push_back(value ^ (1u << a));
  }
  if (slack >= 2) {
    for (int a = 0; a < HashIndex::kSubstringBits; ++a) {
      for (int b = a + 1; b < HashIndex::kSubstringBits; ++b) out.push_back(value ^ (1u << a) ^ (1u << b));
    }
  }
}

// The hot loops: full distances of many candidates. Built twice on x86-64
// and picked at load time (ifunc): without -mpopcnt, GCC turns each
// popcount into a libgcc call that costs ~10x the instruction, and the
// baseline x86-64 target has no popcnt.
#if defined(__x86_64__) && defined(__GNUC__)
#define CF_POPCOUNT_CLONES __attribute__((target_clones("popcnt", "default")))
#else
#define CF_POPCOUNT_CLONES
#endif

// Appends (entry, distance) for each of `count` entries, named by `ids` or
// (ids == nullptr) numbered from `first`, within `radius` of `query`.
CF_POPCOUNT_CLONES void CollectWithin(const PdqHash* hashes, const uint32_t* ids, uint32_t first, size_t count,
                                      const PdqHash& query, int radius,
                                      std::vector<std::pair<uint32_t, int>>& out) {
  // Candidates named by ids sit at random places in a bank far larger than
  // the caches: ask for each a few iterations ahead so the misses overlap.
  constexpr size_t kAhead = 16;
  for (size_t k = 0; k < count; ++k) {
    if (ids != nullptr && k + kAhead < count) __builtin_prefetch(&hashes[ids[k + kAhead]]);
    const uint32_t entry = ids != nullptr ? ids[k] : first + static_cast<uint32_t>(k);
    const int d = HammingDistance(query, hashes[entry]);
    if (d <= radius) out.emplace_back(entry, d);
  }
}

}  // namespace

HashEntry HashIndex::Entry(uint32_t entry) const {
  return HashEntry{hashes_[entry], labels_[entry], banks_[entry], severities_[entry]};
}

HashMatch HashIndex::MatchAt(uint32_t entry, int distance) const {
  return HashMatch{entry, labels_[entry], banks_[entry], severities_[entry], distance};
}

void HashIndex::SortMatches(std::vector<HashMatch>& matches) const {
  std::sort(matches.begin(), matches.end(), [](const HashMatch& a, const HashMatch& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.entry < b.entry;
  });
}

absl::StatusOr<std::vector<HashMatch>> HashIndex::Scan(const PdqHash& query, int radius) const {
  if (absl::Status s = CheckRadius(radius); !s.ok()) return s;
  std::vector<std::pair<uint32_t, int>> found;
  CollectWithin(hashes_.data(), nullptr, 0, hashes_.size(), query, radius, found);
  std::vector<HashMatch> matches;
  matches.reserve(found.size());
  for (const auto& [entry, d] : found) matches.push_back(MatchAt(entry, d));
  SortMatches(matches);
  return matches;
}

absl::StatusOr<std::vector<HashMatch>> HashIndex::Query(const PdqHash& query, int radius) const {
  if (absl::Status s = CheckRadius(radius); !s.ok()) return s;
  const int slack = radius / kSubstrings;  // pigeonhole: some substring is within this
  if (slack > kMaxProbeSlack) return Scan(query, radius);

  // First the candidates of every probed bucket (sequential reads), then
  // their full distances in one pass (random reads, prefetched).
  std::vector<uint32_t> candidates;
  std::vector<uint16_t> probes;
  for (int s = 0; s < kSubstrings; ++s) {
    const std::vector<uint32_t>& offsets = offsets_[s];
    const std::vector<uint32_t>& ids = ids_[s];
    Probes(Substring(query, s), slack, probes);
    for (const uint16_t value : probes) {
      candidates.insert(candidates.end(), ids.begin() + offsets[value], ids.begin() + offsets[value + 1]);
    }
  }
  std::vector<std::pair<uint32_t, int>> found;
  CollectWithin(hashes_.data(), candidates.data(), 0, candidates.size(), query, radius, found);
  std::vector<HashMatch> matches;
  matches.reserve(found.size());
  for (const auto& [entry, d] : found) matches.push_back(MatchAt(entry, d));
  // An entry close in several substrings was found in each of their tables.
  SortMatches(matches);
  matches.erase(std::unique(matches.begin(), matches.end()), matches.end());
  return matches;
}

absl::StatusOr<HashIndex> HashIndexBuilder::Build() {
  if (entries_.size() >= std::numeric_limits<uint32_t>::max()) {
    return absl::ResourceExhaustedError(
        absl::StrCat("hash index: ", entries_.size(), " entries; at most 2^32 - 1 fit"));
  }
  const auto n = static_cast<uint32_t>(entries_.size());
  HashIndex index;
  index.hashes_.reserve(n);
  index.labels_.reserve(n);
  index.banks_.reserve(n);
  index.severities_.reserve(n);
  for (const HashEntry& e : entries_) {
    index.hashes_.push_back(e.hash);
    index.labels_.push_back(e.label_id);
    index.banks_.push_back(e.bank_id);
    index.severities_.push_back(e.severity);
  }
  entries_ = {};

  // Counting sort per substring: count each value, prefix-sum the counts
  // into offsets, then place ids (in entry order within a bucket).
  index.offsets_.assign(HashIndex::kSubstrings, std::vector<uint32_t>(kBuckets + 1, 0));
  index.ids_.assign(HashIndex::kSubstrings, std::vector<uint32_t>(n));
  for (int s = 0; s < HashIndex::kSubstrings; ++s) {
    std::vector<uint32_t>& offsets = index.offsets_[s];
    for (const PdqHash& h : index.hashes_) ++offsets[Substring(h, s) + 1];
    for (size_t v = 0; v < kBuckets; ++v) offsets[v + 1] += offsets[v];
    std::vector<uint32_t> next(offsets.begin(), offsets.end() - 1);
    for (uint32_t i = 0; i < n; ++i) index.ids_[s][next[Substring(index.hashes_[i], s)]++] = i;
  }
  return index;
}

}  // namespace clipforge::moderation
