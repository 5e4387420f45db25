// The audit log's hash chain: a fixed canonical layout, links that break
// on any change, removal or reordering, and the first broken entry named.
#include "moderation/audit_chain.h"

#include <gtest/gtest.h>

#include <vector>

#include "base/sha256.h"

namespace clipforge::moderation {
namespace {

struct Stored {
  AuditFields fields;
  std::string prev_hash;
  std::string entry_hash;
};

std::vector<Stored> Chain(int n) {
  std::vector<Stored> chain;
  std::string prev = GenesisHash();
  for (int i = 1; i <= n; ++i) {
    AuditFields f{.sequence = i,
                  .actor_kind = 1,
                  .actor_id = "0190f2a4-5b6c-7d8e-9f01-23456789abcd",
                  .actor_roles = 17,
                  .action = "rule.created",
                  .object_id = "rule-" + std::to_string(i),
                  .details_json = "{\"pattern\":\"kill\"}",
                  .create_micros = 1'800'000'000'000'000 + i};
    const std::string hash = ChainHash(prev, f);
    chain.push_back({f, prev, hash});
    prev = hash;
  }
  return chain;
}

AuditVerifier VerifyAll(const std::vector<Stored>& chain) {
  AuditVerifier verifier(GenesisHash(), 1);
  for (const Stored& s : chain) verifier.Add(s.fields, s.prev_hash, s.entry_hash);
  return verifier;
}

TEST(AuditChainTest, TheCanonicalLayoutIsFixed) {
  const AuditFields f{.sequence = 1, .actor_kind = 1, .actor_id = "a", .actor_roles = 2, .action = "x",
                      .target_kind = 3, .target_id = "t", .object_id = "", .details_json = "{}", .create_micros = 5};
  const std::string expected = std::string("\0\0\0\0\0\0\0\x01", 8) + std::string("\0\0\0\x01", 4) +
                               std::string("\0\0\0\x01", 4) + "a" + std::string("\0\0\0\x02", 4) +
                               std::string("\0\0\0\x01", 4) + "x" + std::string("\0\0\0\x03", 4) +
                               std::string("\0\0\0\x01", 4) + "t" + std::string("\0\0\0\0", 4) +
                               std::string("\0\0\0\x02", 4) + "{}" + std::string("\0\0\0\0\0\0\0\x05", 8);
  EXPECT_EQ(CanonicalBytes(f), expected);
  EXPECT_EQ(ChainHash(GenesisHash(), f), base::Sha256(GenesisHash() + expected));
  EXPECT_EQ(GenesisHash(), std::string(32, '\0'));
}

TEST(AuditChainTest, AnIntactChainVerifies) {
  const auto chain = Chain(50);
  const AuditVerifier v = VerifyAll(chain);
  EXPECT_TRUE(v.valid());
  EXPECT_EQ(v.checked(), 50);
  EXPECT_EQ(v.last_sequence(), 50);
  EXPECT_EQ(v.last_hash(), chain.back().entry_hash);
}

TEST(AuditChainTest, AChangedEntryIsTheFirstInvalidOne) {
  auto chain = Chain(20);
  chain[6].fields.details_json = "{\"pattern\":\"kiss\"}";
  const AuditVerifier v = VerifyAll(chain);
  EXPECT_FALSE(v.valid());
  EXPECT_EQ(v.first_invalid(), 7);
  EXPECT_EQ(v.last_sequence(), 6);
}

TEST(AuditChainTest, ARehashedEntryBreaksTheNextLink) {
  auto chain = Chain(20);
  // A forger who recomputes entry 7's own hash still breaks entry 8's link.
  chain[6].fields.actor_id = "someone else";
  chain[6].entry_hash = ChainHash(chain[6].prev_hash, chain[6].fields);
  EXPECT_EQ(VerifyAll(chain).first_invalid(), 8);
}

TEST(AuditChainTest, ARemovedOrReorderedEntryIsFound) {
  auto removed = Chain(10);
  removed.erase(removed.begin() + 4);
  EXPECT_EQ(VerifyAll(removed).first_invalid(), 5);
  auto swapped = Chain(10);
  std::swap(swapped[2], swapped[3]);
  EXPECT_EQ(VerifyAll(swapped).first_invalid(), 3);
}

TEST(AuditChainTest, ARangeVerifiesFromItsPredecessorsHash) {
  const auto chain = Chain(30);
  AuditVerifier v(chain[9].entry_hash, 11);
  for (size_t i = 10; i < chain.size(); ++i) v.Add(chain[i].fields, chain[i].prev_hash, chain[i].entry_hash);
  EXPECT_TRUE(v.valid());
  EXPECT_EQ(v.checked(), 20);
}

}  // namespace
}  // namespace clipforge::moderation
