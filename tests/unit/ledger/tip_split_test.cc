// The tip split, worked by hand: the fee and the royalties rounded down,
// the remainders to the creators, the limits to the micro; ancestors who
// are the tipper or a creator or not eligible earn nothing and depths past
// four are ignored; co-authors split by weight with ties to the smallest
// id; self-tips and bad requests refused with the field named; the rules
// validated and versioned.
#include "ledger/tip_split.h"

#include <string>
#include <vector>

#include "base/error_reason.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/money.h"

namespace clipforge::ledger {
namespace {

using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;

// A tip of `gross` from "tipper" to clip "clip" by "creator", with a
// lineage of four eligible ancestors by "a1".."a4".
TipSplitRequest TipTestRequest(Micros gross) {
  TipSplitRequest request;
  request.gross = gross;
  request.tipper_id = "tipper";
  request.clip_id = "clip";
  request.creators = {{"creator", 1}};
  request.lineage = {{"clip-1", "a1", true}, {"clip-2", "a2", true}, {"clip-3", "a3", true}, {"clip-4", "a4", true}};
  return request;
}

TipLeg TipTestFee(Micros amount) { return {TipLegKind::kPlatformFee, "", "", 0, amount}; }
TipLeg TipTestRoyalty(int depth, Micros amount) {
  const std::string n = std::to_string(depth);
  return {TipLegKind::kRoyalty, "a" + n, "clip-" + n, depth, amount};
}
TipLeg TipTestShare(std::string user_id, Micros amount, TipLegKind kind = TipLegKind::kCreatorShare) {
  return {kind, std::move(user_id), "clip", 0, amount};
}

Micros TipTestLegSum(const TipSplit& split) {
  Micros sum = 0;
  for (const TipLeg& leg : split.legs) sum += leg.amount;
  return sum;
}

TEST(SplitTipTest, OneUnitWithAFullLineage) {
  ASSERT_OK_AND_ASSIGN(const TipSplit split, SplitTip(TipTestRequest(1'000'000), TipRules()));
  EXPECT_EQ(split.rules_version, 1);
  EXPECT_EQ(split.gross, 1'000'000);
  EXPECT_EQ(split.fee, 50'000);
  EXPECT_EQ(split.net, 950'000);
  // 47,500 + 23,750 + 11,875 + 5,937 (5,937.5 rounded down).
  EXPECT_EQ(split.royalties, 89'062);
  EXPECT_EQ(split.creators_share, 860'938);
  EXPECT_THAT(split.legs, ElementsAre(TipTestFee(50'000), TipTestRoyalty(1, 47'500), TipTestRoyalty(2, 23'750),
                                      TipTestRoyalty(3, 11'875), TipTestRoyalty(4, 5'937),
                                      TipTestShare("creator", 860'938)));
  EXPECT_EQ(TipTestLegSum(split), 1'000'000);
}

TEST(SplitTipTest, EveryRoundingRemainderGoesToTheCreator) {
  ASSERT_OK_AND_ASSIGN(const TipSplit split, SplitTip(TipTestRequest(123'457), TipRules()));
  // fee 6,172.85; royalties of 117,285: 5,864.25, 2,932.125, 1,466.06, 733.03.
  EXPECT_THAT(split.legs, ElementsAre(TipTestFee(6'172), TipTestRoyalty(1, 5'864), TipTestRoyalty(2, 2'932),
                                      TipTestRoyalty(3, 1'466), TipTestRoyalty(4, 733),
                                      TipTestShare("creator", 106'290)));
  EXPECT_EQ(TipTestLegSum(split), 123'457);
}

TEST(SplitTipTest, TheSmallestAndLargestTips) {
  ASSERT_OK_AND_ASSIGN(const TipSplit smallest, SplitTip(TipTestRequest(100'000), TipRules()));
  EXPECT_THAT(smallest.legs, ElementsAre(TipTestFee(5'000), TipTestRoyalty(1, 4'750), TipTestRoyalty(2, 2'375),
                                         TipTestRoyalty(3, 1'187), TipTestRoyalty(4, 593),
                                         TipTestShare("creator", 86'095)));
  ASSERT_OK_AND_ASSIGN(const TipSplit largest, SplitTip(TipTestRequest(500'000'000), TipRules()));
  EXPECT_THAT(largest.legs,
              ElementsAre(TipTestFee(25'000'000), TipTestRoyalty(1, 23'750'000), TipTestRoyalty(2, 11'875'000),
                          TipTestRoyalty(3, 5'937'500), TipTestRoyalty(4, 2'968'750),
                          TipTestShare("creator", 430'468'750)));
}

TEST(SplitTipTest, OneMicroOutsideTheLimitsIsRefusedWithTheLimits) {
  EXPECT_THAT(SplitTip(TipTestRequest(99'999), TipRules()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("amount: must be from 0.100000 to 500.000000 (100000 to 500000000 micros); "
                                 "got 0.099999")));
  EXPECT_THAT(SplitTip(TipTestRequest(500'000'001), TipRules()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("got 500.000001")));
  EXPECT_THAT(SplitTip(TipTestRequest(0), TipRules()), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(SplitTip(TipTestRequest(-1'000'000), TipRules()), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(SplitTipTest, AncestorsWhoAreTheTipperOrACreatorOrIneligibleEarnNothing) {
  TipSplitRequest request = TipTestRequest(1'000'000);
  request.lineage[0].author_id = "tipper";
  request.lineage[1].author_id = "creator";
  request.lineage[2].eligible = false;
  ASSERT_OK_AND_ASSIGN(const TipSplit split, SplitTip(request, TipRules()));
  // Only the fourth is paid, at the fourth depth's rate; the others'
  // shares stay with the creator.
  EXPECT_THAT(split.legs,
              ElementsAre(TipTestFee(50'000), TipTestRoyalty(4, 5'937), TipTestShare("creator", 944'063)));
  EXPECT_EQ(TipTestLegSum(split), 1'000'000);
}

TEST(SplitTipTest, AnIneligibleAncestorNeedsNoAuthor) {
  TipSplitRequest request = TipTestRequest(1'000'000);
  request.lineage[1] = {"clip-2", "", false};
  ASSERT_OK_AND_ASSIGN(const TipSplit split, SplitTip(request, TipRules()));
  EXPECT_EQ(split.royalties, 47'500 + 11'875 + 5'937);
}

TEST(SplitTipTest, LineageBeyondFourIsIgnored) {
  TipSplitRequest request = TipTestRequest(1'000'000);
  request.lineage.push_back({"clip-5", "a5", true});
  request.lineage.push_back({"clip-6", "", true});  // not even checked
  ASSERT_OK_AND_ASSIGN(const TipSplit split, SplitTip(request, TipRules()));
  EXPECT_EQ(split.legs.size(), 6u);
  EXPECT_EQ(split.royalties, 89'062);
  EXPECT_EQ(split.legs.back(), TipTestShare("creator", 860'938));
}

TEST(SplitTipTest, ShortLineagesPayTheirOwnDepthsOnly) {
  TipSplitRequest request = TipTestRequest(1'000'000);
  request.lineage.resize(1);
  ASSERT_OK_AND_ASSIGN(const TipSplit parent_only, SplitTip(request, TipRules()));
  EXPECT_THAT(parent_only.legs,
              ElementsAre(TipTestFee(50'000), TipTestRoyalty(1, 47'500), TipTestShare("creator", 902'500)));
  request.lineage.clear();
  ASSERT_OK_AND_ASSIGN(const TipSplit original, SplitTip(request, TipRules()));
  EXPECT_THAT(original.legs, ElementsAre(TipTestFee(50'000), TipTestShare("creator", 950'000)));
}

TEST(SplitTipTest, OneAuthorAtTwoDepthsIsPaidForEach) {
  TipSplitRequest request = TipTestRequest(1'000'000);
  request.lineage[2].author_id = "a1";
  ASSERT_OK_AND_ASSIGN(const TipSplit split, SplitTip(request, TipRules()));
  ASSERT_EQ(split.legs.size(), 6u);
  EXPECT_EQ(split.legs[1], TipTestRoyalty(1, 47'500));
  EXPECT_EQ(split.legs[3], (TipLeg{TipLegKind::kRoyalty, "a1", "clip-3", 3, 11'875}));
}

TEST(SplitTipTest, CoAuthorsSplitByWeight) {
  TipSplitRequest request = TipTestRequest(1'000'000);
  request.lineage.resize(1);
  request.creators = {{"ann", 3}, {"ben", 1}};
  ASSERT_OK_AND_ASSIGN(const TipSplit split, SplitTip(request, TipRules()));
  EXPECT_EQ(split.creators_share, 902'500);
  EXPECT_THAT(split.legs, ElementsAre(TipTestFee(50'000), TipTestRoyalty(1, 47'500), TipTestShare("ann", 676'875),
                                      TipTestShare("ben", 225'625, TipLegKind::kCoAuthorShare)));
}

TEST(SplitTipTest, CoAuthorsLeftoverMicrosGoToTheLargestRemainderThenTheSmallestId) {
  TipSplitRequest request = TipTestRequest(1'000'000);
  request.lineage.clear();
  // 950,000 / 3: two micros left, ties broken by id whatever the order.
  request.creators = {{"cat", 1}, {"ben", 1}, {"ann", 1}};
  ASSERT_OK_AND_ASSIGN(const TipSplit equal, SplitTip(request, TipRules()));
  EXPECT_THAT(equal.legs, ElementsAre(TipTestFee(50'000), TipTestShare("cat", 316'666),
                                      TipTestShare("ben", 316'667, TipLegKind::kCoAuthorShare),
                                      TipTestShare("ann", 316'667, TipLegKind::kCoAuthorShare)));
  // 2:1 of 950,000: 633,333.33 and 316,666.67; the larger remainder wins
  // over the smaller id.
  request.creators = {{"ann", 2}, {"ben", 1}};
  ASSERT_OK_AND_ASSIGN(const TipSplit weighted, SplitTip(request, TipRules()));
  EXPECT_THAT(weighted.legs, ElementsAre(TipTestFee(50'000), TipTestShare("ann", 633'333),
                                         TipTestShare("ben", 316'667, TipLegKind::kCoAuthorShare)));
}

TEST(SplitTipTest, LegsThatRoundToZeroAreLeftOut) {
  TipSplitRequest request = TipTestRequest(100'000);
  request.lineage.clear();
  request.creators = {{"ann", 1}, {"ben", 1'000'000}};
  ASSERT_OK_AND_ASSIGN(const TipSplit split, SplitTip(request, TipRules()));
  EXPECT_THAT(split.legs,
              ElementsAre(TipTestFee(5'000), TipTestShare("ben", 95'000, TipLegKind::kCoAuthorShare)));

  TipRules tiny_royalty;
  tiny_royalty.royalty_ppm = {1, 0, 0, 0};
  ASSERT_OK_AND_ASSIGN(const TipSplit no_royalty, SplitTip(TipTestRequest(100'000), tiny_royalty));
  EXPECT_EQ(no_royalty.royalties, 0);
  EXPECT_THAT(no_royalty.legs, ElementsAre(TipTestFee(5'000), TipTestShare("creator", 95'000)));

  TipRules no_fee;
  no_fee.fee_ppm = 0;
  no_fee.royalty_ppm = {0, 0, 0, 0};
  ASSERT_OK_AND_ASSIGN(const TipSplit all_to_creator, SplitTip(TipTestRequest(100'000), no_fee));
  EXPECT_THAT(all_to_creator.legs, ElementsAre(TipTestShare("creator", 100'000)));
}

TEST(SplitTipTest, SelfTipsAreRefusedWithTheirReason) {
  TipSplitRequest request = TipTestRequest(1'000'000);
  request.tipper_id = "creator";
  const absl::StatusOr<TipSplit> own = SplitTip(request, TipRules());
  EXPECT_THAT(own, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("tipper_id")));
  EXPECT_THAT(base::ReasonOf(own.status()), Optional(std::string(kSelfTipReason)));

  request.creators = {{"ann", 1}, {"creator", 1}};
  const absl::StatusOr<TipSplit> co_authored = SplitTip(request, TipRules());
  EXPECT_THAT(co_authored, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(base::ReasonOf(co_authored.status()), Optional(std::string("SELF_TIP")));
}

TEST(SplitTipTest, BadRequestsNameTheirField) {
  const auto refused = [](void (*change)(TipSplitRequest&)) {
    TipSplitRequest request = TipTestRequest(1'000'000);
    change(request);
    return SplitTip(request, TipRules()).status();
  };
  EXPECT_THAT(refused([](TipSplitRequest& r) { r.tipper_id.clear(); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tipper_id")));
  EXPECT_THAT(refused([](TipSplitRequest& r) { r.creators.clear(); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("creators")));
  EXPECT_THAT(refused([](TipSplitRequest& r) { r.creators = {{"ann", 1}, {"", 1}}; }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("creators[1].user_id")));
  EXPECT_THAT(refused([](TipSplitRequest& r) { r.creators = {{"ann", 1}, {"ann", 2}}; }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("more than once")));
  EXPECT_THAT(refused([](TipSplitRequest& r) { r.creators = {{"ann", 0}}; }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("creators[0].weight")));
  EXPECT_THAT(refused([](TipSplitRequest& r) { r.lineage[3].author_id.clear(); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("lineage[3].author_id")));
  // A bad amount is reported before a self-tip.
  EXPECT_THAT(refused([](TipSplitRequest& r) {
                r.gross = 1;
                r.tipper_id = "creator";
              }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("amount")));
}

TEST(TipRulesTest, TheDefaultsAreVersionOneAndValid) {
  const TipRules rules;
  EXPECT_EQ(rules.version, 1);
  EXPECT_EQ(rules.fee_ppm, 50'000);
  EXPECT_THAT(rules.royalty_ppm, ElementsAre(50'000, 25'000, 12'500, 6'250));
  EXPECT_EQ(rules.min_tip, 100'000);
  EXPECT_EQ(rules.max_tip, 500'000'000);
  EXPECT_THAT(ValidateTipRules(rules), IsOk());
  ASSERT_OK_AND_ASSIGN(const TipRules version_one, TipRulesOfVersion(1));
  EXPECT_EQ(version_one.version, 1);
  EXPECT_EQ(version_one.fee_ppm, rules.fee_ppm);
  EXPECT_EQ(version_one.royalty_ppm, rules.royalty_ppm);
  EXPECT_EQ(version_one.min_tip, rules.min_tip);
  EXPECT_EQ(version_one.max_tip, rules.max_tip);
  EXPECT_THAT(TipRulesOfVersion(2), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(TipRulesOfVersion(0), StatusIs(absl::StatusCode::kNotFound));
}

TEST(TipRulesTest, RulesThatCannotSplitATipAreRefused) {
  const auto invalid = [](void (*change)(TipRules&)) {
    TipRules rules;
    change(rules);
    return ValidateTipRules(rules);
  };
  constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_THAT(invalid([](TipRules& r) { r.version = 0; }), StatusIs(kInvalid, HasSubstr("rules.version")));
  EXPECT_THAT(invalid([](TipRules& r) { r.fee_ppm = -1; }), StatusIs(kInvalid, HasSubstr("rules.fee_ppm")));
  EXPECT_THAT(invalid([](TipRules& r) { r.fee_ppm = 1'000'001; }), StatusIs(kInvalid, HasSubstr("rules.fee_ppm")));
  EXPECT_THAT(invalid([](TipRules& r) { r.royalty_ppm[2] = -1; }),
              StatusIs(kInvalid, HasSubstr("rules.royalty_ppm[2]")));
  EXPECT_THAT(invalid([](TipRules& r) { r.royalty_ppm = {500'000, 500'000, 1, 0}; }),
              StatusIs(kInvalid, HasSubstr("sum")));
  EXPECT_THAT(invalid([](TipRules& r) { r.min_tip = 0; }), StatusIs(kInvalid, HasSubstr("min_tip")));
  EXPECT_THAT(invalid([](TipRules& r) { r.max_tip = r.min_tip - 1; }), StatusIs(kInvalid, HasSubstr("max_tip")));
  EXPECT_THAT(invalid([](TipRules& r) {
                r.fee_ppm = 1'000'000;
                r.royalty_ppm = {1'000'000, 0, 0, 0};
              }),
              IsOk());

  TipRules broken;
  broken.fee_ppm = -5;
  EXPECT_THAT(SplitTip(TipTestRequest(1'000'000), broken), StatusIs(kInvalid, HasSubstr("rules.fee_ppm")));
}

TEST(TipRulesTest, ASplitRecordsItsRulesVersion) {
  TipRules ten_percent;
  ten_percent.version = 2;
  ten_percent.fee_ppm = 100'000;
  ASSERT_OK_AND_ASSIGN(const TipSplit split, SplitTip(TipTestRequest(1'000'000), ten_percent));
  EXPECT_EQ(split.rules_version, 2);
  EXPECT_EQ(split.fee, 100'000);
  EXPECT_EQ(split.net, 900'000);
  EXPECT_EQ(TipTestLegSum(split), 1'000'000);
}

}  // namespace
}  // namespace clipforge::ledger
