// Reach penalties for mass reposting, with clips entering as the clips
// service's events: five public copies of other creators' clips in a day
// cut their creator's reach to a quarter (the "reach" factor of every
// clip of theirs), four or five private ones do not; GetReachStatus shows
// the penalty; one appeal per running penalty, idempotent by request id;
// moderators and admins alone decide it: a lift gives the reach back at
// once and forgives the copies so far, an uphold keeps it; a rebuild from
// the store restores what the pools held; a deleted account's penalty
// goes.
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "feed/reach_penalty.h"
#include "feed/scoring.h"
#include "services/feed/convert.h"
#include "services/feed/feed_logic.h"
#include "tests/unit/feed_service/feed_fixture.h"

namespace clipforge::feed_service::testing {
namespace {

using base::testing::IsOk;
using base::testing::StatusIs;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class ReachLogicTest : public FeedFixture {
 protected:
  void SetUp() override { state_.MarkReady(); }

  // `count` public copies by `creator`, each of an original another
  // creator published just before it; returns the copies' ids.
  std::vector<std::string> PublishCopies(const std::string& creator, int count,
                                         const ClipOptions& options = {}) {
    std::vector<std::string> copies;
    for (int i = 0; i < count; ++i) {
      const std::string prompt = FillerPrompt(kOriginalPrompts + next_original_++);
      Publish(ids_.Next(), prompt);
      copies.push_back(Publish(creator, prompt, options));
      EXPECT_TRUE(StoredClip(copies.back()).is_copy) << "not a copy: " << copies.back();
    }
    return copies;
  }

  // The item `clip_id` as a new session of `viewer`'s `feed` serves it,
  // paging until it comes; none when the feed runs out first.
  std::optional<ServedItem> ServedItemOf(const kit::Caller& viewer, const std::string& clip_id,
                                         const std::string& feed = "for_you") {
    std::string token;
    for (int pages = 0; pages < 50; ++pages) {
      absl::StatusOr<FeedPage> page = logic_.GetFeed(
          viewer, FeedPageRequest{.feed = *ParseFeedName(feed), .page_size = 20, .page_token = token});
      EXPECT_THAT(page, IsOk());
      if (!page.ok() || page->items.empty()) return std::nullopt;
      for (const ServedItem& item : page->items) {
        if (item.candidate.clip_id == clip_id) return item;
      }
      token = page->next_page_token;
    }
    return std::nullopt;
  }

  // The reach factor of `clip_id` as `viewer`'s for_you serves it (0, failing
  // the test, when it is not served).
  double ServedReach(const kit::Caller& viewer, const std::string& clip_id) {
    const std::optional<ServedItem> item = ServedItemOf(viewer, clip_id);
    EXPECT_TRUE(item.has_value()) << clip_id << " was not served";
    return item ? item->breakdown.Factor(feed::kReachFactor) : 0.0;
  }

  // A penalized creator (five copies just now) with an original clip of
  // their own that for_you serves.
  struct Penalized {
    kit::Caller creator;
    std::string original;
    std::vector<std::string> copies;
  };
  Penalized PenalizeNewCreator() {
    Penalized p{.creator = NewUser()};
    p.original = PublishFiller(p.creator.user_id);
    p.copies = PublishCopies(p.creator.user_id, feed::kMassRepostCopies);
    return p;
  }

  absl::StatusOr<ReachView> Appeal(const kit::Caller& creator, const std::string& statement = "I made these") {
    return logic_.AppealReach(creator, Key(creator), statement);
  }
  absl::StatusOr<ReachView> Decide(const kit::Caller& moderator, const std::string& creator_id, bool lift) {
    return logic_.DecideReachAppeal(moderator, Key(moderator),
                                    ReachDecision{.creator_id = creator_id, .lift = lift, .note = "looked at it"});
  }

 private:
  // Far from the fixture's own filler prompts (numbered from 0).
  static constexpr uint64_t kOriginalPrompts = 100000;
  uint64_t next_original_ = 0;
};

TEST_F(ReachLogicTest, FiveCopiesOfOthersClipsCutTheCreatorsReachToAQuarter) {
  const kit::Caller reposter = NewUser();
  const std::string original = PublishFiller(reposter.user_id);
  const std::string bystanders = PublishFiller(ids_.Next());
  PublishCatalogue(5, 2);
  const kit::Caller viewer = NewUser();

  PublishCopies(reposter.user_id, feed::kMassRepostCopies - 1);
  EXPECT_EQ(ServedReach(viewer, original), 1.0);
  EXPECT_FALSE(store_.state().reach_penalties.contains(reposter.user_id));

  const std::vector<std::string> fifth = PublishCopies(reposter.user_id, 1);
  const absl::Time fifth_at = clock_.Now();

  EXPECT_EQ(ServedReach(viewer, original), feed::kReachPenaltyMultiplier);
  EXPECT_EQ(ServedReach(viewer, bystanders), 1.0);
  EXPECT_EQ(state_.ReachOf(reposter.user_id, clock_.Now()), 0.25);
  // In the following feed, which serves copies too, the copy as well.
  const kit::Caller follower = NewUser();
  Follow(follower, reposter.user_id);
  const std::optional<ServedItem> copy = ServedItemOf(follower, fifth[0], "following");
  ASSERT_TRUE(copy.has_value());
  EXPECT_EQ(copy->breakdown.Factor(feed::kReachFactor), 0.25);
  ASSERT_TRUE(store_.state().reach_penalties.contains(reposter.user_id));
  const ReachPenaltyRecord& stored = store_.state().reach_penalties.at(reposter.user_id);
  EXPECT_EQ(stored.started_at, fifth_at);
  EXPECT_EQ(stored.until, fifth_at + absl::Hours(24 * 7));
}

TEST_F(ReachLogicTest, GetReachStatusShowsTheRunningPenaltyAndItsCopies) {
  const Penalized p = PenalizeNewCreator();
  const absl::Time fifth_at = clock_.Now();
  clock_.Advance(absl::Hours(1));

  ASSERT_OK_AND_ASSIGN(const ReachView view, logic_.GetReachStatus(p.creator));

  EXPECT_TRUE(view.active);
  EXPECT_EQ(view.reach, 0.25);
  ASSERT_TRUE(view.penalty.has_value());
  EXPECT_EQ(view.penalty->started_at, fifth_at);
  EXPECT_EQ(view.penalty->until, fifth_at + feed::kReachPenaltyDuration);
  EXPECT_EQ(view.penalty->copies, 5);
  EXPECT_THAT(view.penalty->copy_clip_ids, ElementsAreArray(p.copies));
  v1::ReachStatus status;
  FillReachStatus(view, &status);
  EXPECT_EQ(status.creator_id(), p.creator.user_id);
  EXPECT_TRUE(status.active());
  EXPECT_EQ(status.reach(), 0.25);
  EXPECT_EQ(status.copies(), 5);
  EXPECT_EQ(status.copy_clip_ids_size(), 5);
  EXPECT_EQ(status.appeal_state(), v1::REACH_APPEAL_STATE_NONE);
  EXPECT_EQ(kit::FromTimestamp(status.end_time()), fifth_at + feed::kReachPenaltyDuration);

  // Someone never penalized: nothing runs.
  ASSERT_OK_AND_ASSIGN(const ReachView clean, logic_.GetReachStatus(NewUser()));
  EXPECT_FALSE(clean.active);
  EXPECT_EQ(clean.reach, 1.0);
  EXPECT_FALSE(clean.penalty.has_value());

  // A week later it has ended, on its own.
  clock_.Advance(feed::kReachPenaltyDuration);
  ASSERT_OK_AND_ASSIGN(const ReachView ended, logic_.GetReachStatus(p.creator));
  EXPECT_FALSE(ended.active);
  EXPECT_EQ(ended.reach, 1.0);
  EXPECT_EQ(state_.ReachOf(p.creator.user_id, clock_.Now()), 1.0);
  EXPECT_EQ(ServedReach(NewUser(), p.original), 1.0);
}

TEST_F(ReachLogicTest, CopiesSpreadOverDaysOrPrivateStartNoPenalty) {
  const kit::Caller spread = NewUser();
  for (int i = 0; i < feed::kMassRepostCopies; ++i) {
    PublishCopies(spread.user_id, 1);
    clock_.Advance(absl::Hours(18));
  }
  const kit::Caller hidden = NewUser();
  PublishCopies(hidden.user_id, feed::kMassRepostCopies, {.visibility = v1::VISIBILITY_PRIVATE});

  EXPECT_THAT(store_.state().reach_penalties, IsEmpty());
  EXPECT_EQ(state_.ReachOf(spread.user_id, clock_.Now()), 1.0);
  EXPECT_EQ(state_.ReachOf(hidden.user_id, clock_.Now()), 1.0);
}

TEST_F(ReachLogicTest, PrivateCopiesMadePublicTogetherStartAPenalty) {
  const kit::Caller flipper = NewUser();
  const std::vector<std::string> copies =
      PublishCopies(flipper.user_id, feed::kMassRepostCopies, {.visibility = v1::VISIBILITY_PRIVATE});
  ASSERT_EQ(state_.ReachOf(flipper.user_id, clock_.Now()), 1.0);
  for (const std::string& copy : copies) {
    ASSERT_THAT(ApplyClipEvent(UpdatedEvent(copy, v1::VISIBILITY_PUBLIC, {"visibility"})), IsOk());
  }
  EXPECT_EQ(state_.ReachOf(flipper.user_id, clock_.Now()), feed::kReachPenaltyMultiplier);
  EXPECT_TRUE(store_.state().reach_penalties.contains(flipper.user_id));
}

TEST_F(ReachLogicTest, ACopyCompletingAnotherRunExtendsThePenaltyAndARedeliveryDoesNot) {
  const Penalized p = PenalizeNewCreator();
  const absl::Time first_until = store_.state().reach_penalties.at(p.creator.user_id).until;
  clock_.Advance(absl::Hours(2));

  const std::string prompt = FillerPrompt(999999);
  Publish(ids_.Next(), prompt);
  const v1::EventEnvelope sixth = PublishedEvent(p.creator.user_id, prompt);
  ASSERT_THAT(ApplyClipEvent(sixth), IsOk());
  const ReachPenaltyRecord extended = store_.state().reach_penalties.at(p.creator.user_id);
  ASSERT_THAT(ApplyClipEvent(sixth), IsOk());

  EXPECT_EQ(extended.until, clock_.Now() + feed::kReachPenaltyDuration);
  EXPECT_GT(extended.until, first_until);
  EXPECT_EQ(extended.copies, 6);
  EXPECT_THAT(extended.copy_clip_ids, ElementsAreArray(p.copies));
  const ReachPenaltyRecord after_redelivery = store_.state().reach_penalties.at(p.creator.user_id);
  EXPECT_EQ(after_redelivery.until, extended.until);
  EXPECT_EQ(after_redelivery.copies, 6);
}

TEST_F(ReachLogicTest, AnAppealThenALiftGivesTheReachBackAtOnceAndForgivesTheCopies) {
  const Penalized p = PenalizeNewCreator();
  const kit::Caller viewer = NewUser();
  ASSERT_EQ(ServedReach(viewer, p.original), 0.25);

  const kit::IdempotencyKey key = Key(p.creator);
  ASSERT_OK_AND_ASSIGN(const ReachView appealed, logic_.AppealReach(p.creator, key, "I made these"));
  EXPECT_TRUE(appealed.active);
  ASSERT_TRUE(appealed.penalty.has_value());
  EXPECT_EQ(appealed.penalty->appeal_statement, "I made these");
  EXPECT_EQ(appealed.penalty->appealed_at, clock_.Now());
  v1::ReachStatus status;
  FillReachStatus(appealed, &status);
  EXPECT_EQ(status.appeal_state(), v1::REACH_APPEAL_STATE_PENDING);
  // A retry replays; a second appeal is refused.
  EXPECT_THAT(logic_.AppealReach(p.creator, key, "I made these"), IsOk());
  EXPECT_THAT(Appeal(p.creator, "Really, I did"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already appealed")));

  clock_.Advance(absl::Hours(3));
  const kit::Caller moderator = NewModerator();
  ASSERT_OK_AND_ASSIGN(const ReachView lifted, Decide(moderator, p.creator.user_id, /*lift=*/true));

  EXPECT_FALSE(lifted.active);
  EXPECT_EQ(lifted.reach, 1.0);
  ASSERT_TRUE(lifted.penalty.has_value());
  EXPECT_EQ(lifted.penalty->lifted_at, clock_.Now());
  EXPECT_EQ(lifted.penalty->decision, ReachAppealDecision::kLifted);
  EXPECT_EQ(lifted.penalty->decided_by, moderator.user_id);
  EXPECT_EQ(lifted.penalty->decision_note, "looked at it");
  status.Clear();
  FillReachStatus(lifted, &status);
  EXPECT_EQ(status.appeal_state(), v1::REACH_APPEAL_STATE_LIFTED);
  EXPECT_EQ(kit::FromTimestamp(status.lift_time()), clock_.Now());
  EXPECT_EQ(state_.ReachOf(p.creator.user_id, clock_.Now()), 1.0);
  EXPECT_EQ(ServedReach(viewer, p.original), 1.0);
  // Decided: nothing pending any more.
  EXPECT_THAT(Decide(moderator, p.creator.user_id, /*lift=*/false),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("pending")));

  // The five copies are forgiven: four more in the same day start nothing,
  // a fifth after the lift does.
  PublishCopies(p.creator.user_id, feed::kMassRepostCopies - 1);
  EXPECT_EQ(state_.ReachOf(p.creator.user_id, clock_.Now()), 1.0);
  EXPECT_TRUE(store_.state().reach_penalties.at(p.creator.user_id).lifted_at.has_value());
  PublishCopies(p.creator.user_id, 1);
  EXPECT_EQ(state_.ReachOf(p.creator.user_id, clock_.Now()), 0.25);
  ASSERT_OK_AND_ASSIGN(const ReachView again, logic_.GetReachStatus(p.creator));
  EXPECT_TRUE(again.active);
  // A new penalty, with no appeal yet.
  EXPECT_FALSE(again.penalty->appealed_at.has_value());
  EXPECT_FALSE(again.penalty->lifted_at.has_value());
}

TEST_F(ReachLogicTest, AnUpheldAppealKeepsThePenaltyAndItIsNotAppealedTwice) {
  const Penalized p = PenalizeNewCreator();
  ASSERT_THAT(Appeal(p.creator), IsOk());

  ASSERT_OK_AND_ASSIGN(const ReachView upheld, Decide(NewAdmin(), p.creator.user_id, /*lift=*/false));

  EXPECT_TRUE(upheld.active);
  EXPECT_EQ(upheld.reach, 0.25);
  EXPECT_EQ(upheld.penalty->decision, ReachAppealDecision::kUpheld);
  EXPECT_FALSE(upheld.penalty->lifted_at.has_value());
  v1::ReachStatus status;
  FillReachStatus(upheld, &status);
  EXPECT_EQ(status.appeal_state(), v1::REACH_APPEAL_STATE_UPHELD);
  EXPECT_EQ(status.decision_note(), "looked at it");
  EXPECT_EQ(state_.ReachOf(p.creator.user_id, clock_.Now()), 0.25);
  EXPECT_EQ(ServedReach(NewUser(), p.original), 0.25);
  EXPECT_THAT(Appeal(p.creator), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already appealed")));
}

TEST_F(ReachLogicTest, OnlyModeratorsAndAdminsDecideAndOnlyAPendingAppeal) {
  const Penalized p = PenalizeNewCreator();
  const kit::Caller moderator = NewModerator();
  // No appeal yet; and someone never penalized.
  EXPECT_THAT(Decide(moderator, p.creator.user_id, /*lift=*/true),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("pending")));
  EXPECT_THAT(Decide(moderator, ids_.Next(), /*lift=*/true),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("creator_id")));
  ASSERT_THAT(Appeal(p.creator), IsOk());

  // Not a user, not the creator themselves.
  EXPECT_THAT(Decide(NewUser(), p.creator.user_id, /*lift=*/true), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(Decide(p.creator, p.creator.user_id, /*lift=*/true), StatusIs(absl::StatusCode::kPermissionDenied));
  // Nor a moderator deciding their own penalty's appeal.
  EXPECT_THAT(Decide(Moderator(p.creator.user_id), p.creator.user_id, /*lift=*/true),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("their own")));

  EXPECT_EQ(state_.ReachOf(p.creator.user_id, clock_.Now()), 0.25);
  EXPECT_EQ(store_.state().reach_penalties.at(p.creator.user_id).decision, ReachAppealDecision::kNone);
}

TEST_F(ReachLogicTest, OnlyARunningPenaltyIsAppealed) {
  EXPECT_THAT(Appeal(NewUser()), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no reach penalty")));

  const Penalized p = PenalizeNewCreator();
  clock_.Advance(feed::kReachPenaltyDuration);

  EXPECT_THAT(Appeal(p.creator), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no reach penalty")));
  EXPECT_FALSE(store_.state().reach_penalties.at(p.creator.user_id).appealed_at.has_value());
}

TEST_F(ReachLogicTest, ARebuildRestoresTheRunningPenaltyButNotALiftedOne) {
  const Penalized running = PenalizeNewCreator();
  const Penalized lifted = PenalizeNewCreator();
  ASSERT_THAT(Appeal(lifted.creator), IsOk());
  ASSERT_THAT(Decide(NewModerator(), lifted.creator.user_id, /*lift=*/true), IsOk());

  FeedState rebuilt;
  RebuildFromStore(rebuilt);

  EXPECT_EQ(rebuilt.ReachOf(running.creator.user_id, clock_.Now()), 0.25);
  EXPECT_EQ(rebuilt.ReachOf(lifted.creator.user_id, clock_.Now()), 1.0);
  EXPECT_EQ(rebuilt.RecentCopies(running.creator.user_id).size(), state_.RecentCopies(running.creator.user_id).size());

  // The rebuilt pools hold the lifted creator's copies again (from the
  // clips), but the stored lift still forgives them: one more copy
  // starts nothing.
  EventLogic rebuilt_events(rebuilt, clock_, factory_);
  const std::string prompt = FillerPrompt(888888);
  for (const v1::EventEnvelope& event :
       {PublishedEvent(ids_.Next(), prompt), PublishedEvent(lifted.creator.user_id, prompt)}) {
    ASSERT_THAT(
        store_.Transact(TxMode::kReadWrite, [&](FeedTx& tx) { return rebuilt_events.ApplyClipEvent(tx, event); }),
        IsOk());
  }
  ASSERT_EQ(rebuilt.RecentCopies(lifted.creator.user_id).size(), static_cast<size_t>(feed::kMassRepostCopies));
  EXPECT_EQ(rebuilt.ReachOf(lifted.creator.user_id, clock_.Now()), 1.0);
  EXPECT_TRUE(store_.state().reach_penalties.at(lifted.creator.user_id).lifted_at.has_value());
}

TEST_F(ReachLogicTest, AnEndedPenaltyIsPrunedAndNotReloaded) {
  const Penalized p = PenalizeNewCreator();
  const ReachPenaltyRecord stored = store_.state().reach_penalties.at(p.creator.user_id);
  // Still running a second before its end: nothing to prune.
  EXPECT_EQ(state_.PruneEndedReachPenalties(stored.until - absl::Seconds(1)), 0u);
  EXPECT_EQ(state_.ReachOf(p.creator.user_id, stored.until - absl::Seconds(1)), feed::kReachPenaltyMultiplier);

  clock_.Advance(stored.until - clock_.Now());
  EXPECT_EQ(state_.PruneEndedReachPenalties(clock_.Now()), 1u);
  EXPECT_EQ(state_.PruneEndedReachPenalties(clock_.Now()), 0u);
  EXPECT_EQ(state_.ReachOf(p.creator.user_id, clock_.Now()), 1.0);
  // A restart loads only running penalties; the ended one stays in the
  // store (its history, and what a later run replaces).
  FeedState rebuilt;
  RebuildFromStore(rebuilt);
  EXPECT_EQ(rebuilt.PruneEndedReachPenalties(clock_.Now()), 0u);
  EXPECT_TRUE(store_.state().reach_penalties.contains(p.creator.user_id));
}

TEST_F(ReachLogicTest, ADeletedAccountsPenaltyGoes) {
  const Penalized p = PenalizeNewCreator();
  ASSERT_THAT(Appeal(p.creator), IsOk());
  // A copy moderation removed is withdrawn, and no removal event will come
  // for it: the deletion takes it.
  ASSERT_THAT(ApplyClipEvent(RemovedEvent(p.copies[0], v1::REMOVAL_REASON_MODERATION)), IsOk());
  ASSERT_TRUE(store_.state().clips.at(p.copies[0]).withdrawn);

  ASSERT_THAT(ApplyUserEvent(DeletedEvent(p.creator.user_id)), IsOk());

  EXPECT_FALSE(store_.state().clips.contains(p.copies[0]));
  EXPECT_FALSE(store_.state().clips.contains(p.original));

  EXPECT_FALSE(store_.state().reach_penalties.contains(p.creator.user_id));
  EXPECT_EQ(state_.ReachOf(p.creator.user_id, clock_.Now()), 1.0);
  EXPECT_THAT(state_.RecentCopies(p.creator.user_id), IsEmpty());
}

}  // namespace
}  // namespace clipforge::feed_service::testing
