// The tip split's properties over 1,000,000 random tips (fixed seed, so a
// failure reproduces): the legs sum to the tip exactly and none is
// negative; the fee and every royalty are their rate of the tip rounded
// down and never more; only eligible ancestors who are neither the tipper
// nor a creator are paid, once per depth up to four; the creators get at
// least the net less every royalty rate, split among them by weight to
// within a micro of their quota; a tipper who is a creator is refused.
#include <algorithm>
#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/error_reason.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/money.h"
#include "ledger/tip_split.h"

namespace clipforge::ledger {
namespace {

constexpr int kTipCount = 1'000'000;
// Tips per scenario (creators, lineage, tipper), each with its own gross.
constexpr int kTipsPerScenario = 100;

// Users are drawn from a small pool, so that tippers, creators and
// ancestors' authors collide often.
std::string TipPropertyUser(std::mt19937_64& rng) {
  return absl::StrCat("u", std::uniform_int_distribution<int>(0, 11)(rng));
}

// The clip's creators, their lineage and the tipper; the gross is drawn
// per tip.
TipSplitRequest TipPropertyScenario(std::mt19937_64& rng) {
  TipSplitRequest request;
  request.clip_id = "clip";
  const int creators = std::uniform_int_distribution<int>(1, 4)(rng);
  while (static_cast<int>(request.creators.size()) < creators) {
    std::string user = TipPropertyUser(rng);
    const bool taken = std::any_of(request.creators.begin(), request.creators.end(),
                                   [&user](const TipCreator& creator) { return creator.user_id == user; });
    if (!taken) request.creators.push_back({user, std::uniform_int_distribution<int64_t>(1, 5)(rng)});
  }
  const int depth = std::uniform_int_distribution<int>(0, 6)(rng);
  for (int i = 0; i < depth; ++i) {
    request.lineage.push_back(
        {absl::StrCat("clip-", i + 1), TipPropertyUser(rng), std::bernoulli_distribution(0.85)(rng)});
  }
  request.tipper_id = TipPropertyUser(rng);
  return request;
}

Micros TipPropertyGross(std::mt19937_64& rng, const TipRules& rules) {
  switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
    case 0:  // near the smallest tip, where rounding matters most
      return rules.min_tip + std::uniform_int_distribution<Micros>(0, 1'000)(rng);
    case 1:  // near the largest
      return rules.max_tip - std::uniform_int_distribution<Micros>(0, 1'000)(rng);
    case 2:  // whole cents, as clients send
      return std::uniform_int_distribution<Micros>(rules.min_tip / 10'000, rules.max_tip / 10'000)(rng) * 10'000;
    default:
      return std::uniform_int_distribution<Micros>(rules.min_tip, rules.max_tip)(rng);
  }
}

bool TipPropertyIsCreator(const TipSplitRequest& request, const std::string& user) {
  return std::any_of(request.creators.begin(), request.creators.end(),
                     [&user](const TipCreator& creator) { return creator.user_id == user; });
}

// Every property of one split; the first violation fails the test (the
// caller then names the tip that broke it).
void CheckTipProperties(const TipSplitRequest& request, const TipRules& rules, const TipSplit& split) {
  const WideMicros gross = request.gross;
  ASSERT_EQ(split.fee, static_cast<Micros>(gross * rules.fee_ppm / kPartsPerMillion));
  ASSERT_EQ(split.net, request.gross - split.fee);

  WideMicros leg_sum = 0;
  Micros royalty_sum = 0;
  Micros creator_sum = 0;
  std::array<bool, kMaxRoyaltyDepth> depth_paid = {};
  const WideMicros total_weight = [&request] {
    WideMicros sum = 0;
    for (const TipCreator& creator : request.creators) sum += creator.weight;
    return sum;
  }();
  for (const TipLeg& leg : split.legs) {
    ASSERT_GT(leg.amount, 0);
    leg_sum += leg.amount;
    switch (leg.kind) {
      case TipLegKind::kPlatformFee:
        ASSERT_EQ(leg.amount, split.fee);
        break;
      case TipLegKind::kRoyalty: {
        ASSERT_GE(leg.depth, 1);
        ASSERT_LE(leg.depth, static_cast<int>(kMaxRoyaltyDepth));
        const size_t index = static_cast<size_t>(leg.depth - 1);
        ASSERT_FALSE(depth_paid[index]) << "depth " << leg.depth << " paid twice";
        depth_paid[index] = true;
        const TipAncestor& ancestor = request.lineage[index];
        ASSERT_TRUE(ancestor.eligible);
        ASSERT_EQ(leg.user_id, ancestor.author_id);
        ASSERT_NE(leg.user_id, request.tipper_id);
        ASSERT_FALSE(TipPropertyIsCreator(request, leg.user_id));
        // Never more than its rate, and exactly the rate rounded down.
        const WideMicros rate_share = static_cast<WideMicros>(split.net) * rules.royalty_ppm[index];
        ASSERT_LE(static_cast<WideMicros>(leg.amount) * kPartsPerMillion, rate_share);
        ASSERT_EQ(leg.amount, static_cast<Micros>(rate_share / kPartsPerMillion));
        royalty_sum += leg.amount;
        break;
      }
      case TipLegKind::kCreatorShare:
      case TipLegKind::kCoAuthorShare: {
        const auto creator = std::find_if(request.creators.begin(), request.creators.end(),
                                          [&leg](const TipCreator& c) { return c.user_id == leg.user_id; });
        ASSERT_NE(creator, request.creators.end());
        ASSERT_EQ(leg.kind == TipLegKind::kCreatorShare, creator == request.creators.begin());
        // Within a micro of its exact quota.
        const WideMicros quota_floor = static_cast<WideMicros>(split.creators_share) * creator->weight / total_weight;
        ASSERT_TRUE(leg.amount == quota_floor || leg.amount == quota_floor + 1);
        creator_sum += leg.amount;
        break;
      }
    }
  }
  ASSERT_TRUE(leg_sum == gross);
  ASSERT_EQ(royalty_sum, split.royalties);
  ASSERT_EQ(creator_sum, split.creators_share);
  ASSERT_EQ(split.creators_share, split.net - split.royalties);

  // Every eligible ancestor within reach who is neither the tipper nor a
  // creator is paid, unless its rate rounds to nothing.
  for (size_t i = 0; i < std::min(request.lineage.size(), kMaxRoyaltyDepth); ++i) {
    const TipAncestor& ancestor = request.lineage[i];
    const bool earns = ancestor.eligible && ancestor.author_id != request.tipper_id &&
                       !TipPropertyIsCreator(request, ancestor.author_id) &&
                       PartsPerMillionOf(split.net, rules.royalty_ppm[i]) > 0;
    ASSERT_EQ(depth_paid[i], earns) << "depth " << i + 1;
  }

  // The creators get at least the net less every rate in full.
  int64_t all_rates = 0;
  for (const int64_t ppm : rules.royalty_ppm) all_rates += ppm;
  ASSERT_GE(static_cast<WideMicros>(split.creators_share) * kPartsPerMillion,
            static_cast<WideMicros>(split.net) * (kPartsPerMillion - all_rates));
}

TEST(SplitTipPropertyTest, AMillionRandomTipsKeepEveryProperty) {
  std::mt19937_64 rng(0x7469702d73706c74);  // "tip-splt"
  const TipRules rules;
  int self_tips = 0;
  int tips = 0;
  while (tips < kTipCount) {
    TipSplitRequest request = TipPropertyScenario(rng);
    if (TipPropertyIsCreator(request, request.tipper_id)) {
      request.gross = TipPropertyGross(rng, rules);
      const absl::StatusOr<TipSplit> refused = SplitTip(request, rules);
      ASSERT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
      ASSERT_EQ(base::ReasonOf(refused.status()), std::string(kSelfTipReason));
      ++self_tips;
      continue;
    }
    for (int i = 0; i < kTipsPerScenario && tips < kTipCount; ++i, ++tips) {
      request.gross = TipPropertyGross(rng, rules);
      const absl::StatusOr<TipSplit> split = SplitTip(request, rules);
      ASSERT_TRUE(split.ok()) << split.status();
      CheckTipProperties(request, rules, *split);
      if (::testing::Test::HasFatalFailure()) {
        ADD_FAILURE() << "tip " << tips << ": gross " << request.gross << " from " << request.tipper_id << " to "
                      << request.creators.size() << " creator(s), lineage of " << request.lineage.size();
        return;
      }
    }
  }
  // The small pool of users makes self-tips common: the refusal is
  // exercised too.
  EXPECT_GT(self_tips, 100);
}

}  // namespace
}  // namespace clipforge::ledger
