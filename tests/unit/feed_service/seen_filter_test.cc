// The persistent seen-filter, over the fake store and the pools: an
// opted-in viewer's clips with feedback of any kind stay out of their new
// sessions (older unseen clips, found only by the widened gather, come
// instead, and a feed where everything was seen ends rather than
// repeats); a viewer who did not opt in is served them again; the newest
// kMaxSeenPerViewer are kept, in the pools and (trimmed in batches) in
// feed.seen; they survive a rebuild; withdrawing consent, deleting the
// account or deleting the clip erases them.
#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/feed/feed_logic.h"
#include "tests/unit/feed_service/feed_fixture.h"

namespace clipforge::feed_service::testing {
namespace {

using base::testing::IsOk;
using base::testing::IsOkAndHolds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAreArray;

class SeenFilterTest : public FeedFixture {
 protected:
  void SetUp() override { state_.MarkReady(); }

  // An opted-in viewer.
  kit::Caller NewOptedInViewer() {
    const kit::Caller viewer = NewUser();
    Register(viewer, /*analytics_opted_in=*/true);
    return viewer;
  }

  // One feedback request: `kind` for each of `clip_ids`.
  absl::StatusOr<int> Feedback(const kit::Caller& viewer, const std::vector<std::string>& clip_ids,
                               FeedbackKind kind = FeedbackKind::kSeen) {
    std::vector<FeedbackInput> inputs;
    for (const std::string& id : clip_ids) inputs.push_back(FeedbackInput{.clip_id = id, .kind = kind});
    return logic_.SendFeedback(viewer, Key(viewer), inputs);
  }
  // SEEN for `clip_ids[begin, end)`, `batch` a request, a second apart.
  void SeeInBatches(const kit::Caller& viewer, const std::vector<std::string>& clip_ids, size_t begin, size_t end,
                    size_t batch = 100) {
    for (size_t from = begin; from < end; from += batch) {
      const std::vector<std::string> part(clip_ids.begin() + from, clip_ids.begin() + std::min(end, from + batch));
      ASSERT_THAT(Feedback(viewer, part), IsOkAndHolds(static_cast<int>(part.size())));
      clock_.Advance(absl::Seconds(1));
    }
  }

  // Every clip a new session of `viewer`'s for_you serves through `logic`,
  // paging until a page comes back empty.
  std::vector<std::string> NewSession(const FeedLogic& logic, const kit::Caller& viewer) {
    std::vector<std::string> served;
    FeedPageRequest request{.feed = *ParseFeedName("for_you"), .page_size = 20};
    for (int pages = 0; pages < 200; ++pages) {
      absl::StatusOr<FeedPage> page = logic.GetFeed(viewer, request);
      EXPECT_THAT(page, IsOk());
      if (!page.ok() || page->items.empty()) return served;
      for (const ServedItem& item : page->items) served.push_back(item.candidate.clip_id);
      request.page_token = page->next_page_token;
    }
    ADD_FAILURE() << "the session never ends";
    return served;
  }
  std::vector<std::string> NewSession(const kit::Caller& viewer) { return NewSession(logic_, viewer); }

  // The viewer's rows in the fake's feed.seen.
  std::set<std::string> StoredSeen(const kit::Caller& viewer) {
    std::set<std::string> clips;
    for (const auto& [key, seen_at] : store_.state().seen) {
      if (key.first == viewer.user_id) clips.insert(key.second);
    }
    return clips;
  }

  // `count` unrelated clips of as many creators, a second apart, put
  // straight into the store and the pools as a publish would (unassessed:
  // thousands of publishes, each a fake transaction copying the store,
  // would take minutes); their ids, oldest first.
  std::vector<std::string> PlantClips(size_t count) {
    std::vector<FeedClipRecord> clips;
    for (size_t i = 0; i < count; ++i) {
      clock_.Advance(absl::Seconds(1));
      const std::string clip_id = ids_.Next();
      const uint64_t n = kPlantedPrompts + next_planted_++;
      clips.push_back(FeedClipRecord{.clip_id = clip_id,
                                     .creator_id = ids_.Next(),
                                     .root_clip_id = clip_id,
                                     .prompt = FillerPrompt(n),
                                     .published_at = clock_.Now(),
                                     .prompt_cluster_id = n,  // its own
                                     .originality_time = clock_.Now()});
    }
    EXPECT_THAT(store_.Transact(TxMode::kReadWrite,
                                [&](FeedTx& tx) {
                                  for (const FeedClipRecord& clip : clips) tx.InsertClip(clip);
                                  return absl::OkStatus();
                                }),
                IsOk());
    std::vector<std::string> ids;
    for (const FeedClipRecord& clip : clips) {
      state_.AddClip(clip);
      ids.push_back(clip.clip_id);
    }
    return ids;
  }

 private:
  // Far from the fixture's own filler prompts (numbered from 0).
  static constexpr uint64_t kPlantedPrompts = 200000;
  uint64_t next_planted_ = 0;
};

TEST_F(SeenFilterTest, AnOptedInViewersSeenClipsStayOutOfANewSession) {
  const std::vector<std::string> catalogue = PublishCatalogue(15, 2);
  const std::vector<std::string> seen(catalogue.begin(), catalogue.begin() + 10);
  const std::vector<std::string> unseen(catalogue.begin() + 10, catalogue.end());
  const kit::Caller viewer = NewOptedInViewer();

  ASSERT_THAT(Feedback(viewer, seen), IsOkAndHolds(10));

  EXPECT_THAT(StoredSeen(viewer), SizeIs(10));
  EXPECT_EQ(state_.SeenCount(viewer.user_id), 10u);
  // No page token: a new session, which leaves them out all the same.
  EXPECT_THAT(NewSession(viewer), UnorderedElementsAreArray(unseen));
}

TEST_F(SeenFilterTest, FeedbackOfEveryKindMarksTheClipSeen) {
  const std::vector<std::string> catalogue = PublishCatalogue(30, 1);
  const std::vector<FeedbackKind> kinds = {
      FeedbackKind::kSeen,     FeedbackKind::kSkip,     FeedbackKind::kComplete,
      FeedbackKind::kLike,     FeedbackKind::kFork,     FeedbackKind::kShare,
      FeedbackKind::kShowMore, FeedbackKind::kShowLess, FeedbackKind::kHideCreator};
  const kit::Caller viewer = NewOptedInViewer();

  std::vector<std::string> seen;
  for (size_t i = 0; i < kinds.size(); ++i) {
    ASSERT_THAT(Feedback(viewer, {catalogue[i]}, kinds[i]), IsOkAndHolds(1));
    seen.push_back(catalogue[i]);
  }
  // A second piece on a seen clip (COMPLETE after SEEN) adds no row.
  ASSERT_THAT(Feedback(viewer, {catalogue[0]}, FeedbackKind::kComplete), IsOkAndHolds(1));

  EXPECT_EQ(StoredSeen(viewer), std::set<std::string>(seen.begin(), seen.end()));
  EXPECT_EQ(state_.SeenCount(viewer.user_id), kinds.size());
  EXPECT_THAT(NewSession(viewer),
              UnorderedElementsAreArray(std::vector<std::string>(catalogue.begin() + kinds.size(), catalogue.end())));
}

TEST_F(SeenFilterTest, AViewerWhoDidNotOptInIsServedTheirSeenClipsAgain) {
  const std::vector<std::string> catalogue = PublishCatalogue(15, 2);
  const kit::Caller viewer = NewUser();
  Register(viewer, /*analytics_opted_in=*/false);

  ASSERT_THAT(Feedback(viewer, std::vector<std::string>(catalogue.begin(), catalogue.begin() + 10)), IsOkAndHolds(10));

  EXPECT_THAT(store_.state().seen, IsEmpty());
  EXPECT_EQ(state_.SeenCount(viewer.user_id), 0u);
  EXPECT_THAT(NewSession(viewer), UnorderedElementsAreArray(catalogue));
}

// The proto's contract: seen clips are left out, and an endless feed's
// page is empty only when nothing more is eligible. No fallback to seen
// clips.
TEST_F(SeenFilterTest, AFeedWhoseEveryClipWasSeenEndsRatherThanRepeats) {
  const std::vector<std::string> catalogue = PublishCatalogue(10, 3);
  const kit::Caller viewer = NewOptedInViewer();
  ASSERT_THAT(Feedback(viewer, catalogue), IsOkAndHolds(30));

  ASSERT_OK_AND_ASSIGN(const FeedPage page,
                       logic_.GetFeed(viewer, FeedPageRequest{.feed = *ParseFeedName("for_you"), .page_size = 20}));
  EXPECT_THAT(page.items, IsEmpty());
  EXPECT_EQ(page.next_page_token, "");
  // A clip published since is served.
  const std::string fresh = PublishFiller(ids_.Next());
  EXPECT_THAT(NewSession(viewer), ElementsAre(fresh));
}

TEST_F(SeenFilterTest, SeenClipsSurviveARebuild) {
  const std::vector<std::string> catalogue = PublishCatalogue(15, 2);
  const std::vector<std::string> unseen(catalogue.begin() + 10, catalogue.end());
  const kit::Caller viewer = NewOptedInViewer();
  const kit::Caller opted_out = NewUser();
  Register(opted_out, /*analytics_opted_in=*/false);
  for (const kit::Caller& v : {viewer, opted_out}) {
    ASSERT_THAT(Feedback(v, std::vector<std::string>(catalogue.begin(), catalogue.begin() + 10)), IsOk());
  }

  FeedState rebuilt;
  RebuildFromStore(rebuilt);
  const FeedLogic rebuilt_logic(store_, rebuilt, clock_, ids_, Rules());

  EXPECT_EQ(rebuilt.SeenCount(viewer.user_id), 10u);
  EXPECT_THAT(NewSession(rebuilt_logic, viewer), UnorderedElementsAreArray(unseen));
  EXPECT_THAT(NewSession(rebuilt_logic, opted_out), UnorderedElementsAreArray(catalogue));
}

TEST_F(SeenFilterTest, WithdrawingConsentErasesTheSeenClipsAndServesThemAgain) {
  const std::vector<std::string> catalogue = PublishCatalogue(15, 2);
  const kit::Caller viewer = NewOptedInViewer();
  ASSERT_THAT(Feedback(viewer, std::vector<std::string>(catalogue.begin(), catalogue.begin() + 10)), IsOkAndHolds(10));
  ASSERT_THAT(StoredSeen(viewer), SizeIs(10));

  // Erased in the transaction that records the withdrawal.
  ASSERT_THAT(ApplyUserEvent(ConsentChangedEvent(viewer.user_id, /*opted_in=*/false)), IsOk());

  EXPECT_THAT(StoredSeen(viewer), IsEmpty());
  EXPECT_EQ(state_.SeenCount(viewer.user_id), 0u);
  EXPECT_THAT(NewSession(viewer), UnorderedElementsAreArray(catalogue));
  // Opting in again brings nothing back: it was erased, not hidden.
  ASSERT_THAT(ApplyUserEvent(ConsentChangedEvent(viewer.user_id, /*opted_in=*/true)), IsOk());
  EXPECT_THAT(NewSession(viewer), UnorderedElementsAreArray(catalogue));
  FeedState rebuilt;
  RebuildFromStore(rebuilt);
  EXPECT_EQ(rebuilt.SeenCount(viewer.user_id), 0u);
}

TEST_F(SeenFilterTest, DeletingTheAccountOrTheClipDeletesItsSeenRows) {
  const std::vector<std::string> catalogue = PublishCatalogue(5, 2);
  const kit::Caller leaving = NewOptedInViewer(), staying = NewOptedInViewer();
  for (const kit::Caller& v : {leaving, staying}) ASSERT_THAT(Feedback(v, {catalogue[0], catalogue[1]}), IsOk());

  ASSERT_THAT(ApplyUserEvent(DeletedEvent(leaving.user_id)), IsOk());
  EXPECT_THAT(StoredSeen(leaving), IsEmpty());
  EXPECT_EQ(state_.SeenCount(leaving.user_id), 0u);
  EXPECT_THAT(StoredSeen(staying), SizeIs(2));

  // An author's deletion takes the clip's rows with it.
  RemoveClip(catalogue[0]);
  EXPECT_EQ(StoredSeen(staying), std::set<std::string>({catalogue[1]}));
}

// kMaxSeenPerViewer + 10 seen: the oldest 10 are forgotten, and only the
// widened gather finds them (the newest 5,000 clips, which the generators
// pick from, were all seen). feed.seen keeps the rows the pools forgot
// until they number kSeenTrimBatch; the next feedback trims it to the
// newest kMaxSeenPerViewer.
TEST_F(SeenFilterTest, TheNewestSeenClipsAreKeptAndTheTableIsTrimmedInBatches) {
  const kit::Caller viewer = NewOptedInViewer();
  const std::vector<std::string> first = PlantClips(kMaxSeenPerViewer + 10);
  SeeInBatches(viewer, first, 0, 10);
  SeeInBatches(viewer, first, 10, first.size());

  const std::vector<std::string> oldest(first.begin(), first.begin() + 10);
  EXPECT_EQ(state_.SeenCount(viewer.user_id), kMaxSeenPerViewer);
  EXPECT_THAT(NewSession(viewer), UnorderedElementsAreArray(oldest));
  // Not trimmed yet; a rebuild forgets the same 10.
  EXPECT_THAT(StoredSeen(viewer), SizeIs(kMaxSeenPerViewer + 10));
  {
    FeedState rebuilt;
    RebuildFromStore(rebuilt);
    const FeedLogic rebuilt_logic(store_, rebuilt, clock_, ids_, Rules());
    EXPECT_EQ(rebuilt.SeenCount(viewer.user_id), kMaxSeenPerViewer);
    EXPECT_THAT(NewSession(rebuilt_logic, viewer), UnorderedElementsAreArray(oldest));
  }

  // The pools forget kSeenTrimBatch in all; the feedback after that trims.
  const std::vector<std::string> second = PlantClips(kSeenTrimBatch);
  SeeInBatches(viewer, second, 0, kSeenTrimBatch - 10);
  EXPECT_THAT(StoredSeen(viewer), SizeIs(kMaxSeenPerViewer + kSeenTrimBatch));
  SeeInBatches(viewer, second, kSeenTrimBatch - 10, kSeenTrimBatch);

  std::set<std::string> newest(first.begin() + kSeenTrimBatch + 10, first.end());
  newest.insert(second.begin(), second.end());
  ASSERT_THAT(newest, SizeIs(kMaxSeenPerViewer));
  EXPECT_EQ(StoredSeen(viewer), newest);
  EXPECT_EQ(state_.SeenCount(viewer.user_id), kMaxSeenPerViewer);
  FeedState rebuilt;
  RebuildFromStore(rebuilt);
  EXPECT_EQ(rebuilt.SeenCount(viewer.user_id), kMaxSeenPerViewer);
  EXPECT_FALSE(rebuilt.SeenTrimDue(viewer.user_id));
}

}  // namespace
}  // namespace clipforge::feed_service::testing
