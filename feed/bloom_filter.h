// A Bloom filter (Bloom, "Space/time trade-offs in hash coding with
// allowable errors", 1970) of the clip ids a feed session was served. It
// travels inside the page token (page_cursor.h), so the server keeps no
// state per session and a session still never repeats a clip: a filter
// has no false negatives, so a served clip always reads as served. Its
// false positives cost a clip that was never served being skipped as if it
// had been: the feed then reaches a little further (older, other themes),
// never back.
//
// Sizing: for n expected items at false-positive rate p, m =
// ceil(-n ln p / (ln 2)^2) bits and k = round(m / n ln 2) hashes (at least
// 1), the m and k that minimize the rate (1 - e^(-kn/m))^k. The feed's
// session is n = 1,000 served clips at p = 1%: m = 9,586 bits (1,199
// bytes), k = 7, 1.004% at exactly 1,000 clips.
//
// Past capacity the rate rises with the items N actually added, as
// (1 - e^(-kN/m))^k: for the feed's filter 5.8% at 1,500 clips and 16% at
// 2,000. Nothing breaks (still no repeats), but more unseen clips are
// skipped. A filter cannot be resized (it does not hold the ids), so the
// server watches EstimatedFalsePositiveRate() (or EstimatedItemCount())
// and, past its limit, decides: widen sooner, or start a fresh session.
//
// Hashing: an id is hashed once with base::WordHash64 (word_hash.h),
// xored with kBloomHashSeed; its high and low 32 bits, each mapped onto
// [0, m) by a multiply and shift (Lemire, 2016), give x and y, and the k
// bits follow by double hashing (Kirsch, Mitzenmacher, "Less hashing, same
// performance", 2006) in Dillinger and Manolios' enhanced form ("Bloom
// filters in probabilistic verification", 2004): bit i is x, then x += y,
// y += i + 1 (mod m). The added term keeps the k bits apart even when y
// is 0 or shares a factor with m. A feed request checks every candidate,
// so the hash reads 8 bytes a step and nothing divides: the byte loop of
// FNV-1a and two 64-bit remainders were a fifth of scoring 10,000
// candidates. Everything here is fixed: a token signed by one server
// build is read by the next, so changing the hash, seed or probe order
// ends every open session (bump the cursor's version with it; version 2
// came with this hash).
//
// Serialized form: a 6-byte header, then the bits in one of two forms,
// whichever is shorter (Parse accepts only that one, so a filter has
// exactly one encoding):
//
//   offset  size  field
//   0       1     form: 0 = bitmap, 1 = set positions
//   1       4     m, the bit count, little-endian, 1 to kMaxBloomBits
//   5       1     k, the hash count, 1 to kMaxBloomHashes
//   bitmap:
//   6       m/8   the bits, bit i at (byte i / 8) & (1 << i % 8); the
//                 unused high bits of the last byte are 0
//   set positions:
//   6       2     the count of set bits, little-endian
//   8       ...   each set bit, ascending, as the LEB128 varint (minimal,
//                 at most 3 bytes) of its distance from the previous set
//                 bit minus 1 (the first: its position)
//
// The positions form is what keeps early pages' tokens small: with 20
// clips served (140 bits set) the feed's filter takes 170 bytes instead
// of 1,205; it stays shorter up to about 170 clips.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clipforge::feed {

// 64 Kibit (8 KiB): the largest filter a page token carries, so that the
// token stays under its length cap (kMaxPageCursorTokenChars, 16 KiB of
// base64). It holds about 6,800 items at 1%; a larger request is capped
// here, at a higher rate.
inline constexpr uint32_t kMaxBloomBits = 64 * 1024;
// More hashes than this only serve rates below one in a billion.
inline constexpr uint32_t kMaxBloomHashes = 32;
// The rates a filter is sized for: below the least, m grows for nothing a
// feed needs; above the greatest, a filter is no longer worth carrying.
inline constexpr double kMinBloomFalsePositiveRate = 1e-9;
inline constexpr double kMaxBloomFalsePositiveRate = 0.5;
// The header and the largest bitmap: no serialized filter is longer (the
// positions form is used only when it is shorter).
inline constexpr size_t kBloomHeaderBytes = 6;
inline constexpr size_t kMaxSerializedBloomBytes = kBloomHeaderBytes + kMaxBloomBits / 8;

// The feed's session: 1,000 served clips (50 pages of 20) at 1%, ~1.2 KB.
inline constexpr size_t kFeedSessionServedCapacity = 1000;
inline constexpr double kFeedSessionFalsePositiveRate = 0.01;

inline constexpr uint64_t kBloomHashSeed = 0x63662d626c6f6f6du;  // "cf-bloom" in ASCII

// m for `expected_items` (0 counts as 1) at `false_positive_rate` (clamped
// to [kMinBloomFalsePositiveRate, kMaxBloomFalsePositiveRate]; NaN reads
// as the least), capped at kMaxBloomBits.
uint32_t BloomBitsFor(size_t expected_items, double false_positive_rate);
// k for a filter of `bits` bits holding `expected_items` (0 counts as 1),
// in [1, kMaxBloomHashes].
uint32_t BloomHashesFor(uint32_t bits, size_t expected_items);

class BloomFilter {
 public:
  // Sized for the feed's session (kFeedSessionServedCapacity at
  // kFeedSessionFalsePositiveRate). Not explicit, so that an aggregate
  // holding one (PageCursor) can leave it out of its initializer.
  BloomFilter();
  // Sized by BloomBitsFor and BloomHashesFor.
  BloomFilter(size_t expected_items, double false_positive_rate);

  void Add(absl::string_view id);
  // False: `id` was never added. True: it was, or it is a false positive.
  bool MightContain(absl::string_view id) const;

  uint32_t bit_count() const { return bit_count_; }    // m
  uint32_t hash_count() const { return hash_count_; }  // k
  uint32_t set_bit_count() const { return set_bit_count_; }

  // The share of bits set, in [0, 1]: about 1/2 at capacity when sized by
  // the formulas above.
  double FillRatio() const;
  // The items added, estimated from the bits set (Swamidass, Baldi,
  // "Mathematical correction for fingerprint similarity measures", 2007):
  // -(m / k) ln(1 - X / m) for X bits set; infinity when every bit is set.
  double EstimatedItemCount() const;
  // The chance that an id never added reads as present: FillRatio()^k.
  double EstimatedFalsePositiveRate() const;

  // The serialized form of the file comment.
  std::string Serialize() const;
  // The filter `bytes` encode; INVALID_ARGUMENT "bloom filter: ..." for
  // anything but what Serialize produces: truncated or trailing bytes, an
  // unknown form, m or k out of range (m above kMaxBloomBits: oversized),
  // set padding bits, positions out of order or range, non-minimal
  // varints, or the longer of the two forms.
  static absl::StatusOr<BloomFilter> Parse(absl::string_view bytes);

  friend bool operator==(const BloomFilter&, const BloomFilter&) = default;

 private:
  // An empty filter of exactly `bits` bits and `hashes` hashes.
  static BloomFilter OfShape(uint32_t bits, uint32_t hashes);

  // x and y of the file comment for `id`.
  void ProbeStart(absl::string_view id, uint64_t& x, uint64_t& y) const;
  // The next probe of the enhanced double hashing: x += y, y += i + 1, mod m.
  void ProbeNext(uint64_t& x, uint64_t& y, uint32_t i) const;
  bool BitAt(uint32_t bit) const;
  // The set bits, ascending.
  std::vector<uint32_t> SetBits() const;
  // The bytes after the header in the set-positions form.
  static size_t PositionsBodyBytes(const std::vector<uint32_t>& set_bits);

  uint32_t bit_count_ = 0;
  uint32_t hash_count_ = 0;
  uint32_t set_bit_count_ = 0;
  std::vector<uint8_t> bits_;  // ceil(m / 8) bytes, as in the bitmap form
};

}  // namespace clipforge::feed
