#include "moderation/hash_index.h"

#include <algorithm>
#include <random>
#include <vector>

#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clipforge::moderation {
namespace {

using ::clipforge::base::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

PdqHash RandomHash(std::mt19937_64& rng) {
  PdqHash h;
  for (uint64_t& w : h.words) w = rng();
  return h;
}

// `base` with exactly `bits` distinct random bits flipped.
PdqHash FlipBits(const PdqHash& base, int bits, std::mt19937_64& rng) {
  std::vector<int> positions(256);
  for (int i = 0; i < 256; ++i) positions[i] = i;
  std::shuffle(positions.begin(), positions.end(), rng);
  PdqHash out = base;
  for (int i = 0; i < bits; ++i) out.words[positions[i] >> 6] ^= uint64_t{1} << (positions[i] & 63);
  return out;
}

// The brute-force answer, computed here rather than by the index.
std::vector<std::pair<uint32_t, int>> BruteForce(const std::vector<PdqHash>& bank, const PdqHash& q, int radius) {
  std::vector<std::pair<uint32_t, int>> out;
  for (uint32_t i = 0; i < bank.size(); ++i) {
    const int d = HammingDistance(bank[i], q);
    if (d <= radius) out.push_back({i, d});
  }
  return out;
}

std::vector<std::pair<uint32_t, int>> Pairs(std::vector<HashMatch> matches) {
  std::vector<std::pair<uint32_t, int>> out;
  for (const HashMatch& m : matches) out.push_back({m.entry, m.distance});
  std::sort(out.begin(), out.end());
  return out;
}

TEST(HashIndex, EmptyIndexFindsNothing) {
  HashIndexBuilder builder;
  ASSERT_OK_AND_ASSIGN(HashIndex index, builder.Build());
  EXPECT_EQ(index.size(), 0u);
  ASSERT_OK_AND_ASSIGN(std::vector<HashMatch> m, index.Query(PdqHash{}, 31));
  EXPECT_THAT(m, IsEmpty());
}

TEST(HashIndex, ReturnsPayloadsSortedByDistance) {
  std::mt19937_64 rng(1);
  const PdqHash q = RandomHash(rng);
  HashIndexBuilder builder;
  builder.Add({FlipBits(q, 20, rng), 1001, 7, 3});  // entry 0
  builder.Add({RandomHash(rng), 1002, 7, 3});       // entry 1: far
  builder.Add({q, 1003, 9, 1});                     // entry 2: exact, an allow-list bank say
  builder.Add({FlipBits(q, 31, rng), 1004, 7, 5});  // entry 3: at the radius
  builder.Add({FlipBits(q, 32, rng), 1005, 7, 5});  // entry 4: just past it
  ASSERT_OK_AND_ASSIGN(HashIndex index, builder.Build());
  ASSERT_OK_AND_ASSIGN(std::vector<HashMatch> m, index.Query(q, 31));
  EXPECT_THAT(m, ElementsAre(HashMatch{2, 1003, 9, 1, 0}, HashMatch{0, 1001, 7, 3, 20}, HashMatch{3, 1004, 7, 5, 31}));
  EXPECT_EQ(index.Entry(4).label_id, 1005u);
  EXPECT_THAT(index.Query(q, -1).status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(index.Query(q, 257).status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(HashIndex, SubstringsCoverTheHash) {
  std::mt19937_64 rng(2);
  const PdqHash h = RandomHash(rng);
  PdqHash rebuilt;
  for (int s = 0; s < HashIndex::kSubstrings; ++s) {
    rebuilt.words[s / 4] |= uint64_t{Substring(h, s)} << (16 * (s % 4));
  }
  EXPECT_EQ(rebuilt, h);
}

// 100k random hashes plus planted neighbours of the queries at every
// distance 0..40, several per distance: the index must return exactly the
// brute-force set at r = 31 (and at other radii, including the scan ones).
TEST(HashIndex, MatchesBruteForceOnRandomBankWithPlantedNeighbours) {
  std::mt19937_64 rng(42);
  constexpr int kRandom = 100'000;
  constexpr int kQueries = 40;
  std::vector<PdqHash> bank;
  bank.reserve(kRandom + kQueries * 41 * 3);
  for (int i = 0; i < kRandom; ++i) bank.push_back(RandomHash(rng));
  std::vector<PdqHash> queries;
  for (int q = 0; q < kQueries; ++q) {
    queries.push_back(RandomHash(rng));
    for (int d = 0; d <= 40; ++d) {
      for (int copies = 0; copies < 3; ++copies) bank.push_back(FlipBits(queries.back(), d, rng));
    }
  }
  // Neighbours whose flipped bits crowd one substring: the pigeonhole edge.
  for (int q = 0; q < kQueries; ++q) {
    PdqHash crowded = queries[q];
    for (int b = 0; b < 16; ++b) crowded.words[0] ^= uint64_t{1} << b;       // all of substring 0
    for (int s = 1; s <= 15; ++s) crowded.words[s / 4] ^= uint64_t{1} << (16 * (s % 4));  // 1 bit in each other
    bank.push_back(crowded);  // distance 31: every substring but one differs by exactly 1
  }
  std::shuffle(bank.begin(), bank.end(), rng);

  HashIndexBuilder builder;
  for (uint32_t i = 0; i < bank.size(); ++i) builder.Add({bank[i], i, 0, 0});
  ASSERT_OK_AND_ASSIGN(HashIndex index, builder.Build());
  ASSERT_EQ(index.size(), bank.size());

  size_t planted_found = 0;
  for (const PdqHash& q : queries) {
    for (int radius : {31, 0, 15, 16, 32, 47, 48, 64}) {
      ASSERT_OK_AND_ASSIGN(std::vector<HashMatch> got, index.Query(q, radius));
      EXPECT_EQ(Pairs(got), BruteForce(bank, q, radius)) << "radius " << radius;
      if (radius == 31) planted_found += got.size();
      ASSERT_OK_AND_ASSIGN(std::vector<HashMatch> scanned, index.Scan(q, radius));
      EXPECT_EQ(scanned, got);
    }
  }
  EXPECT_GE(planted_found, static_cast<size_t>(kQueries * (32 * 3 + 1)));
  // Random queries: almost surely nothing within 31 of random hashes.
  for (int i = 0; i < 20; ++i) {
    const PdqHash q = RandomHash(rng);
    ASSERT_OK_AND_ASSIGN(std::vector<HashMatch> got, index.Query(q, 31));
    EXPECT_EQ(Pairs(got), BruteForce(bank, q, 31));
  }
}

}  // namespace
}  // namespace clipforge::moderation
