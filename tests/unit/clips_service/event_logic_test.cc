// Other services' events over the fake store: the users service's
// registrations, follows and blocks (who sees what), account deletions
// (anonymous tombstones, likes withdrawn, the user forgotten) and the
// moderators' decisions on clips (removal, and restore on appeal).
#include "services/clips/event_logic.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/clips_service/clips_fixture.h"

namespace clipforge::clips_service::testing {
namespace {

using base::testing::IsOk;
using base::testing::StatusIs;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

class EventLogicTest : public ClipsFixture {};

// --- Users ---

TEST_F(EventLogicTest, ARegisteredUserIsShownAsTheirClipsAuthor) {
  const kit::Caller alice = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  Register(alice, "alice");

  ASSERT_OK_AND_ASSIGN(const ClipView view, clips_.Get(NewUser(), clip.clip_id));
  ASSERT_TRUE(view.author.has_value());
  EXPECT_EQ(view.author->user_id, alice.user_id);
  EXPECT_EQ(view.author->handle, "alice");
  EXPECT_EQ(view.author->display_name, "Name of alice");
}

TEST_F(EventLogicTest, AFollowIsKeptForTheFollowerOnly) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  Follow(bob, alice);
  const FakeClipsState state = store_.state();
  EXPECT_THAT(state.follows, UnorderedElementsAre(Pair(bob.user_id, alice.user_id)));
}

TEST_F(EventLogicTest, AnUnfollowTakesAwayFollowersOnlyClips) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox", "", v1::VISIBILITY_FOLLOWERS);
  Follow(bob, alice);
  ASSERT_THAT(clips_.Get(bob, clip.clip_id), IsOk());

  ASSERT_THAT(ApplyUserEvent(UnfollowedEvent(bob.user_id, alice.user_id)), IsOk());
  EXPECT_THAT(clips_.Get(bob, clip.clip_id), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(EventLogicTest, ABlockEndsTheFollowsBetweenTheTwoBothWays) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox", "", v1::VISIBILITY_FOLLOWERS);
  Follow(bob, alice);
  Follow(alice, bob);
  Block(alice, bob);

  const FakeClipsState state = store_.state();
  EXPECT_THAT(state.follows, IsEmpty());
  EXPECT_THAT(state.blocks, UnorderedElementsAre(Pair(alice.user_id, bob.user_id)));
  // Unblocked, Bob is no follower any more (the users service sends no
  // unfollow for the follows a block ends).
  ASSERT_THAT(ApplyUserEvent(UnblockedEvent(alice.user_id, bob.user_id)), IsOk());
  EXPECT_THAT(store_.state().blocks, IsEmpty());
  EXPECT_THAT(clips_.Get(bob, clip.clip_id), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(EventLogicTest, AnUnblockLetsTheViewerSeeTheAuthorsPublicClipsAgain) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  Block(alice, bob);
  ASSERT_THAT(clips_.Get(bob, clip.clip_id), StatusIs(absl::StatusCode::kNotFound));

  ASSERT_THAT(ApplyUserEvent(UnblockedEvent(alice.user_id, bob.user_id)), IsOk());
  EXPECT_THAT(clips_.Get(bob, clip.clip_id), IsOk());
}

// --- Account deletion ---

TEST_F(EventLogicTest, AccountDeletionMakesTheUsersClipsAnonymousTombstones) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  Register(alice, "alice");
  const ClipRecord bobs = Publish(bob, "a red fox");
  const ClipRecord original = Publish(alice, "a blue fox");
  const ClipRecord fork = Publish(alice, "a red fox jumping", bobs.clip_id);

  DeleteAccount(alice);

  for (const ClipRecord& clip : {original, fork}) {
    SCOPED_TRACE(clip.prompt());
    const ClipRecord stored = Stored(clip.clip_id);
    EXPECT_EQ(stored.removal_reason, v1::REMOVAL_REASON_ACCOUNT_DELETED);
    EXPECT_EQ(stored.author_id, "");
    EXPECT_THAT(clips_.Get(bob, clip.clip_id), StatusIs(absl::StatusCode::kNotFound));
  }
  // Bob's clip is untouched and the graph stays whole.
  const ClipRecord parent = Stored(bobs.clip_id);
  EXPECT_FALSE(parent.removed());
  EXPECT_EQ(parent.author_id, bob.user_id);
  EXPECT_EQ(parent.counts.direct_forks, 1);
  EXPECT_EQ(Stored(fork.clip_id).parent_id, bobs.clip_id);
}

TEST_F(EventLogicTest, AccountDeletionAnnouncesEachRemovalWithTheFormerAuthor) {
  const kit::Caller alice = NewUser();
  const ClipRecord first = Publish(alice, "a red fox");
  const ClipRecord second = Publish(alice, "a blue fox");
  DeleteAccount(alice);

  std::vector<std::string> removed_ids;
  for (const v1::EventEnvelope& event : Events(kRemovedSubject)) {
    EXPECT_EQ(event.clip_removed().author_id(), alice.user_id);
    EXPECT_EQ(event.clip_removed().reason(), v1::REMOVAL_REASON_ACCOUNT_DELETED);
    removed_ids.push_back(event.clip_removed().clip_id());
  }
  EXPECT_THAT(removed_ids, UnorderedElementsAre(first.clip_id, second.clip_id));
}

TEST_F(EventLogicTest, AnAdminSeesTheTombstoneOfADeletedAccountWithoutAnAuthor) {
  const kit::Caller alice = NewUser();
  Register(alice, "alice");
  const ClipRecord clip = Publish(alice, "a red fox");
  DeleteAccount(alice);

  ASSERT_OK_AND_ASSIGN(const ClipView view, clips_.Get(NewAdmin(), clip.clip_id));
  EXPECT_TRUE(view.clip.removed());
  EXPECT_EQ(view.clip.author_id, "");
  EXPECT_FALSE(view.author.has_value());
}

TEST_F(EventLogicTest, AccountDeletionWithdrawsTheUsersLikes) {
  const kit::Caller alice = NewUser(), bob = NewUser(), carol = NewUser();
  const ClipRecord bobs = Publish(bob, "a red fox");
  const ClipRecord carols = Publish(carol, "a blue fox");
  Like(alice, bobs.clip_id);
  Like(alice, carols.clip_id);
  Like(carol, bobs.clip_id);

  DeleteAccount(alice);

  EXPECT_EQ(Stored(bobs.clip_id).counts.likes, 1);
  EXPECT_EQ(Stored(carols.clip_id).counts.likes, 0);
  const FakeClipsState state = store_.state();
  for (const auto& [key, time] : state.likes) EXPECT_NE(key.second, alice.user_id) << key.first;
  EXPECT_EQ(state.likes.size(), 1u);
  // Nobody else's like went.
  ASSERT_OK_AND_ASSIGN(const ClipView seen, clips_.Get(carol, bobs.clip_id));
  EXPECT_TRUE(seen.liked_by_viewer);
}

TEST_F(EventLogicTest, AccountDeletionForgetsTheUser) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  Register(alice, "alice");
  Follow(alice, bob);
  Follow(bob, alice);
  Block(bob, alice);

  DeleteAccount(alice);

  const FakeClipsState state = store_.state();
  ASSERT_EQ(state.users.count(alice.user_id), 1u);
  const UserRecord& user = state.users.at(alice.user_id);
  EXPECT_TRUE(user.deleted);
  EXPECT_EQ(user.handle, "");
  EXPECT_EQ(user.display_name, "");
  EXPECT_THAT(state.follows, IsEmpty());
  EXPECT_THAT(state.blocks, IsEmpty());
}

TEST_F(EventLogicTest, AccountDeletionAnonymisesClipsTheUserHadDeleted) {
  const kit::Caller alice = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  Delete(alice, clip.clip_id);

  DeleteAccount(alice);

  const ClipRecord stored = Stored(clip.clip_id);
  EXPECT_TRUE(stored.removed());
  EXPECT_EQ(stored.author_id, "");
}

TEST_F(EventLogicTest, AccountDeletionAppliedTwiceChangesNothingMore) {
  const kit::Caller alice = NewUser();
  Publish(alice, "a red fox");
  DeleteAccount(alice);
  const int removals = CountEvents(kRemovedSubject);

  EXPECT_THAT(ApplyUserEvent(DeletedEvent(alice.user_id)), IsOk());
  EXPECT_EQ(CountEvents(kRemovedSubject), removals);
}

TEST_F(EventLogicTest, AccountDeletionOfAUserWithoutClipsIsOk) {
  EXPECT_THAT(ApplyUserEvent(DeletedEvent(NewUser().user_id)), IsOk());
  EXPECT_THAT(Events(kRemovedSubject), IsEmpty());
}

// --- Moderation ---

TEST_F(EventLogicTest, AModerationRemovalMakesTheClipATombstone) {
  const kit::Caller alice = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");

  Moderate(clip.clip_id, v1::MODERATION_ACTION_REMOVE);

  const ClipRecord stored = Stored(clip.clip_id);
  EXPECT_EQ(stored.removal_reason, v1::REMOVAL_REASON_MODERATION);
  EXPECT_EQ(stored.author_id, alice.user_id);  // Kept: an appeal may restore it.
  EXPECT_THAT(clips_.Get(alice, clip.clip_id), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(clips_.Get(NewUser(), clip.clip_id), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(EventLogicTest, AModerationRemovalIsAnnouncedWithTheDecision) {
  const kit::Caller alice = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  const std::string decision_id = Moderate(clip.clip_id, v1::MODERATION_ACTION_REMOVE);

  const std::vector<v1::EventEnvelope> removed = Events(kRemovedSubject);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].clip_removed().clip_id(), clip.clip_id);
  EXPECT_EQ(removed[0].clip_removed().author_id(), alice.user_id);
  EXPECT_EQ(removed[0].clip_removed().reason(), v1::REMOVAL_REASON_MODERATION);
  EXPECT_EQ(removed[0].clip_removed().decision_id(), decision_id);
}

TEST_F(EventLogicTest, AModerationRemovalKeepsTheForkGraph) {
  const kit::Caller alice = NewUser(), bob = NewUser();
  const ClipRecord root = Publish(alice, "a red fox");
  const ClipRecord fork = Publish(bob, "a red fox jumping", root.clip_id);

  Moderate(root.clip_id, v1::MODERATION_ACTION_REMOVE);

  EXPECT_EQ(Stored(fork.clip_id).parent_id, root.clip_id);
  EXPECT_FALSE(Stored(fork.clip_id).removed());
  EXPECT_EQ(Stored(root.clip_id).counts.direct_forks, 1);
  EXPECT_THAT(clips_.Get(NewUser(), fork.clip_id), IsOk());
}

TEST_F(EventLogicTest, ARestoreBringsBackAClipModerationRemoved) {
  const kit::Caller alice = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  Moderate(clip.clip_id, v1::MODERATION_ACTION_REMOVE);

  Moderate(clip.clip_id, v1::MODERATION_ACTION_RESTORE);

  const ClipRecord stored = Stored(clip.clip_id);
  EXPECT_FALSE(stored.removed());
  EXPECT_EQ(stored.author_id, alice.user_id);
  EXPECT_THAT(clips_.Get(NewUser(), clip.clip_id), IsOk());
}

TEST_F(EventLogicTest, ARestoreLeavesAClipItsAuthorDeleted) {
  const kit::Caller alice = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  Delete(alice, clip.clip_id);

  Moderate(clip.clip_id, v1::MODERATION_ACTION_RESTORE);

  EXPECT_EQ(Stored(clip.clip_id).removal_reason, v1::REMOVAL_REASON_DELETED_BY_AUTHOR);
}

TEST_F(EventLogicTest, ARestoreLeavesAClipOfADeletedAccountRemoved) {
  const kit::Caller alice = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");
  DeleteAccount(alice);

  Moderate(clip.clip_id, v1::MODERATION_ACTION_RESTORE);

  EXPECT_EQ(Stored(clip.clip_id).removal_reason, v1::REMOVAL_REASON_ACCOUNT_DELETED);
}

TEST_F(EventLogicTest, ARestoreOfALiveClipChangesNothing) {
  const ClipRecord clip = Publish(NewUser(), "a red fox");
  const size_t events = store_.state().events.size();

  Moderate(clip.clip_id, v1::MODERATION_ACTION_RESTORE);

  EXPECT_FALSE(Stored(clip.clip_id).removed());
  EXPECT_EQ(store_.state().events.size(), events);
}

TEST_F(EventLogicTest, OtherModerationActionsLeaveTheClipLive) {
  const ClipRecord clip = Publish(NewUser(), "a red fox");
  for (const v1::ModerationAction action : {v1::MODERATION_ACTION_NO_ACTION, v1::MODERATION_ACTION_LABEL,
                                            v1::MODERATION_ACTION_REDUCE_VISIBILITY,
                                            v1::MODERATION_ACTION_AGE_RESTRICT, v1::MODERATION_ACTION_WARN_AUTHOR}) {
    SCOPED_TRACE(v1::ModerationAction_Name(action));
    Moderate(clip.clip_id, action);
    EXPECT_FALSE(Stored(clip.clip_id).removed());
  }
  EXPECT_THAT(Events(kRemovedSubject), IsEmpty());
}

TEST_F(EventLogicTest, DecisionsAboutOtherContentAreIgnored) {
  const kit::Caller alice = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");

  // A comment or an account that happens to carry the clip's (or the
  // author's) id is not the clip.
  EXPECT_THAT(ApplyModerationDecision(
                  DecidedEvent(clip.clip_id, v1::MODERATION_ACTION_REMOVE, ids_.Next(), v1::CONTENT_KIND_COMMENT)),
              IsOk());
  EXPECT_THAT(ApplyModerationDecision(
                  DecidedEvent(alice.user_id, v1::MODERATION_ACTION_REMOVE, ids_.Next(), v1::CONTENT_KIND_USER)),
              IsOk());
  EXPECT_FALSE(Stored(clip.clip_id).removed());
  EXPECT_THAT(Events(kRemovedSubject), IsEmpty());
}

TEST_F(EventLogicTest, ARemovalOfAnUnknownClipIsIgnored) {
  EXPECT_THAT(ApplyModerationDecision(DecidedEvent(ids_.Next(), v1::MODERATION_ACTION_REMOVE, ids_.Next())), IsOk());
  EXPECT_THAT(store_.state().clips, IsEmpty());
  EXPECT_THAT(store_.state().events, IsEmpty());
}

TEST_F(EventLogicTest, EachApplierIgnoresTheOthersEvents) {
  const kit::Caller alice = NewUser();
  const ClipRecord clip = Publish(alice, "a red fox");

  EXPECT_THAT(ApplyUserEvent(DecidedEvent(clip.clip_id, v1::MODERATION_ACTION_REMOVE, ids_.Next())), IsOk());
  EXPECT_THAT(ApplyModerationDecision(DeletedEvent(alice.user_id)), IsOk());

  const ClipRecord stored = Stored(clip.clip_id);
  EXPECT_FALSE(stored.removed());
  EXPECT_EQ(stored.author_id, alice.user_id);
}

}  // namespace
}  // namespace clipforge::clips_service::testing
