// The creator fund run: user-centric (each qualified viewer's month counts
// once), capped views, originality weighting, lineage shares, eligibility,
// lines summing to the pool exactly, bit-identical reruns whatever the
// input order, Merkle proofs for every line, and bad input refused naming
// the field.
#include "ledger/fund_run.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "base/testing/status_matchers.h"

namespace clipforge::ledger {
namespace {

using base::testing::StatusIs;
using ::testing::HasSubstr;

constexpr Micros kPool = 1'000 * kMicrosPerUnit;

// Rules where one viewer makes a creator eligible: the tests that are not
// about eligibility watch the split alone.
FundRules AnyViewerPays() {
  FundRules rules;
  rules.min_creator_viewers = 1;
  return rules;
}

FundInputs Inputs(std::vector<FundClip> clips, std::vector<FundView> views) {
  return FundInputs{.period = "2026-11", .allocation = kPool, .clips = std::move(clips), .views = std::move(views)};
}

Micros AmountOf(const FundRun& run, const std::string& creator) {
  for (const FundLine& line : run.lines) {
    if (line.creator_id == creator) return line.amount;
  }
  return 0;
}

Micros Sum(const FundRun& run) {
  Micros sum = 0;
  for (const FundLine& line : run.lines) sum += line.amount;
  return sum;
}

TEST(FundRunTest, EachQualifiedViewerCountsOnceWhateverTheyWatched) {
  // Ann watched x's clip ten times; Bo watched y's clip five times. Pro
  // rata would pay x twice y; user-centric pays them alike.
  const absl::StatusOr<FundRun> run =
      ComputeFundRun(Inputs({{.clip_id = "cx", .creator_id = "x"}, {.clip_id = "cy", .creator_id = "y"}},
                            {{"ann", "cx", 10}, {"bo", "cy", 5}}),
                     AnyViewerPays());
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->qualified_viewers, 2);
  EXPECT_EQ(AmountOf(*run, "x"), kPool / 2);
  EXPECT_EQ(AmountOf(*run, "y"), kPool / 2);
}

TEST(FundRunTest, ReplaysAreCappedAndViewersBelowTheMinimumDoNotCount) {
  FundRules rules = AnyViewerPays();
  // Ann splits her month between x (replayed 1,000 times, counted 10) and
  // y (10): half each. Cy watched 4 views in all: below 5, not counted.
  const absl::StatusOr<FundRun> run = ComputeFundRun(
      Inputs({{.clip_id = "cx", .creator_id = "x"}, {.clip_id = "cy", .creator_id = "y"}, {.clip_id = "cz", .creator_id = "z"}},
             {{"ann", "cx", 1000}, {"ann", "cy", 10}, {"cy", "cz", 4}}),
      rules);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->qualified_viewers, 1);
  EXPECT_EQ(AmountOf(*run, "x"), kPool / 2);
  EXPECT_EQ(AmountOf(*run, "y"), kPool / 2);
  EXPECT_EQ(AmountOf(*run, "z"), 0);
}

TEST(FundRunTest, OriginalWorkEarnsTwiceACopysShare) {
  const absl::StatusOr<FundRun> run = ComputeFundRun(
      Inputs({{.clip_id = "original", .creator_id = "x", .originality = 1.0},
              {.clip_id = "copy", .creator_id = "y", .originality = 0.0}},
             {{"ann", "original", 5}, {"ann", "copy", 5}}),
      AnyViewerPays());
  ASSERT_TRUE(run.ok()) << run.status();
  // Weights 1.0 and 0.5: two thirds and one third, the odd micro to the
  // larger remainder.
  EXPECT_NEAR(static_cast<double>(AmountOf(*run, "x")), 2.0 * kPool / 3, 1.0);
  EXPECT_NEAR(static_cast<double>(AmountOf(*run, "y")), 1.0 * kPool / 3, 1.0);
  EXPECT_EQ(Sum(*run), kPool);
}

TEST(FundRunTest, AShareOfAForksPointsPassesUpItsLineage) {
  // Only the fork is watched: its parent's author earns 5% of it, the
  // grandparent's 2.5%; an ineligible ancestor and the creator's own
  // ancestor clip earn nothing (their shares stay with the creator).
  const FundClip fork{.clip_id = "fork",
                      .creator_id = "y",
                      .ancestors = {{"p"}, {"g"}, {.creator_id = "banned", .eligible = false}, {"y"}}};
  FundInputs inputs = Inputs({fork, {.clip_id = "pc", .creator_id = "p"}, {.clip_id = "gc", .creator_id = "g"}},
                             {{"ann", "fork", 5}});
  // p and g have viewers of their own clips, so they are eligible.
  inputs.views.push_back({"bo", "pc", 5});
  inputs.views.push_back({"cy", "gc", 5});
  const absl::StatusOr<FundRun> run = ComputeFundRun(inputs, AnyViewerPays());
  ASSERT_TRUE(run.ok()) << run.status();
  // Points: fork 2^32 (5% to p, 2.5% to g), pc 2^32, gc 2^32.
  const double total = 3.0;
  EXPECT_NEAR(static_cast<double>(AmountOf(*run, "y")), kPool * 0.925 / total, 1.0);
  EXPECT_NEAR(static_cast<double>(AmountOf(*run, "p")), kPool * 1.05 / total, 1.0);
  EXPECT_NEAR(static_cast<double>(AmountOf(*run, "g")), kPool * 1.025 / total, 1.0);
  EXPECT_EQ(AmountOf(*run, "banned"), 0);
  EXPECT_EQ(Sum(*run), kPool);
}

TEST(FundRunTest, AnIneligibleAncestorNeedsNoCreatorId) {
  // A deleted account's clip in the lineage: no id left, no share.
  const absl::StatusOr<FundRun> run = ComputeFundRun(
      Inputs({{.clip_id = "fork", .creator_id = "y", .ancestors = {{.creator_id = "", .eligible = false}, {"p"}}},
              {.clip_id = "pc", .creator_id = "p"}},
             {{"ann", "fork", 5}, {"bo", "pc", 5}}),
      AnyViewerPays());
  ASSERT_TRUE(run.ok()) << run.status();
  // p, the grandparent's author, still gets its 2.5%.
  EXPECT_NEAR(static_cast<double>(AmountOf(*run, "p")), kPool * 1.025 / 2, 1.0);
  EXPECT_EQ(Sum(*run), kPool);
}

TEST(FundRunTest, CreatorsBelowTheViewerThresholdAreNotPaidAndThePoolGoesToTheOthers) {
  FundRules rules;  // three qualified viewers needed
  std::vector<FundView> views;
  for (const char* viewer : {"v1", "v2", "v3"}) views.push_back({viewer, "popular", 5});
  views.push_back({"v4", "niche", 5});
  const absl::StatusOr<FundRun> run = ComputeFundRun(
      Inputs({{.clip_id = "popular", .creator_id = "x"}, {.clip_id = "niche", .creator_id = "y"}}, views), rules);
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_EQ(run->lines.size(), 1u);
  EXPECT_EQ(run->lines[0].creator_id, "x");
  EXPECT_EQ(run->lines[0].amount, kPool);
  EXPECT_EQ(run->lines[0].viewers, 3);

  // No one qualifies: no lines, the pool stays in the fund.
  const absl::StatusOr<FundRun> empty =
      ComputeFundRun(Inputs({{.clip_id = "niche", .creator_id = "y"}}, {{"v4", "niche", 5}}), rules);
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->lines.empty());
  EXPECT_EQ(empty->pool, kPool);
}

TEST(FundRunTest, ThePoolIsTheAllocationPlusAShareOfFeeRevenue) {
  EXPECT_EQ(FundPool(100, 1'000'009, FundRules{}).value(), 100 + 100'000);
  EXPECT_THAT(FundPool(-1, 0, FundRules{}).status(), StatusIs(absl::StatusCode::kInvalidArgument));
  FundInputs inputs = Inputs({{.clip_id = "c", .creator_id = "x"}}, {{"ann", "c", 5}});
  inputs.fee_revenue = 50 * kMicrosPerUnit;
  const absl::StatusOr<FundRun> run = ComputeFundRun(inputs, AnyViewerPays());
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->pool, kPool + 5 * kMicrosPerUnit);
  EXPECT_EQ(AmountOf(*run, "x"), run->pool);
}

// A random world: `creators` creators, clips with random originality and
// lineages, viewers with random views.
FundInputs RandomWorld(std::mt19937_64& rng, int creators, int clips, int viewers) {
  FundInputs inputs{.period = "2026-11", .allocation = static_cast<Micros>(rng() % (10'000 * kMicrosPerUnit))};
  for (int c = 0; c < clips; ++c) {
    FundClip clip{.clip_id = absl::StrCat("clip", c),
                  .creator_id = absl::StrCat("creator", rng() % creators),
                  .originality = static_cast<double>(rng() % 1001) / 1000.0};
    const int depth = static_cast<int>(rng() % 5);
    for (int d = 0; d < depth; ++d) {
      clip.ancestors.push_back({absl::StrCat("creator", rng() % creators), rng() % 10 != 0});
    }
    inputs.clips.push_back(std::move(clip));
  }
  for (int v = 0; v < viewers; ++v) {
    const int watched = 1 + static_cast<int>(rng() % 12);
    std::vector<int> picked;
    for (int w = 0; w < watched; ++w) picked.push_back(static_cast<int>(rng() % clips));
    std::sort(picked.begin(), picked.end());
    picked.erase(std::unique(picked.begin(), picked.end()), picked.end());
    for (const int c : picked) {
      inputs.views.push_back({absl::StrCat("viewer", v), absl::StrCat("clip", c), static_cast<int64_t>(rng() % 15)});
    }
  }
  return inputs;
}

TEST(FundRunTest, RandomWorldsSumToThePoolAndRerunBitIdenticalInAnyOrder) {
  std::mt19937_64 rng(20261207);
  for (int world = 0; world < 200; ++world) {
    FundInputs inputs = RandomWorld(rng, 1 + static_cast<int>(rng() % 30), 1 + static_cast<int>(rng() % 80),
                                    static_cast<int>(rng() % 120));
    const absl::StatusOr<FundRun> run = ComputeFundRun(inputs);
    ASSERT_TRUE(run.ok()) << run.status();
    if (!run->lines.empty()) {
      EXPECT_EQ(Sum(*run), run->pool) << "world " << world;
    }
    for (size_t i = 0; i < run->lines.size(); ++i) {
      EXPECT_GT(run->lines[i].amount, 0);
      EXPECT_GE(run->lines[i].viewers, run->rules.min_creator_viewers);
      if (i > 0) {
        EXPECT_LT(run->lines[i - 1].creator_id, run->lines[i].creator_id);
      }
    }
    // Shuffled inputs: the same run, to the bit.
    std::shuffle(inputs.clips.begin(), inputs.clips.end(), rng);
    std::shuffle(inputs.views.begin(), inputs.views.end(), rng);
    const absl::StatusOr<FundRun> rerun = ComputeFundRun(inputs);
    ASSERT_TRUE(rerun.ok()) << rerun.status();
    EXPECT_EQ(rerun->inputs_sha256, run->inputs_sha256);
    EXPECT_EQ(rerun->merkle_root, run->merkle_root);
    ASSERT_EQ(rerun->lines.size(), run->lines.size());
    for (size_t i = 0; i < run->lines.size(); ++i) {
      EXPECT_EQ(rerun->lines[i].creator_id, run->lines[i].creator_id);
      EXPECT_EQ(rerun->lines[i].amount, run->lines[i].amount);
    }
    // Every line proves against the root.
    for (const FundLine& line : run->lines) {
      const absl::StatusOr<MerkleProof> proof = FundLineProof(*run, line.creator_id);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_TRUE(VerifyMerkleProof(FundLineLeaf(run->period, line), *proof, run->merkle_root));
      FundLine inflated = line;
      inflated.amount += 1;
      EXPECT_FALSE(VerifyMerkleProof(FundLineLeaf(run->period, inflated), *proof, run->merkle_root));
    }
  }
}

TEST(FundRunTest, AnyChangedInputChangesTheInputsHash) {
  FundInputs inputs = Inputs({{.clip_id = "c", .creator_id = "x"}}, {{"ann", "c", 5}});
  const std::string hash = ComputeFundRun(inputs).value().inputs_sha256;
  FundInputs more_views = inputs;
  more_views.views[0].views = 6;
  EXPECT_NE(ComputeFundRun(more_views).value().inputs_sha256, hash);
  FundInputs other_period = inputs;
  other_period.period = "2026-12";
  EXPECT_NE(ComputeFundRun(other_period).value().inputs_sha256, hash);
  FundRules other_rules;
  other_rules.max_counted_views = 11;
  EXPECT_NE(ComputeFundRun(inputs, other_rules).value().inputs_sha256, hash);
  EXPECT_EQ(ComputeFundRun(inputs).value().inputs_sha256, hash);
}

TEST(FundRunTest, IndexedInputsGiveTheSameRunAsIds) {
  const absl::StatusOr<FundRun> by_ids = ComputeFundRun(
      Inputs({{.clip_id = "c1", .creator_id = "x", .originality = 0.25, .ancestors = {{"y"}}},
              {.clip_id = "c2", .creator_id = "y"}},
             {{"ann", "c1", 7}, {"ann", "c2", 3}, {"bo", "c2", 12}}),
      AnyViewerPays());
  ASSERT_TRUE(by_ids.ok()) << by_ids.status();
  IndexedFundInputs indexed{.period = "2026-11",
                            .allocation = kPool,
                            .creator_ids = {"x", "y"},
                            .clip_ids = {"c1", "c2"},
                            .clips = {{.creator = 0, .originality_ppm = 250'000, .first_ancestor = 0, .ancestor_count = 1},
                                      {.creator = 1}},
                            .ancestors = {{.creator = 1}},
                            .views = {{0, 0, 7}, {0, 1, 3}, {1, 1, 12}}};
  const absl::StatusOr<FundRun> by_index = ComputeIndexedFundRun(indexed, AnyViewerPays());
  ASSERT_TRUE(by_index.ok()) << by_index.status();
  EXPECT_EQ(by_index->inputs_sha256, by_ids->inputs_sha256);
  EXPECT_EQ(by_index->merkle_root, by_ids->merkle_root);
  EXPECT_EQ(AmountOf(*by_index, "x"), AmountOf(*by_ids, "x"));
  EXPECT_GT(AmountOf(*by_index, "x"), 0);

  IndexedFundInputs out_of_order = indexed;
  std::swap(out_of_order.views[0], out_of_order.views[1]);
  EXPECT_THAT(ComputeIndexedFundRun(out_of_order).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("out of order")));
  IndexedFundInputs viewers_out_of_order = indexed;
  std::swap(viewers_out_of_order.views[0], viewers_out_of_order.views[2]);
  EXPECT_THAT(ComputeIndexedFundRun(viewers_out_of_order).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("out of order")));
  IndexedFundInputs unknown_clip = indexed;
  unknown_clip.views[2].clip = 7;
  EXPECT_THAT(ComputeIndexedFundRun(unknown_clip).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("views.clip")));
  IndexedFundInputs bad_ancestors = indexed;
  bad_ancestors.clips[0].ancestor_count = 2;
  EXPECT_THAT(ComputeIndexedFundRun(bad_ancestors).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ancestors")));
  IndexedFundInputs unsorted_creators = indexed;
  std::swap(unsorted_creators.creator_ids[0], unsorted_creators.creator_ids[1]);
  EXPECT_THAT(ComputeIndexedFundRun(unsorted_creators).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("creator_ids")));
}

TEST(FundRunTest, BadInputIsRefusedNamingTheField) {
  const auto refused = [](FundInputs inputs, FundRules rules = {}) { return ComputeFundRun(inputs, rules).status(); };
  const FundClip clip{.clip_id = "c", .creator_id = "x"};
  EXPECT_THAT(refused(FundInputs{.period = "", .clips = {clip}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("period")));
  EXPECT_THAT(refused(Inputs({clip, clip}, {})), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("clip_id")));
  EXPECT_THAT(refused(Inputs({clip}, {{"ann", "nope", 5}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("views.clip_id")));
  EXPECT_THAT(refused(Inputs({clip}, {{"ann", "c", 5}, {"ann", "c", 6}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("listed twice")));
  EXPECT_THAT(refused(Inputs({clip}, {{"ann", "c", -1}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("views.views")));
  EXPECT_THAT(refused(Inputs({{.clip_id = "c", .creator_id = "x", .originality = 1.5}}, {})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("originality")));
  EXPECT_THAT(refused(Inputs({{.clip_id = "c", .creator_id = "x|y"}}, {})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("creator_id")));
  FundRules bad_rules;
  bad_rules.lineage_ppm = {600'000, 600'000};
  EXPECT_THAT(refused(Inputs({clip}, {}), bad_rules),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("lineage_ppm")));
  EXPECT_THAT(FundLineProof(ComputeFundRun(Inputs({clip}, {})).value(), "x").status(),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace clipforge::ledger
