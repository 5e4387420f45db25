// The live hash banks: each bank's own distance, the allow-list (per bank
// or for all), the quality floor, and a category's cap on what a match
// decides.
#include "services/moderation/active_banks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "base/testing/status_matchers.h"

namespace clipforge::moderation_service {
namespace {

using ::testing::ElementsAre;

moderation::PdqHash RandomHash(std::mt19937_64& rng) {
  moderation::PdqHash hash;
  for (uint64_t& word : hash.words) word = rng();
  return hash;
}

// `hash` with its first `bits` bits flipped.
moderation::PdqHash Flipped(moderation::PdqHash hash, int bits) {
  for (int k = 0; k < bits; ++k) hash.words[k >> 6] ^= uint64_t{1} << (k & 63);
  return hash;
}

class ActiveBanksTest : public ::testing::Test {
 protected:
  HashBankRecord Bank(const std::string& id, int32_t seq, v1::ModerationCategory category, int max_distance) {
    return {.bank_id = id, .seq = seq, .name = id, .category = category,
            .decision = v1::MODERATION_DECISION_BLOCK, .max_distance = max_distance};
  }

  std::shared_ptr<const ActiveBanks> Build() {
    absl::StatusOr<std::shared_ptr<const ActiveBanks>> banks = ActiveBanks::Build(snapshot_);
    EXPECT_TRUE(banks.ok()) << banks.status();
    return banks.ok() ? *banks : nullptr;
  }

  std::mt19937_64 rng_{42};
  moderation::PdqHash known_ = RandomHash(rng_);
  BankSnapshot snapshot_{
      .version = 7,
      .banks = {Bank("strict", 1, v1::MODERATION_CATEGORY_CHILD_SAFETY, 10),
                Bank("loose", 2, v1::MODERATION_CATEGORY_SPAM, 40)},
      .entries = {{"e1", 1, PdqBytes(known_), "ncmec-1"}, {"e2", 2, PdqBytes(known_), "spam-9"}},
      .policies = {{.category = v1::MODERATION_CATEGORY_CHILD_SAFETY,
                    .media_match_decision = v1::MODERATION_DECISION_BLOCK},
                   {.category = v1::MODERATION_CATEGORY_SPAM, .media_match_decision = v1::MODERATION_DECISION_REVIEW}}};
};

TEST_F(ActiveBanksTest, EachBankMatchesWithinItsOwnDistance) {
  const std::shared_ptr<const ActiveBanks> banks = Build();
  ASSERT_NE(banks, nullptr);
  EXPECT_EQ(banks->version(), 7);
  std::vector<BankHit> near = banks->Match(Flipped(known_, 5));
  ASSERT_EQ(near.size(), 2u);
  EXPECT_EQ(near[0].distance, 5);
  const std::vector<BankHit> far = banks->Match(Flipped(known_, 20));
  ASSERT_EQ(far.size(), 1u);
  EXPECT_EQ(far[0].bank_id, "loose");
  EXPECT_EQ(far[0].external_id, "spam-9");
  EXPECT_TRUE(banks->Match(Flipped(known_, 41)).empty());
}

TEST_F(ActiveBanksTest, ACategoryCapLowersWhatAMatchDecides) {
  const std::shared_ptr<const ActiveBanks> banks = Build();
  const std::vector<BankHit> hits = banks->Match(Flipped(known_, 20));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].decision, v1::MODERATION_DECISION_REVIEW);  // The spam bank says BLOCK; spam's cap is REVIEW.
  const MediaCheck check = banks->Check({{.frame_index = 0, .hash = known_, .quality = 90}});
  EXPECT_EQ(check.decision, v1::MODERATION_DECISION_BLOCK);
  EXPECT_EQ(check.categories.size(), 2u);
}

TEST_F(ActiveBanksTest, TheAllowListSilencesItsBankOrAll) {
  snapshot_.allow_list = {{.entry_id = "a1", .bank_id = "strict", .hash = PdqBytes(Flipped(known_, 2))}};
  std::shared_ptr<const ActiveBanks> banks = Build();
  std::vector<BankHit> hits = banks->Match(known_);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].bank_id, "loose");
  snapshot_.allow_list[0].bank_id = "";
  banks = Build();
  EXPECT_TRUE(banks->Match(known_).empty());
}

TEST_F(ActiveBanksTest, LowQualityFramesAreCountedButNotMatched) {
  const std::shared_ptr<const ActiveBanks> banks = Build();
  const moderation::PdqHash other = RandomHash(rng_);
  const MediaCheck check = banks->Check({{.frame_index = 0, .hash = known_, .quality = kMinMatchQuality - 1},
                                         {.frame_index = 1, .hash = other, .quality = 100}});
  EXPECT_EQ(check.frames_checked, 2);
  EXPECT_EQ(check.decision, v1::MODERATION_DECISION_ALLOW);
  EXPECT_TRUE(check.frames.empty());
  EXPECT_EQ(check.banks_version, 7);
  // Every frame's hash, matched or not, in order (for near-duplicate search).
  EXPECT_THAT(check.frame_hashes, ElementsAre(known_, other));
}

TEST_F(ActiveBanksTest, HashesCrossAsThe32BytesOfTheirHexForm) {
  const std::string bytes = PdqBytes(known_);
  ASSERT_EQ(bytes.size(), 32u);
  ASSERT_OK_AND_ASSIGN(const moderation::PdqHash back, PdqFromBytes(bytes));
  EXPECT_EQ(back, known_);
  EXPECT_FALSE(PdqFromBytes("short").ok());
}

}  // namespace
}  // namespace clipforge::moderation_service
