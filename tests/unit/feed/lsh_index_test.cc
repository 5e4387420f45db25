// The prompt LSH index: a one-word edit of a 30-word prompt is found and an
// unrelated prompt is not; the creator's own clips and clips outside the
// time window are left out; matches come earliest first; full buckets keep
// their earliest clips; insert and remove.
#include "feed/lsh_index.h"

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clipforge::feed {
namespace {

using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kAstronaut[] =
    "A lone astronaut walks across a red desert at sunset, long shadows stretching over the dunes while two pale "
    "moons rise slowly above jagged mountains in a hazy violet sky";
// kAstronaut with one word changed ("red" -> "golden").
constexpr char kGoldenAstronaut[] =
    "A lone astronaut walks across a golden desert at sunset, long shadows stretching over the dunes while two pale "
    "moons rise slowly above jagged mountains in a hazy violet sky";
constexpr char kCoffee[] =
    "Close-up of a steaming cup of coffee on a wooden table in a cozy cafe, rain running down the window, soft jazz "
    "playing, warm morning light";

absl::Time IndexTime(int seconds) { return absl::FromUnixSeconds(1'700'000'000) + absl::Seconds(seconds); }

std::vector<std::string> MatchIds(const std::vector<PromptMatch>& matches) {
  std::vector<std::string> ids;
  for (const PromptMatch& match : matches) ids.push_back(match.clip_id);
  return ids;
}

TEST(PromptLshIndexTest, FindsAOneWordEditAndNotAnUnrelatedPrompt) {
  PromptLshIndex index;
  ASSERT_THAT(index.Insert("astronaut", "alice", IndexTime(0), PromptSignature(kAstronaut)), IsOk());
  ASSERT_THAT(index.Insert("coffee", "bob", IndexTime(1), PromptSignature(kCoffee)), IsOk());

  const MinHashSignature query = PromptSignature(kGoldenAstronaut);
  EXPECT_THAT(index.Candidates(query), ElementsAre("astronaut"));
  const std::vector<PromptMatch> matches = index.NearDuplicates(query, "carol", 0.5);
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].clip_id, "astronaut");
  EXPECT_EQ(matches[0].creator_id, "alice");
  EXPECT_EQ(matches[0].published_at, IndexTime(0));
  // The true Jaccard of the two shingle sets is about 0.9.
  EXPECT_NEAR(matches[0].similarity, 0.9, 0.1);

  EXPECT_THAT(index.Candidates(PromptSignature("a knight fighting a dragon in the rain")), IsEmpty());
}

TEST(PromptLshIndexTest, ThresholdIsApplied) {
  PromptLshIndex index;
  ASSERT_THAT(index.Insert("astronaut", "alice", IndexTime(0), PromptSignature(kAstronaut)), IsOk());
  const MinHashSignature query = PromptSignature(kGoldenAstronaut);
  ASSERT_EQ(index.NearDuplicates(query, "carol", 0.5).size(), 1u);
  const double similarity = index.NearDuplicates(query, "carol", 0.5)[0].similarity;
  EXPECT_EQ(index.NearDuplicates(query, "carol", similarity).size(), 1u);
  EXPECT_THAT(index.NearDuplicates(query, "carol", similarity + 0.001), IsEmpty());
}

TEST(PromptLshIndexTest, TheSameCreatorIsExcluded) {
  PromptLshIndex index;
  ASSERT_THAT(index.Insert("mine", "alice", IndexTime(0), PromptSignature(kAstronaut)), IsOk());
  const MinHashSignature query = PromptSignature(kAstronaut);
  // A candidate, but not a near-duplicate of alice's own clip.
  EXPECT_THAT(index.Candidates(query), ElementsAre("mine"));
  EXPECT_THAT(index.NearDuplicates(query, "alice", 0.5), IsEmpty());
  EXPECT_THAT(MatchIds(index.NearDuplicates(query, "bob", 0.5)), ElementsAre("mine"));
}

TEST(PromptLshIndexTest, EarliestFirstTiesByIdAndOnlyEarlierClips) {
  PromptLshIndex index;
  const MinHashSignature signature = PromptSignature(kAstronaut);
  ASSERT_THAT(index.Insert("c3", "carol", IndexTime(20), signature), IsOk());
  ASSERT_THAT(index.Insert("c1", "alice", IndexTime(0), signature), IsOk());
  ASSERT_THAT(index.Insert("c2b", "bob", IndexTime(10), signature), IsOk());
  ASSERT_THAT(index.Insert("c2a", "dave", IndexTime(10), signature), IsOk());

  EXPECT_THAT(MatchIds(index.NearDuplicates(signature, "zed", 0.9)), ElementsAre("c1", "c2a", "c2b", "c3"));
  EXPECT_THAT(index.Candidates(signature), ElementsAre("c1", "c2a", "c2b", "c3"));
  // Recomputed for c2a (dave, published at 10): only what came strictly
  // before counts, and dave's own clip never does.
  EXPECT_THAT(MatchIds(index.NearDuplicates(signature, "dave", 0.9, IndexTime(10))), ElementsAre("c1"));
  // The clips after c2a (to score again when it arrived late): strictly
  // later, earliest first, dave's own left out; both bounds together make
  // a window.
  EXPECT_THAT(MatchIds(index.NearDuplicates(signature, "dave", 0.9, absl::InfiniteFuture(), IndexTime(10))),
              ElementsAre("c3"));
  EXPECT_THAT(MatchIds(index.NearDuplicates(signature, "zed", 0.9, absl::InfiniteFuture(), IndexTime(0))),
              ElementsAre("c2a", "c2b", "c3"));
  EXPECT_THAT(MatchIds(index.NearDuplicates(signature, "zed", 0.9, IndexTime(20), IndexTime(0))),
              ElementsAre("c2a", "c2b"));
}

TEST(PromptLshIndexTest, AFullBucketKeepsItsEarliestClips) {
  PromptLshIndex index(/*bucket_cap=*/3);
  EXPECT_EQ(index.bucket_cap(), 3u);
  const MinHashSignature signature = PromptSignature(kAstronaut);
  // A spam wave of one prompt: every copy lands in the same 32 buckets.
  for (int i = 1; i <= 5; ++i) {
    ASSERT_THAT(index.Insert("spam" + std::to_string(i), "spammer" + std::to_string(i), IndexTime(i), signature),
                IsOk());
  }
  EXPECT_EQ(index.size(), 5u);
  EXPECT_THAT(index.Candidates(signature), ElementsAre("spam1", "spam2", "spam3"));

  // A backfilled earlier clip takes the place of the latest kept one.
  ASSERT_THAT(index.Insert("original", "alice", IndexTime(0), signature), IsOk());
  EXPECT_THAT(index.Candidates(signature), ElementsAre("original", "spam1", "spam2"));
  EXPECT_THAT(MatchIds(index.NearDuplicates(signature, "zed", 0.9)), ElementsAre("original", "spam1", "spam2"));

  // Evicted clips do not come back when a kept one is removed.
  EXPECT_TRUE(index.Remove("spam1"));
  EXPECT_THAT(index.Candidates(signature), ElementsAre("original", "spam2"));
  EXPECT_EQ(index.size(), 5u);

  // A clip with another signature is unaffected by the full buckets.
  ASSERT_THAT(index.Insert("coffee", "bob", IndexTime(100), PromptSignature(kCoffee)), IsOk());
  EXPECT_THAT(index.Candidates(PromptSignature(kCoffee)), ElementsAre("coffee"));
}

TEST(PromptLshIndexTest, InsertTwiceAndRemove) {
  PromptLshIndex index;
  const MinHashSignature signature = PromptSignature(kAstronaut);
  ASSERT_THAT(index.Insert("c1", "alice", IndexTime(0), signature), IsOk());
  EXPECT_THAT(index.Insert("c1", "alice", IndexTime(5), PromptSignature(kCoffee)),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(index.Candidates(PromptSignature(kCoffee)), IsEmpty());
  EXPECT_EQ(index.size(), 1u);

  EXPECT_FALSE(index.Remove("unknown"));
  EXPECT_TRUE(index.Remove("c1"));
  EXPECT_FALSE(index.Remove("c1"));
  EXPECT_EQ(index.size(), 0u);
  EXPECT_THAT(index.Candidates(signature), IsEmpty());

  // The freed slot is reused without leaking the removed clip's buckets.
  ASSERT_THAT(index.Insert("c2", "bob", IndexTime(1), PromptSignature(kCoffee)), IsOk());
  EXPECT_THAT(index.Candidates(signature), IsEmpty());
  EXPECT_THAT(index.Candidates(PromptSignature(kCoffee)), ElementsAre("c2"));
  ASSERT_THAT(index.Insert("c1", "alice", IndexTime(0), signature), IsOk());
  EXPECT_THAT(index.Candidates(signature), ElementsAre("c1"));
}

}  // namespace
}  // namespace clipforge::feed
