// Re-ranking: the author decay's values, and its factor keeping the served
// score the exact product of its factors; MMR and the DPP are
// deterministic (same input, same output; shuffled input, same output),
// are score order at lambda = 1 and push similar clips apart; the slate
// rules return a permutation, keep every rule where the greedy order can,
// bound displacement, and lose no candidate of a degenerate input.
#include "feed/rerank.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "feed/candidate.h"
#include "feed/scoring.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clipforge::feed {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;

Candidate RerankClip(const std::string& clip_id, const std::string& creator_id, uint64_t cluster = 0,
                     const std::string& fork_root_id = "") {
  Candidate candidate;
  candidate.clip_id = clip_id;
  candidate.creator_id = creator_id;
  candidate.prompt_cluster_id = cluster;
  candidate.fork_root_id = fork_root_id;
  return candidate;
}

// An item of `candidate` whose score is exactly `score` (one factor).
ScoredItem RerankItem(const Candidate& candidate, double score) {
  ScoredItem item;
  item.candidate = &candidate;
  item.breakdown.SetFactor(kQualityFactor, score);
  return item;
}

std::vector<std::string> RerankIds(const std::vector<ScoredItem>& items) {
  std::vector<std::string> ids;
  ids.reserve(items.size());
  for (const ScoredItem& item : items) ids.push_back(item.candidate->clip_id);
  return ids;
}

// `count` clips with random creators (of `creators`), clusters, fork trees
// and embeddings.
std::vector<Candidate> RerankRandomClips(std::mt19937_64& rng, size_t count, size_t creators) {
  std::uniform_int_distribution<size_t> creator(0, creators == 0 ? 0 : creators - 1);
  std::uniform_int_distribution<uint64_t> cluster(0, 4);
  std::uniform_int_distribution<int> tree(-1, 3);
  std::normal_distribution<float> component(0.0f, 1.0f);
  std::vector<Candidate> clips;
  clips.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const int root = tree(rng);
    Candidate clip = RerankClip("clip-" + std::to_string(i), "creator-" + std::to_string(creator(rng)), cluster(rng),
                                root < 0 ? "" : "tree-" + std::to_string(root));
    for (float& x : clip.embedding) x = component(rng);
    clips.push_back(clip);
  }
  return clips;
}

std::vector<ScoredItem> RerankRandomItems(std::mt19937_64& rng, const std::vector<Candidate>& clips) {
  std::uniform_real_distribution<double> score(0.01, 1.0);
  std::vector<ScoredItem> items;
  items.reserve(clips.size());
  for (const Candidate& clip : clips) items.push_back(RerankItem(clip, score(rng)));
  return items;
}

TEST(AuthorDecayTest, HalvesTowardAQuarter) {
  EXPECT_EQ(AuthorDecayMultiplier(0), 1.0);
  EXPECT_EQ(AuthorDecayMultiplier(1), 0.625);
  EXPECT_EQ(AuthorDecayMultiplier(2), 0.4375);
  EXPECT_EQ(AuthorDecayMultiplier(3), 0.34375);
  EXPECT_EQ(AuthorDecayMultiplier(4), 0.296875);
  // Strictly falling while 0.75 x 0.5^k still shows next to 0.25 in a
  // double (to k = 53); then 0.25 itself.
  for (size_t k = 1; k < 40; ++k) {
    ASSERT_LT(AuthorDecayMultiplier(k), AuthorDecayMultiplier(k - 1));
    ASSERT_GT(AuthorDecayMultiplier(k), kAuthorDecayFloor);
  }
  EXPECT_EQ(AuthorDecayMultiplier(5000), kAuthorDecayFloor);
}

TEST(AuthorDecayTest, AppliesInScoreOrderAsAFactorOfTheBreakdown) {
  const Candidate a1 = RerankClip("a1", "alice"), a2 = RerankClip("a2", "alice"), a3 = RerankClip("a3", "alice"),
                  b1 = RerankClip("b1", "bob");
  std::vector<ScoredItem> items = {RerankItem(a3, 0.7), RerankItem(b1, 0.75), RerankItem(a1, 0.9),
                                   RerankItem(a2, 0.8)};
  ApplyAuthorDecay(items);
  // a1 0.9 x 1, b1 0.75, a2 0.8 x 0.625 = 0.5, a3 0.7 x 0.4375 = 0.30625.
  EXPECT_THAT(RerankIds(items), ElementsAre("a1", "b1", "a2", "a3"));
  EXPECT_EQ(items[0].breakdown.Factor(kAuthorDecayFactor), 1.0);
  EXPECT_EQ(items[1].breakdown.Factor(kAuthorDecayFactor), 1.0);
  EXPECT_EQ(items[2].breakdown.Factor(kAuthorDecayFactor), 0.625);
  EXPECT_EQ(items[3].breakdown.Factor(kAuthorDecayFactor), 0.4375);
  EXPECT_EQ(items[2].breakdown.score, 0.8 * 0.625);
  EXPECT_EQ(items[3].breakdown.score, 0.7 * 0.4375);

  // On Score's breakdowns: the decay is the last factor and the product
  // still gives the score exactly.
  std::mt19937_64 rng(5);
  std::vector<Candidate> clips = RerankRandomClips(rng, 200, 6);
  std::uniform_int_distribution<int64_t> count(0, 2000);
  for (Candidate& clip : clips) {
    clip.impressions = count(rng);
    clip.satisfied_views = count(rng) / 3;
    clip.likes = count(rng) / 10;
  }
  ScoringContext context;
  context.now = absl::FromUnixSeconds(1'700'000'000);
  std::vector<ScoredItem> scored;
  ScoreAll(clips, context, scored);
  ApplyAuthorDecay(scored);
  for (size_t i = 0; i < scored.size(); ++i) {
    const ScoreBreakdown& breakdown = scored[i].breakdown;
    ASSERT_EQ(breakdown.factor_count, kScoreFactorCount + 1);
    ASSERT_EQ(breakdown.factors[kScoreFactorCount].name, kAuthorDecayFactor);
    double product = breakdown.factors[0].value;
    for (size_t f = 1; f < breakdown.factor_count; ++f) product *= breakdown.factors[f].value;
    ASSERT_EQ(product, breakdown.score);
    if (i > 0) {
      ASSERT_FALSE(RanksBefore(scored[i], scored[i - 1]));
    }
  }
}

TEST(MmrTest, LambdaOneIsScoreOrder) {
  std::mt19937_64 rng(1);
  const std::vector<Candidate> clips = RerankRandomClips(rng, 150, 5);
  const std::vector<ScoredItem> items = RerankRandomItems(rng, clips);
  std::vector<ScoredItem> by_score = items;
  SortByScore(by_score);
  const DiversityParams all{.lambda = 1.0, .window = 10, .k = items.size()};
  EXPECT_EQ(RerankIds(Mmr(items, all)), RerankIds(by_score));
  EXPECT_EQ(RerankIds(DppGreedy(items, all)), RerankIds(by_score));
  // Window 0: nothing to be diverse from.
  const DiversityParams no_window{.lambda = 0.5, .window = 0, .k = items.size()};
  EXPECT_EQ(RerankIds(Mmr(items, no_window)), RerankIds(by_score));
  EXPECT_EQ(RerankIds(DppGreedy(items, no_window)), RerankIds(by_score));
  // k: the first k.
  const DiversityParams top{.lambda = 1.0, .window = 10, .k = 20};
  by_score.resize(20);
  EXPECT_EQ(RerankIds(Mmr(items, top)), RerankIds(by_score));
  EXPECT_EQ(RerankIds(DppGreedy(items, top)), RerankIds(by_score));
}

TEST(MmrTest, DeterministicInAnyInputOrder) {
  std::mt19937_64 rng(2);
  for (const double lambda : {0.0, 0.3, 0.7, 0.95}) {
    const std::vector<Candidate> clips = RerankRandomClips(rng, 120, 8);
    std::vector<ScoredItem> items = RerankRandomItems(rng, clips);
    const DiversityParams params{.lambda = lambda, .window = 10, .k = 40};
    const std::vector<std::string> mmr = RerankIds(Mmr(items, params));
    const std::vector<std::string> dpp = RerankIds(DppGreedy(items, params));
    ASSERT_EQ(mmr.size(), 40u);
    ASSERT_EQ(dpp.size(), 40u);
    EXPECT_EQ(RerankIds(Mmr(items, params)), mmr);
    EXPECT_EQ(RerankIds(DppGreedy(items, params)), dpp);
    for (int shuffle = 0; shuffle < 4; ++shuffle) {
      std::shuffle(items.begin(), items.end(), rng);
      EXPECT_EQ(RerankIds(Mmr(items, params)), mmr) << "lambda " << lambda;
      EXPECT_EQ(RerankIds(DppGreedy(items, params)), dpp) << "lambda " << lambda;
    }
  }
}

TEST(MmrTest, PushesSimilarClipsApart) {
  Candidate top = RerankClip("top", "alice", 1, "tree-top");
  Candidate twin = RerankClip("twin", "bob", 1, "tree-twin");  // same cluster and picture as top
  Candidate other = RerankClip("other", "carol", 2, "tree-other");
  top.embedding[0] = twin.embedding[0] = 1.0f;
  other.embedding[1] = 1.0f;
  EXPECT_EQ(ClipSimilarity(top, twin), 2.0);
  EXPECT_EQ(ClipSimilarity(top, other), 0.0);
  const std::vector<ScoredItem> items = {RerankItem(top, 1.0), RerankItem(twin, 0.99), RerankItem(other, 0.8)};
  const DiversityParams params{.lambda = 0.7, .window = 10, .k = 3};
  EXPECT_THAT(RerankIds(Mmr(items, params)), ElementsAre("top", "other", "twin"));
  EXPECT_THAT(RerankIds(DppGreedy(items, params)), ElementsAre("top", "other", "twin"));
  // Out of the window, the twin is no longer compared with top.
  const DiversityParams forgetful{.lambda = 0.7, .window = 1, .k = 3};
  EXPECT_THAT(RerankIds(Mmr(items, forgetful)), ElementsAre("top", "other", "twin"));
}

TEST(DppTest, IdenticalClipsFallBackToScoreOrderAndLoseNothing) {
  std::vector<Candidate> clips;
  for (int i = 0; i < 12; ++i) {
    Candidate clip = RerankClip("same-" + std::to_string(i), "alice", 9, "tree");
    clip.embedding.fill(0.25f);
    clips.push_back(clip);
  }
  std::vector<ScoredItem> items;
  for (size_t i = 0; i < clips.size(); ++i) items.push_back(RerankItem(clips[i], 1.0 - 0.01 * static_cast<double>(i)));
  const DiversityParams params{.lambda = 0.7, .window = 5, .k = 12};
  EXPECT_EQ(RerankIds(DppGreedy(items, params)), RerankIds(items));
  EXPECT_EQ(RerankIds(Mmr(items, params)), RerankIds(items));
  // k beyond the input: all of it.
  EXPECT_EQ(DppGreedy(items, DiversityParams{.lambda = 0.5, .window = 30, .k = 100}).size(), items.size());
  EXPECT_THAT(Mmr({}, params), IsEmpty());
  EXPECT_THAT(DppGreedy({}, params), IsEmpty());
}

// Whether the first `prefix` items keep the rules.
void ExpectSlateRulesHold(const std::vector<ScoredItem>& items, size_t prefix, const SlateRules& rules) {
  for (size_t i = 0; i < prefix; ++i) {
    const Candidate& clip = *items[i].candidate;
    if (i > 0) {
      const Candidate& previous = *items[i - 1].candidate;
      EXPECT_FALSE(clip.prompt_cluster_id != 0 && clip.prompt_cluster_id == previous.prompt_cluster_id)
          << "cluster at " << i;
      EXPECT_FALSE(!clip.fork_root_id.empty() && clip.fork_root_id == previous.fork_root_id) << "tree at " << i;
    }
    size_t same_creator = 0;
    for (size_t j = i + 1 >= rules.creator_window ? i + 1 - rules.creator_window : 0; j <= i; ++j) {
      if (items[j].candidate->creator_id == clip.creator_id) ++same_creator;
    }
    EXPECT_LE(same_creator, rules.max_per_creator) << "creator at " << i;
  }
}

TEST(SlateRulesTest, APermutationKeepingTheRulesUpToTheDeferred) {
  std::mt19937_64 rng(9);
  std::uniform_int_distribution<size_t> size(0, 80);
  std::uniform_int_distribution<size_t> creators(1, 12);
  for (int round = 0; round < 300; ++round) {
    const std::vector<Candidate> clips = RerankRandomClips(rng, size(rng), creators(rng));
    std::vector<ScoredItem> items = RerankRandomItems(rng, clips);
    SortByScore(items);
    const SlateRules rules{.max_per_creator = 2, .creator_window = 20, .max_displacement = round % 2 == 0 ? 10u : 3u};
    const SlateOrder slate = ApplySlateRules(items, rules);

    ASSERT_EQ(slate.items.size(), items.size());
    EXPECT_THAT(RerankIds(slate.items), UnorderedElementsAreArray(RerankIds(items)));
    ASSERT_LE(slate.deferred, items.size());
    const size_t placed = items.size() - slate.deferred;
    ExpectSlateRulesHold(slate.items, placed, rules);

    absl::flat_hash_map<std::string, size_t> input_position;
    for (size_t i = 0; i < items.size(); ++i) input_position[items[i].candidate->clip_id] = i;
    for (size_t i = 0; i < placed; ++i) {
      EXPECT_LE(i, input_position[slate.items[i].candidate->clip_id] + rules.max_displacement);
    }
    for (size_t i = placed + 1; i < items.size(); ++i) {  // the deferred keep their input order
      EXPECT_LT(input_position[slate.items[i - 1].candidate->clip_id],
                input_position[slate.items[i].candidate->clip_id]);
    }
  }
}

TEST(SlateRulesTest, AValidInputIsUnchanged) {
  std::vector<Candidate> clips;
  for (int i = 0; i < 45; ++i) {
    clips.push_back(RerankClip("clip-" + std::to_string(i), "creator-" + std::to_string(i % 15),
                               static_cast<uint64_t>(i % 3 + 1), "tree-" + std::to_string(i % 4)));
  }
  std::vector<ScoredItem> items;
  for (size_t i = 0; i < clips.size(); ++i) items.push_back(RerankItem(clips[i], 1.0 / static_cast<double>(i + 1)));
  const SlateOrder slate = ApplySlateRules(items);
  EXPECT_EQ(RerankIds(slate.items), RerankIds(items));
  EXPECT_EQ(slate.deferred, 0u);
}

TEST(SlateRulesTest, SeparatesAdjacentClustersAndForkTrees) {
  const Candidate p = RerankClip("p", "alice", 5), q = RerankClip("q", "bob", 5), r = RerankClip("r", "carol", 6);
  SlateOrder slate = ApplySlateRules({RerankItem(p, 0.9), RerankItem(q, 0.8), RerankItem(r, 0.7)});
  EXPECT_THAT(RerankIds(slate.items), ElementsAre("p", "r", "q"));
  EXPECT_EQ(slate.deferred, 0u);

  const Candidate original = RerankClip("original", "alice", 0, "original"),
                  fork = RerankClip("fork", "bob", 0, "original"), unrelated = RerankClip("unrelated", "carol", 0, "u");
  slate = ApplySlateRules({RerankItem(original, 0.9), RerankItem(fork, 0.8), RerankItem(unrelated, 0.7)});
  EXPECT_THAT(RerankIds(slate.items), ElementsAre("original", "unrelated", "fork"));
  EXPECT_EQ(slate.deferred, 0u);
}

TEST(SlateRulesTest, AtMostTwoPerCreatorInAnyTwentyWithinTheDisplacementBound) {
  std::vector<Candidate> clips = {RerankClip("a0", "alice"), RerankClip("a1", "alice"), RerankClip("a2", "alice")};
  for (int i = 0; i < 30; ++i) clips.push_back(RerankClip("x" + std::to_string(i), "x" + std::to_string(i)));
  std::vector<ScoredItem> items;
  for (size_t i = 0; i < clips.size(); ++i) items.push_back(RerankItem(clips[i], 1.0 / static_cast<double>(i + 1)));

  // Far enough to move: alice's third clip waits until the first leaves
  // the window.
  const SlateRules loose{.max_per_creator = 2, .creator_window = 20, .max_displacement = 30};
  SlateOrder slate = ApplySlateRules(items, loose);
  std::vector<std::string> expected = {"a0", "a1"};
  for (int i = 0; i < 18; ++i) expected.push_back("x" + std::to_string(i));
  expected.push_back("a2");
  for (int i = 18; i < 30; ++i) expected.push_back("x" + std::to_string(i));
  EXPECT_EQ(RerankIds(slate.items), expected);
  EXPECT_EQ(slate.deferred, 0u);
  ExpectSlateRulesHold(slate.items, slate.items.size(), loose);

  // With the default bound (10) it cannot move that far: deferred, kept.
  slate = ApplySlateRules(items);
  expected = {"a0", "a1"};
  for (int i = 0; i < 30; ++i) expected.push_back("x" + std::to_string(i));
  expected.push_back("a2");
  EXPECT_EQ(RerankIds(slate.items), expected);
  EXPECT_EQ(slate.deferred, 1u);
}

TEST(SlateRulesTest, DegenerateInputsLoseNothing) {
  std::vector<Candidate> one_creator, one_cluster;
  for (int i = 0; i < 30; ++i) {
    one_creator.push_back(RerankClip("solo-" + std::to_string(i), "alice"));
    one_cluster.push_back(RerankClip("cluster-" + std::to_string(i), "creator-" + std::to_string(i), 7));
  }
  for (const std::vector<Candidate>* clips : {&one_creator, &one_cluster}) {
    std::vector<ScoredItem> items;
    for (size_t i = 0; i < clips->size(); ++i) {
      items.push_back(RerankItem((*clips)[i], 1.0 / static_cast<double>(i + 1)));
    }
    const SlateOrder slate = ApplySlateRules(items);
    // The placeable head, then the rest in input order: here the input.
    EXPECT_EQ(RerankIds(slate.items), RerankIds(items));
    EXPECT_EQ(slate.deferred, clips == &one_creator ? 28u : 29u);
  }
  EXPECT_THAT(ApplySlateRules({}).items, IsEmpty());
  const Candidate single = RerankClip("single", "alice");
  const SlateOrder slate = ApplySlateRules({RerankItem(single, 1.0)});
  EXPECT_THAT(RerankIds(slate.items), ElementsAre("single"));
  EXPECT_EQ(slate.deferred, 0u);
}

}  // namespace
}  // namespace clipforge::feed
