// The ranking pipeline in one call: a page never holds an excluded clip
// (so a session's next page never repeats the last), never repeats a
// clip, keeps its size (a short pool gives a short page of all of it), is
// the same for the same candidates in any order, puts marked exploration
// picks exactly at the exploration positions, serves scores that are the
// exact product of their factors, keeps the slate rules on the whole page
// (exploration picks included), and decays only the head it can use
// without changing it.
#include "feed/ranker.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "feed/bloom_filter.h"
#include "feed/candidate.h"
#include "feed/exploration.h"
#include "feed/rerank.h"
#include "feed/scoring.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clipforge::feed {
namespace {

using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;

constexpr DiversityMethod kRankerBothMethods[] = {DiversityMethod::kMmr, DiversityMethod::kDppGreedy};

absl::Time RankerNow() { return absl::FromUnixSeconds(1'700'000'000); }

ScoringContext RankerContext() {
  ScoringContext context;
  context.now = RankerNow();
  return context;
}

bool RankerExcludeNothing(const Candidate&) { return false; }

// A clip with distinct creator, no cluster and no fork tree unless set.
Candidate RankerClip(const std::string& clip_id, CandidateSource source = CandidateSource::kTrending) {
  Candidate clip;
  clip.clip_id = clip_id;
  clip.creator_id = "creator-" + clip_id;
  clip.published_at = RankerNow() - absl::Hours(3);
  clip.impressions = 1000;
  clip.satisfied_views = 300;
  clip.likes = 50;
  clip.source = source;
  return clip;
}

// `count` clips by `creators` creators (clip i's creator skewed toward the
// first few, so some are prolific), of 6 prompt clusters and 5 fork trees
// (or none), with random embeddings, counters and ages up to 20 days
// (scores spread over orders of magnitude); one in `exploration_every`
// from the exploration generator with few impressions.
std::vector<Candidate> RankerRandomClips(std::mt19937_64& rng, size_t count, size_t creators,
                                         size_t exploration_every = 8) {
  std::uniform_int_distribution<size_t> creator(0, creators - 1);
  std::uniform_int_distribution<uint64_t> cluster(0, 6);
  std::uniform_int_distribution<int> tree(-4, 4);
  std::uniform_int_distribution<int64_t> impressions(0, 20'000);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::normal_distribution<float> component(0.0f, 1.0f);
  std::vector<Candidate> clips;
  clips.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const bool explore = exploration_every != 0 && i % exploration_every == 0;
    Candidate clip =
        RankerClip("clip-" + std::to_string(i), explore ? CandidateSource::kExploration : CandidateSource::kTrending);
    clip.creator_id = "creator-" + std::to_string(std::min(creator(rng), creator(rng)));
    clip.prompt_cluster_id = cluster(rng);
    const int root = tree(rng);
    clip.fork_root_id = root < 0 ? "" : "tree-" + std::to_string(root);
    clip.published_at = RankerNow() - absl::Minutes(static_cast<int64_t>(unit(rng) * 20 * 24 * 60));
    clip.impressions = explore ? impressions(rng) % 30 : impressions(rng);
    clip.satisfied_views = static_cast<int64_t>(unit(rng) * 0.6 * static_cast<double>(clip.impressions));
    clip.likes = static_cast<int64_t>(unit(rng) * 0.1 * static_cast<double>(clip.impressions));
    clip.skips = static_cast<int64_t>(unit(rng) * 0.5 * static_cast<double>(clip.impressions));
    clip.originality = unit(rng);
    clip.is_copy = clip.originality < 0.1;
    for (float& x : clip.embedding) x = component(rng);
    clips.push_back(clip);
  }
  return clips;
}

std::vector<std::string> RankerIds(const std::vector<ScoredItem>& items) {
  std::vector<std::string> ids;
  ids.reserve(items.size());
  for (const ScoredItem& item : items) ids.push_back(item.candidate->clip_id);
  return ids;
}

// The slate rules of `rules` over the whole page.
void ExpectRankerSlateRulesHold(const std::vector<ScoredItem>& page, const SlateRules& rules) {
  for (size_t i = 0; i < page.size(); ++i) {
    const Candidate& clip = *page[i].candidate;
    if (i > 0) {
      const Candidate& previous = *page[i - 1].candidate;
      EXPECT_FALSE(clip.prompt_cluster_id != 0 && clip.prompt_cluster_id == previous.prompt_cluster_id)
          << "cluster at " << i;
      EXPECT_FALSE(!clip.fork_root_id.empty() && clip.fork_root_id == previous.fork_root_id) << "tree at " << i;
    }
    size_t same_creator = 0;
    for (size_t j = i + 1 >= rules.creator_window ? i + 1 - rules.creator_window : 0; j <= i; ++j) {
      same_creator += page[j].candidate->creator_id == clip.creator_id;
    }
    EXPECT_LE(same_creator, rules.max_per_creator) << "creator " << clip.creator_id << " at " << i;
  }
}

TEST(RankPageTest, NeverServesAnExcludedClipSoTheNextPageRepeatsNone) {
  std::mt19937_64 rng(1);
  const std::vector<Candidate> clips = RankerRandomClips(rng, 600, 80);
  const ScoringContext context = RankerContext();
  const RankParams params{.exploration_seed = 7};
  // The viewer hides the creator at the top of the unfiltered page.
  const RankedPage unfiltered = RankPage(clips, context, RankerExcludeNothing, params);
  ASSERT_FALSE(unfiltered.items.empty());
  const std::string hidden_creator = unfiltered.items.front().candidate->creator_id;

  BloomFilter served;
  const auto excluded = [&](const Candidate& clip) {
    return served.MightContain(clip.clip_id) || clip.creator_id == hidden_creator;
  };
  absl::flat_hash_set<std::string> served_ids;
  for (int page_number = 0; page_number < 8; ++page_number) {
    const RankedPage page = RankPage(clips, context, excluded, params);
    ASSERT_EQ(page.items.size(), kDefaultRankPageSize) << "page " << page_number;
    EXPECT_EQ(page.excluded, static_cast<size_t>(std::count_if(clips.begin(), clips.end(), excluded)));
    for (const ScoredItem& item : page.items) {
      EXPECT_NE(item.candidate->creator_id, hidden_creator);
      EXPECT_TRUE(served_ids.insert(item.candidate->clip_id).second) << "served again: " << item.candidate->clip_id;
      served.Add(item.candidate->clip_id);
    }
  }
}

TEST(RankPageTest, NeverRepeatsAClip) {
  std::mt19937_64 rng(2);
  for (int round = 0; round < 40; ++round) {
    const std::vector<Candidate> clips = RankerRandomClips(rng, 300, 30, 3);
    for (const DiversityMethod method : kRankerBothMethods) {
      const RankedPage page = RankPage(clips, RankerContext(), RankerExcludeNothing,
                                       RankParams{.page_size = 30, .diversity = method, .exploration_seed = 3});
      const std::vector<std::string> ids = RankerIds(page.items);
      EXPECT_EQ(absl::flat_hash_set<std::string>(ids.begin(), ids.end()).size(), ids.size()) << "round " << round;
    }
  }
}

TEST(RankPageTest, KeepsThePageSizeAndAShortPoolGivesAShortPageOfAllOfIt) {
  std::mt19937_64 rng(3);
  const std::vector<Candidate> clips = RankerRandomClips(rng, 500, 200);
  for (const size_t page_size : {size_t{1}, size_t{7}, size_t{20}, size_t{30}}) {
    const RankedPage page = RankPage(clips, RankerContext(), RankerExcludeNothing, RankParams{.page_size = page_size});
    EXPECT_EQ(page.items.size(), page_size);
  }
  EXPECT_THAT(RankPage(clips, RankerContext(), RankerExcludeNothing, RankParams{.page_size = 0}).items, IsEmpty());

  // 9 ranked clips and 3 exploration clips, nothing in common: the ranked
  // fill positions 0-4 and 6-9 and a pick takes 5; the next slot (15) is
  // never reached, as no ranked clip is left after position 9.
  std::vector<Candidate> short_pool;
  for (int i = 0; i < 9; ++i) short_pool.push_back(RankerClip("ranked-" + std::to_string(i)));
  for (int i = 0; i < 3; ++i) {
    Candidate fresh = RankerClip("fresh-" + std::to_string(i), CandidateSource::kExploration);
    fresh.impressions = 5;
    fresh.satisfied_views = 2;
    short_pool.push_back(fresh);
  }
  const RankedPage page = RankPage(short_pool, RankerContext(), RankerExcludeNothing, RankParams{.page_size = 30});
  ASSERT_EQ(page.items.size(), 10u);
  std::vector<std::string> ranked_ids;
  for (size_t p = 0; p < page.items.size(); ++p) {
    EXPECT_EQ(page.items[p].exploration, p == 5) << p;
    if (!page.items[p].exploration) ranked_ids.push_back(page.items[p].candidate->clip_id);
  }
  std::vector<std::string> expected;
  for (int i = 0; i < 9; ++i) expected.push_back("ranked-" + std::to_string(i));
  EXPECT_THAT(ranked_ids, UnorderedElementsAreArray(expected));
  EXPECT_EQ(page.deferred, 0u);
}

TEST(RankPageTest, ADegenerateSetGivesAShortPageWithinTheRules) {
  // One creator's clips: the slate rules place 2, and defer the rest of
  // the diversified 30 (page size 20 + displacement 10) rather than break.
  std::vector<Candidate> clips;
  for (int i = 0; i < 50; ++i) {
    Candidate clip = RankerClip("solo-" + std::to_string(i));
    clip.creator_id = "prolific";
    clips.push_back(clip);
  }
  const RankedPage page = RankPage(clips, RankerContext(), RankerExcludeNothing);
  EXPECT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.deferred, 28u);
  ExpectRankerSlateRulesHold(page.items, SlateRules{});
}

TEST(RankPageTest, TheSameCandidatesInAnyOrderGiveTheSamePage) {
  std::mt19937_64 rng(4);
  const std::vector<Candidate> clips = RankerRandomClips(rng, 800, 60, 5);
  for (const DiversityMethod method : kRankerBothMethods) {
    const RankParams params{.page_size = 30, .diversity = method, .exploration_seed = 99};
    const RankedPage first = RankPage(clips, RankerContext(), RankerExcludeNothing, params);
    ASSERT_EQ(first.items.size(), 30u);
    ASSERT_TRUE(std::any_of(first.items.begin(), first.items.end(), [](const ScoredItem& i) { return i.exploration; }));
    for (int shuffle = 0; shuffle < 5; ++shuffle) {
      std::vector<Candidate> shuffled = clips;
      std::shuffle(shuffled.begin(), shuffled.end(), rng);
      const RankedPage again = RankPage(shuffled, RankerContext(), RankerExcludeNothing, params);
      ASSERT_EQ(RankerIds(again.items), RankerIds(first.items));
      for (size_t p = 0; p < first.items.size(); ++p) {
        EXPECT_EQ(again.items[p].exploration, first.items[p].exploration) << p;
        EXPECT_EQ(again.items[p].breakdown.score, first.items[p].breakdown.score) << p;
      }
      EXPECT_EQ(again.deferred, first.deferred);
    }
  }
}

TEST(RankPageTest, ExplorationPicksSitAtTheExplorationPositionsMarked) {
  // An ample pool of fresh clips by new creators, of no cluster or tree:
  // every slot gets a pick.
  std::mt19937_64 rng(5);
  std::vector<Candidate> clips = RankerRandomClips(rng, 400, 100, 0);
  for (int i = 0; i < 60; ++i) {
    Candidate fresh = RankerClip("fresh-" + std::to_string(i), CandidateSource::kExploration);
    fresh.impressions = i % 20;
    fresh.satisfied_views = i % 7;
    clips.push_back(fresh);
  }
  for (const double share : {0.05, 0.1, 0.2, 0.25}) {
    ScoringContext context = RankerContext();
    context.steering.exploration_share = share;
    const size_t slots = ExplorationSlotsPerBlock(share);
    const RankedPage page = RankPage(clips, context, RankerExcludeNothing, RankParams{.page_size = 40});
    ASSERT_EQ(page.items.size(), 40u);
    for (size_t p = 0; p < page.items.size(); ++p) {
      const ScoredItem& item = page.items[p];
      ASSERT_EQ(item.exploration, IsExplorationPosition(p, slots)) << "share " << share << " position " << p;
      EXPECT_EQ(item.candidate->source == CandidateSource::kExploration, item.exploration) << p;
      if (item.exploration) {
        EXPECT_EQ(ReasonsFor(*item.candidate, context).front(), FeedReason::kExploration);
      }
    }
  }
}

TEST(RankPageTest, ServedFactorsMultiplyBackToTheScoreExactly) {
  std::mt19937_64 rng(6);
  std::uniform_real_distribution<double> weight(0.4, 2.5);
  for (int round = 0; round < 20; ++round) {
    const std::vector<Candidate> clips = RankerRandomClips(rng, 300, 25, 4);
    ScoringContext context = RankerContext();
    context.personalized = round % 2 == 0;
    context.steering.originality = weight(rng);
    context.steering.freshness = weight(rng);
    context.steering.following_vs_discovery = weight(rng);
    context.feedback.by_creator["creator-2"] = weight(rng);
    context.feedback.by_prompt_cluster[3] = weight(rng);
    const RankedPage page =
        RankPage(clips, context, RankerExcludeNothing, RankParams{.diversity = kRankerBothMethods[round % 2]});
    ASSERT_FALSE(page.items.empty());
    for (const ScoredItem& item : page.items) {
      const ScoreBreakdown& breakdown = item.breakdown;
      ASSERT_EQ(ProductOfFactors(breakdown.Factors()), breakdown.score) << item.candidate->clip_id;
      // Score's factors as served, then the ranked clips' author decay.
      const ScoreBreakdown scored = Score(*item.candidate, context);
      for (size_t f = 0; f < kScoreFactorCount; ++f) {
        EXPECT_EQ(breakdown.factors[f].name, scored.factors[f].name);
        EXPECT_EQ(breakdown.factors[f].value, scored.factors[f].value);
      }
      EXPECT_EQ(breakdown.factor_count, item.exploration ? kScoreFactorCount : kScoreFactorCount + 1);
    }
  }
}

TEST(RankPageTest, KeepsTheSlateRulesOnTheWholePageExplorationIncluded) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 60; ++round) {
    // Few creators and clusters, a third from the exploration generator:
    // picks often share them with the ranked clips.
    const std::vector<Candidate> clips = RankerRandomClips(rng, 400, 15 + round % 20, 3);
    ScoringContext context = RankerContext();
    context.steering.exploration_share = round % 3 == 0 ? 0.25 : 0.1;
    for (const DiversityMethod method : kRankerBothMethods) {
      const RankParams params{.page_size = round % 2 == 0 ? 20u : 30u,
                              .diversity = method,
                              .exploration_seed = static_cast<uint64_t>(round)};
      const RankedPage page = RankPage(clips, context, RankerExcludeNothing, params);
      ASSERT_FALSE(page.items.empty());
      ExpectRankerSlateRulesHold(page.items, params.slate_rules);
    }
  }
}

TEST(RankPageTest, EchoGuardrailsHoldOnThePageWhenAskedFor) {
  // The best 10 clips are echoed from one theme, the next 10 from joined
  // themes, then 30 trending: unguarded, the echoes take the top.
  std::vector<Candidate> clips;
  for (int i = 0; i < 50; ++i) {
    const CandidateSource source = i < 10 ? CandidateSource::kEchoed
                                          : i < 20 ? CandidateSource::kTheme : CandidateSource::kTrending;
    Candidate clip = RankerClip("c" + std::to_string(100 + i), source);
    clip.likes = 500 - 5 * i;
    if (source != CandidateSource::kTrending) clip.theme_ids = {source == CandidateSource::kEchoed ? "far" : "mine"};
    clips.push_back(clip);
  }
  const auto count = [](const RankedPage& page, CandidateSource source) {
    return std::count_if(page.items.begin(), page.items.end(),
                         [&](const ScoredItem& item) { return item.candidate->source == source; });
  };
  RankParams params;
  const RankedPage unguarded = RankPage(clips, RankerContext(), RankerExcludeNothing, params);
  EXPECT_GT(count(unguarded, CandidateSource::kEchoed), 2);

  params.echo_guardrails = EchoGuardrailRules{};
  const RankedPage guarded = RankPage(clips, RankerContext(), RankerExcludeNothing, params);
  ASSERT_EQ(guarded.items.size(), params.page_size);
  EXPECT_EQ(count(guarded, CandidateSource::kEchoed), 2);
  EXPECT_LE(count(guarded, CandidateSource::kTheme), static_cast<std::ptrdiff_t>(params.page_size / 2));
  ExpectRankerSlateRulesHold(guarded.items, params.slate_rules);
}

TEST(RankPageTest, WhatTheEchoGuardrailsDeferIsReplacedFromFurtherDown) {
  // The best 40 clips are all from the member's joined themes: the page
  // may hold at most half of them, and the rest must come from the
  // trending clips below rather than leave the page short (a short page
  // sends the service to its widened gather of older clips).
  std::vector<Candidate> clips;
  for (int i = 0; i < 100; ++i) {
    const CandidateSource source = i < 40 ? CandidateSource::kTheme : CandidateSource::kTrending;
    Candidate clip = RankerClip("c" + std::to_string(100 + i), source);
    clip.likes = 1000 - 5 * i;
    if (source == CandidateSource::kTheme) clip.theme_ids = {i % 2 == 0 ? "mine" : "also-mine"};
    clips.push_back(clip);
  }
  RankParams params;
  params.echo_guardrails = EchoGuardrailRules{};
  const RankedPage page = RankPage(clips, RankerContext(), RankerExcludeNothing, params);
  ASSERT_EQ(page.items.size(), params.page_size);
  const auto joined = std::count_if(page.items.begin(), page.items.end(), [](const ScoredItem& item) {
    return item.candidate->source == CandidateSource::kTheme;
  });
  EXPECT_LE(joined, static_cast<std::ptrdiff_t>(params.page_size / 2));
  EXPECT_GE(joined, 1);
  ExpectRankerSlateRulesHold(page.items, params.slate_rules);
}

TEST(RankPageTest, DecayingOnlyThePossibleHeadChangesNothing) {
  // The pipeline without exploration, written out with the author decay
  // applied to every candidate: the same page. A few prolific creators
  // fill the top and decay deep; a quarter of the clips are each one
  // creator's only clip, undecayed, so some from far below the top make
  // the head.
  std::mt19937_64 rng(8);
  for (int round = 0; round < 20; ++round) {
    std::vector<Candidate> clips = RankerRandomClips(rng, 1000, 3 + round % 4, 0);
    for (size_t i = 0; i < clips.size(); i += 4) clips[i].creator_id = "solo-" + clips[i].clip_id;
    const ScoringContext context = RankerContext();
    const RankParams params{.rerank_depth = 60};
    EligibleCandidates eligible;
    ScoreEligible(clips, context, RankerExcludeNothing, eligible);
    ASSERT_THAT(eligible.exploration_pool, IsEmpty());
    ApplyAuthorDecay(eligible.ranked);
    eligible.ranked.resize(params.rerank_depth);
    const std::vector<ScoredItem> diversified = Mmr(eligible.ranked, DiversityParams{.k = 30});
    SlateOrder slate = ApplySlateRules(diversified);
    slate.items.resize(std::min(slate.items.size() - slate.deferred, params.page_size));

    const RankedPage page = RankPage(clips, context, RankerExcludeNothing, params);
    ASSERT_EQ(RankerIds(page.items), RankerIds(slate.items)) << "round " << round;
    for (size_t p = 0; p < page.items.size(); ++p) {
      EXPECT_EQ(page.items[p].breakdown.score, slate.items[p].breakdown.score);
    }
  }
}

}  // namespace
}  // namespace clipforge::feed
