#include "feed/bloom_filter.h"

#include <bit>
#include <cmath>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/word_hash.h"

namespace clipforge::feed {
namespace {

constexpr uint8_t kBloomBitmapForm = 0;
constexpr uint8_t kBloomPositionsForm = 1;
// The positions form's count of set bits: 2 bytes, enough because the form
// is used only when shorter than the bitmap (at most 8 KiB).
constexpr size_t kBloomCountBytes = 2;
static_assert(kMaxBloomBits / 8 < (size_t{1} << 16), "a positions count fits in its 2 bytes");
// A gap below kMaxBloomBits (2^16) takes at most 3 varint bytes (21 bits).
constexpr int kBloomMaxVarintBytes = 3;
static_assert(kMaxBloomBits <= (uint32_t{1} << (7 * kBloomMaxVarintBytes)), "a gap fits in a 3-byte varint");

// A 32-bit value mapped onto [0, m) by multiplying and keeping the high
// half (Lemire, "A fast alternative to the modulo reduction", 2016): as
// even as `value % m` for m far below 2^32, without a division.
uint64_t BloomReduce(uint32_t value, uint32_t m) {
  return (static_cast<uint64_t>(value) * m) >> 32;
}

size_t BloomVarintBytes(uint32_t value) {
  size_t bytes = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++bytes;
  }
  return bytes;
}

void AppendBloomVarint(std::string& out, uint32_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// Reads a minimal varint of at most kBloomMaxVarintBytes at `at`,
// advancing it; false when truncated, too long or not minimal (a last
// byte of 0 after a continuation byte).
bool ReadBloomVarint(absl::string_view bytes, size_t& at, uint32_t& value) {
  value = 0;
  for (int i = 0; i < kBloomMaxVarintBytes; ++i) {
    if (at >= bytes.size()) return false;
    const auto byte = static_cast<uint8_t>(bytes[at++]);
    value |= static_cast<uint32_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) return i == 0 || byte != 0;
  }
  return false;
}

uint32_t ReadBloomLittleEndian(absl::string_view bytes, size_t at, size_t width) {
  uint32_t value = 0;
  for (size_t i = 0; i < width; ++i) value |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[at + i])) << (8 * i);
  return value;
}

void AppendBloomLittleEndian(std::string& out, uint32_t value, size_t width) {
  for (size_t i = 0; i < width; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

absl::Status BloomParseError(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("bloom filter: ", what));
}

}  // namespace

uint32_t BloomBitsFor(size_t expected_items, double false_positive_rate) {
  const double n = static_cast<double>(expected_items == 0 ? size_t{1} : expected_items);
  double p = false_positive_rate;
  if (!(p >= kMinBloomFalsePositiveRate)) p = kMinBloomFalsePositiveRate;  // NaN too
  if (p > kMaxBloomFalsePositiveRate) p = kMaxBloomFalsePositiveRate;
  const double ln2 = std::log(2.0);
  const double bits = std::ceil(-n * std::log(p) / (ln2 * ln2));
  if (bits >= static_cast<double>(kMaxBloomBits)) return kMaxBloomBits;
  return bits < 1.0 ? uint32_t{1} : static_cast<uint32_t>(bits);
}

uint32_t BloomHashesFor(uint32_t bits, size_t expected_items) {
  const double n = static_cast<double>(expected_items == 0 ? size_t{1} : expected_items);
  const double hashes = std::round(static_cast<double>(bits) / n * std::log(2.0));
  if (hashes >= static_cast<double>(kMaxBloomHashes)) return kMaxBloomHashes;
  return hashes < 1.0 ? uint32_t{1} : static_cast<uint32_t>(hashes);
}

BloomFilter::BloomFilter() : BloomFilter(kFeedSessionServedCapacity, kFeedSessionFalsePositiveRate) {}

BloomFilter::BloomFilter(size_t expected_items, double false_positive_rate)
    : bit_count_(BloomBitsFor(expected_items, false_positive_rate)),
      hash_count_(BloomHashesFor(bit_count_, expected_items)),
      bits_((bit_count_ + 7) / 8, 0) {}

BloomFilter BloomFilter::OfShape(uint32_t bits, uint32_t hashes) {
  BloomFilter filter(1, kMaxBloomFalsePositiveRate);  // the smallest; reshaped below
  filter.bit_count_ = bits;
  filter.hash_count_ = hashes;
  filter.set_bit_count_ = 0;
  filter.bits_.assign((bits + 7) / 8, 0);
  return filter;
}

void BloomFilter::ProbeStart(absl::string_view id, uint64_t& x, uint64_t& y) const {
  const uint64_t hash = base::WordHash64(id) ^ kBloomHashSeed;
  x = BloomReduce(static_cast<uint32_t>(hash >> 32), bit_count_);
  y = BloomReduce(static_cast<uint32_t>(hash), bit_count_);
}

void BloomFilter::ProbeNext(uint64_t& x, uint64_t& y, uint32_t i) const {
  // (x + y) mod m and (y + i + 1) mod m, by subtraction: x and y are below
  // m already, and a 64-bit division per probe was most of a lookup's cost
  // (a feed request checks every candidate against the filter).
  x += y;
  if (x >= bit_count_) x -= bit_count_;
  y += i + 1;
  while (y >= bit_count_) y -= bit_count_;
}

bool BloomFilter::BitAt(uint32_t bit) const { return (bits_[bit / 8] >> (bit % 8)) & 1; }

void BloomFilter::Add(absl::string_view id) {
  uint64_t x = 0, y = 0;
  ProbeStart(id, x, y);
  for (uint32_t i = 0; i < hash_count_; ++i) {
    uint8_t& byte = bits_[x / 8];
    const auto mask = static_cast<uint8_t>(1u << (x % 8));
    if ((byte & mask) == 0) {
      byte = static_cast<uint8_t>(byte | mask);
      ++set_bit_count_;
    }
    ProbeNext(x, y, i);
  }
}

bool BloomFilter::MightContain(absl::string_view id) const {
  uint64_t x = 0, y = 0;
  ProbeStart(id, x, y);
  for (uint32_t i = 0; i < hash_count_; ++i) {
    if (!BitAt(static_cast<uint32_t>(x))) return false;
    ProbeNext(x, y, i);
  }
  return true;
}

double BloomFilter::FillRatio() const {
  return static_cast<double>(set_bit_count_) / static_cast<double>(bit_count_);
}

double BloomFilter::EstimatedItemCount() const {
  if (set_bit_count_ >= bit_count_) return std::numeric_limits<double>::infinity();
  return -static_cast<double>(bit_count_) / static_cast<double>(hash_count_) * std::log1p(-FillRatio());
}

double BloomFilter::EstimatedFalsePositiveRate() const {
  return std::pow(FillRatio(), static_cast<double>(hash_count_));
}

std::vector<uint32_t> BloomFilter::SetBits() const {
  std::vector<uint32_t> set_bits;
  set_bits.reserve(set_bit_count_);
  for (size_t byte = 0; byte < bits_.size(); ++byte) {
    if (bits_[byte] == 0) continue;
    for (uint32_t bit = 0; bit < 8; ++bit) {
      if ((bits_[byte] >> bit) & 1) set_bits.push_back(static_cast<uint32_t>(byte * 8) + bit);
    }
  }
  return set_bits;
}

size_t BloomFilter::PositionsBodyBytes(const std::vector<uint32_t>& set_bits) {
  size_t bytes = kBloomCountBytes;
  uint32_t next = 0;  // the previous set bit + 1
  for (const uint32_t bit : set_bits) {
    bytes += BloomVarintBytes(bit - next);
    next = bit + 1;
  }
  return bytes;
}

std::string BloomFilter::Serialize() const {
  const std::vector<uint32_t> set_bits = SetBits();
  const size_t positions_bytes = PositionsBodyBytes(set_bits);
  const bool positions = positions_bytes < bits_.size();
  std::string out;
  out.reserve(kBloomHeaderBytes + (positions ? positions_bytes : bits_.size()));
  out.push_back(static_cast<char>(positions ? kBloomPositionsForm : kBloomBitmapForm));
  AppendBloomLittleEndian(out, bit_count_, 4);
  out.push_back(static_cast<char>(hash_count_));
  if (!positions) {
    out.append(reinterpret_cast<const char*>(bits_.data()), bits_.size());
    return out;
  }
  AppendBloomLittleEndian(out, static_cast<uint32_t>(set_bits.size()), kBloomCountBytes);
  uint32_t next = 0;
  for (const uint32_t bit : set_bits) {
    AppendBloomVarint(out, bit - next);
    next = bit + 1;
  }
  return out;
}

absl::StatusOr<BloomFilter> BloomFilter::Parse(absl::string_view bytes) {
  if (bytes.size() < kBloomHeaderBytes) return BloomParseError("shorter than its header");
  if (bytes.size() > kMaxSerializedBloomBytes) return BloomParseError("oversized");
  const auto form = static_cast<uint8_t>(bytes[0]);
  const uint32_t bits = ReadBloomLittleEndian(bytes, 1, 4);
  const uint32_t hashes = static_cast<uint8_t>(bytes[5]);
  if (form != kBloomBitmapForm && form != kBloomPositionsForm) return BloomParseError("unknown form");
  if (bits == 0 || bits > kMaxBloomBits) {
    return BloomParseError(absl::StrCat("bit count ", bits, " outside [1, ", kMaxBloomBits, "]"));
  }
  if (hashes == 0 || hashes > kMaxBloomHashes) {
    return BloomParseError(absl::StrCat("hash count ", hashes, " outside [1, ", kMaxBloomHashes, "]"));
  }
  BloomFilter filter = OfShape(bits, hashes);
  const absl::string_view body = bytes.substr(kBloomHeaderBytes);

  if (form == kBloomBitmapForm) {
    if (body.size() != filter.bits_.size()) return BloomParseError("bitmap of the wrong length");
    for (size_t i = 0; i < body.size(); ++i) {
      filter.bits_[i] = static_cast<uint8_t>(body[i]);
      filter.set_bit_count_ += static_cast<uint32_t>(std::popcount(filter.bits_[i]));
    }
    if (bits % 8 != 0 && (filter.bits_.back() >> (bits % 8)) != 0) return BloomParseError("padding bits set");
  } else {
    if (body.size() < kBloomCountBytes) return BloomParseError("truncated count");
    const uint32_t count = ReadBloomLittleEndian(body, 0, kBloomCountBytes);
    // Each position takes at least one byte: a count the body cannot hold
    // is refused before any work.
    if (count > body.size() - kBloomCountBytes) return BloomParseError("truncated positions");
    size_t at = kBloomCountBytes;
    uint32_t next = 0;
    for (uint32_t i = 0; i < count; ++i) {
      uint32_t gap = 0;
      if (!ReadBloomVarint(body, at, gap)) return BloomParseError("truncated or non-minimal position");
      if (gap >= bits - next) return BloomParseError("position out of range");
      const uint32_t bit = next + gap;
      filter.bits_[bit / 8] = static_cast<uint8_t>(filter.bits_[bit / 8] | (1u << (bit % 8)));
      next = bit + 1;
    }
    filter.set_bit_count_ = count;
    if (at != body.size()) return BloomParseError("trailing bytes");
  }

  // One encoding per filter: the shorter form, as Serialize picks it.
  const bool positions_shorter = PositionsBodyBytes(filter.SetBits()) < filter.bits_.size();
  if (positions_shorter != (form == kBloomPositionsForm)) return BloomParseError("not in its shorter form");
  return filter;
}

}  // namespace clipforge::feed
