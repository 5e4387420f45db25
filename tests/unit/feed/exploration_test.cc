// Exploration: the slots per 20 and their positions; Thompson sampling is
// deterministic for a seed (in any pool order), tries fresh clips widely,
// favours a clearly better clip and originals over copies; interleaving
// puts the picks at their positions, marked, keeps the ranked order, and
// never serves a clip twice.
#include "feed/exploration.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "feed/candidate.h"
#include "feed/scoring.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clipforge::feed {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Candidate ExploreClip(const std::string& clip_id, int64_t impressions, int64_t satisfied, double originality = 1.0,
                      bool is_copy = false) {
  Candidate candidate;
  candidate.clip_id = clip_id;
  candidate.creator_id = "creator-" + clip_id;
  candidate.impressions = impressions;
  candidate.satisfied_views = satisfied;
  candidate.originality = originality;
  candidate.is_copy = is_copy;
  candidate.source = CandidateSource::kExploration;
  return candidate;
}

ScoredItem ExploreItem(const Candidate& candidate) {
  ScoredItem item;
  item.candidate = &candidate;
  item.breakdown.SetFactor(kQualityFactor, 0.5);
  return item;
}

std::vector<ScoredItem> ExploreItems(const std::vector<Candidate>& candidates) {
  std::vector<ScoredItem> items;
  items.reserve(candidates.size());
  for (const Candidate& candidate : candidates) items.push_back(ExploreItem(candidate));
  return items;
}

std::vector<std::string> ExplorePickedIds(const std::vector<ExplorationPick>& picks,
                                          const std::vector<ScoredItem>& pool) {
  std::vector<std::string> ids;
  for (const ExplorationPick& pick : picks) ids.push_back(pool[pick.pool_index].candidate->clip_id);
  return ids;
}

std::vector<size_t> ExplorePositions(size_t slots, size_t until) {
  std::vector<size_t> positions;
  for (size_t p = 0; p < until; ++p) {
    if (IsExplorationPosition(p, slots)) positions.push_back(p);
  }
  return positions;
}

// Fresh clips: a few impressions each, so draws spread widely.
std::vector<Candidate> ExploreFreshClips(size_t count) {
  std::vector<Candidate> clips;
  for (size_t i = 0; i < count; ++i) {
    const auto n = static_cast<int64_t>(i % 5);
    clips.push_back(ExploreClip("fresh-" + std::to_string(i), n, n / 2, 0.5 + 0.05 * static_cast<double>(i % 10)));
  }
  return clips;
}

TEST(ExplorationSlotsTest, TwoInTwentyByDefaultWithinBounds) {
  EXPECT_EQ(ExplorationSlotsPerBlock(kDefaultExplorationShare), 2u);
  EXPECT_EQ(ExplorationSlotsPerBlock(0.15), 3u);
  EXPECT_EQ(ExplorationSlotsPerBlock(0.0), 1u);
  EXPECT_EQ(ExplorationSlotsPerBlock(1.0), kMaxExplorationSlotsPerBlock);
  EXPECT_EQ(ExplorationSlotsPerBlock(std::numeric_limits<double>::quiet_NaN()), 2u);
}

TEST(ExplorationSlotsTest, PositionsAreTheMiddlesOfEqualStretches) {
  EXPECT_THAT(ExplorePositions(2, 40), ElementsAre(5u, 15u, 25u, 35u));
  EXPECT_THAT(ExplorePositions(1, 40), ElementsAre(10u, 30u));
  EXPECT_THAT(ExplorePositions(4, 20), ElementsAre(2u, 7u, 12u, 17u));
  EXPECT_THAT(ExplorePositions(5, 20), ElementsAre(2u, 6u, 10u, 14u, 18u));
  EXPECT_THAT(ExplorePositions(50, 20), ElementsAre(2u, 6u, 10u, 14u, 18u));  // capped at 5
  EXPECT_THAT(ExplorePositions(0, 40), IsEmpty());
}

TEST(ThompsonTest, DeterministicForASeedInAnyPoolOrder) {
  const std::vector<Candidate> clips = ExploreFreshClips(30);
  std::vector<ScoredItem> pool = ExploreItems(clips);
  std::mt19937_64 first_rng(77), second_rng(77);
  const std::vector<ExplorationPick> first = PickExplorationClips(pool, 4, first_rng);
  const std::vector<ExplorationPick> second = PickExplorationClips(pool, 4, second_rng);
  ASSERT_EQ(first.size(), 4u);
  ASSERT_EQ(second.size(), 4u);
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].pool_index, second[i].pool_index);
    EXPECT_EQ(first[i].sampled_rate, second[i].sampled_rate);
    EXPECT_EQ(first[i].value, first[i].sampled_rate * first[i].preference);
    if (i > 0) {
      EXPECT_GE(first[i - 1].value, first[i].value);
    }
  }
  const std::vector<std::string> picked = ExplorePickedIds(first, pool);

  std::mt19937_64 shuffle_rng(3);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(pool.begin(), pool.end(), shuffle_rng);
    std::mt19937_64 rng(77);
    EXPECT_EQ(ExplorePickedIds(PickExplorationClips(pool, 4, rng), pool), picked);
  }

  // Fresh clips draw widely: different seeds try different clips.
  std::set<std::string> first_picks;
  for (uint64_t seed = 0; seed < 40; ++seed) {
    std::mt19937_64 rng(seed);
    first_picks.insert(ExplorePickedIds(PickExplorationClips(pool, 1, rng), pool).front());
  }
  EXPECT_GE(first_picks.size(), 5u);

  std::mt19937_64 rng(1);
  EXPECT_THAT(PickExplorationClips(pool, 0, rng), IsEmpty());
  EXPECT_EQ(PickExplorationClips(pool, 100, rng).size(), pool.size());
}

TEST(ThompsonTest, FavoursAClearlyBetterClip) {
  const std::vector<Candidate> proven = {ExploreClip("good", 100, 60), ExploreClip("poor", 100, 10)};
  const std::vector<Candidate> early = {ExploreClip("good", 10, 8), ExploreClip("poor", 10, 1)};
  for (const std::vector<Candidate>* clips : {&proven, &early}) {
    const std::vector<ScoredItem> pool = ExploreItems(*clips);
    int good_first = 0;
    for (uint64_t seed = 0; seed < 500; ++seed) {
      std::mt19937_64 rng(seed);
      if (ExplorePickedIds(PickExplorationClips(pool, 1, rng), pool).front() == "good") ++good_first;
    }
    EXPECT_GE(good_first, clips == &proven ? 499 : 475);
  }
}

TEST(ThompsonTest, FavoursOriginals) {
  // No impressions yet: the draws alone would split evenly; the originality
  // preference (x0.2 for the copy, x0.25 for O = 0) makes it about 4 to 1.
  const std::vector<Candidate> against_copy = {ExploreClip("original", 0, 0, 1.0),
                                               ExploreClip("copy", 0, 0, 1.0, /*is_copy=*/true)};
  const std::vector<Candidate> against_derivative = {ExploreClip("original", 0, 0, 1.0),
                                                     ExploreClip("derivative", 0, 0, 0.0)};
  for (const std::vector<Candidate>* clips : {&against_copy, &against_derivative}) {
    const std::vector<ScoredItem> pool = ExploreItems(*clips);
    int original_first = 0;
    for (uint64_t seed = 0; seed < 2000; ++seed) {
      std::mt19937_64 rng(seed);
      const std::vector<ExplorationPick> picks = PickExplorationClips(pool, 2, rng);
      ASSERT_EQ(picks.size(), 2u);
      for (const ExplorationPick& pick : picks) {
        const Candidate& clip = *pool[pick.pool_index].candidate;
        ASSERT_EQ(pick.preference, OriginalityMultiplier(clip.originality, clip.is_copy));
      }
      if (pool[picks.front().pool_index].candidate->clip_id == "original") ++original_first;
    }
    EXPECT_GE(original_first, 1400) << (*clips)[1].clip_id;
  }
}

TEST(InterleaveExplorationTest, PicksTakeTheirPositionsMarkedAndRankedKeepsItsOrder) {
  std::vector<Candidate> ranked_clips;
  for (int i = 0; i < 36; ++i) ranked_clips.push_back(ExploreClip("ranked-" + std::to_string(i), 5000, 2000));
  const std::vector<ScoredItem> ranked = ExploreItems(ranked_clips);
  const std::vector<Candidate> fresh = ExploreFreshClips(10);
  const std::vector<ScoredItem> pool = ExploreItems(fresh);

  const std::vector<ScoredItem> feed = InterleaveExploration(ranked, pool, 2, /*seed=*/2024);
  ASSERT_EQ(feed.size(), 40u);
  std::vector<size_t> exploration_positions;
  std::vector<std::string> ranked_ids, explored_ids;
  for (size_t p = 0; p < feed.size(); ++p) {
    if (feed[p].exploration) {
      exploration_positions.push_back(p);
      explored_ids.push_back(feed[p].candidate->clip_id);
    } else {
      ranked_ids.push_back(feed[p].candidate->clip_id);
    }
  }
  EXPECT_THAT(exploration_positions, ElementsAre(5u, 15u, 25u, 35u));
  std::vector<std::string> expected_ranked;
  for (const ScoredItem& item : ranked) expected_ranked.push_back(item.candidate->clip_id);
  EXPECT_EQ(ranked_ids, expected_ranked);
  for (const std::string& id : explored_ids) EXPECT_EQ(id.rfind("fresh-", 0), 0u) << id;
  EXPECT_EQ(std::set<std::string>(explored_ids.begin(), explored_ids.end()).size(), explored_ids.size());

  // The same seed, the same feed.
  const std::vector<ScoredItem> again = InterleaveExploration(ranked, pool, 2, 2024);
  ASSERT_EQ(again.size(), feed.size());
  for (size_t p = 0; p < feed.size(); ++p) {
    EXPECT_EQ(again[p].candidate, feed[p].candidate);
    EXPECT_EQ(again[p].exploration, feed[p].exploration);
  }
}

TEST(InterleaveExplorationTest, NeverServesAClipTwiceAndRunsShortGracefully) {
  std::vector<Candidate> ranked_clips;
  for (int i = 0; i < 30; ++i) ranked_clips.push_back(ExploreClip("ranked-" + std::to_string(i), 5000, 2000));
  const std::vector<ScoredItem> ranked = ExploreItems(ranked_clips);
  // The pool holds a clip that is ranked already, and one new clip twice.
  const Candidate fresh = ExploreClip("fresh", 3, 1);
  const std::vector<ScoredItem> pool = {ranked[3], ExploreItem(fresh), ExploreItem(fresh)};

  const std::vector<ScoredItem> feed = InterleaveExploration(ranked, pool, 2, 7);
  ASSERT_EQ(feed.size(), ranked.size() + 1);
  size_t explored = 0;
  for (size_t p = 0; p < feed.size(); ++p) {
    if (!feed[p].exploration) continue;
    ++explored;
    EXPECT_EQ(p, 5u);
    EXPECT_EQ(feed[p].candidate->clip_id, "fresh");
  }
  EXPECT_EQ(explored, 1u);

  // A pick never ends the list: with 5 ranked items position 5 is never
  // reached before they run out; with 6 it is.
  const std::vector<ScoredItem> five(ranked.begin(), ranked.begin() + 5);
  EXPECT_EQ(InterleaveExploration(five, {ExploreItem(fresh)}, 2, 7).size(), 5u);
  const std::vector<ScoredItem> six(ranked.begin(), ranked.begin() + 6);
  const std::vector<ScoredItem> short_feed = InterleaveExploration(six, {ExploreItem(fresh)}, 2, 7);
  ASSERT_EQ(short_feed.size(), 7u);
  EXPECT_TRUE(short_feed[5].exploration);
  EXPECT_EQ(short_feed[6].candidate->clip_id, "ranked-5");
  EXPECT_THAT(InterleaveExploration({}, {ExploreItem(fresh)}, 2, 7), IsEmpty());
}

}  // namespace
}  // namespace clipforge::feed
