// Social graph rules over the fake store: follows with counters, blocks that
// end follows, the follow cap, idempotent retries and the lists.
#include "tests/unit/users/logic_fixture.h"

namespace clipforge::users::testing {
namespace {

TEST_F(UsersLogicTest, FollowAndUnfollowKeepCountersAndEmitOnlyRealChanges) {
  const SignedIn eve = Register("eve");
  const SignedIn fay = Register("fay");
  const kit::Caller me = CallerOf(eve);
  ASSERT_OK_AND_ASSIGN(const RelationshipView followed,
                       graph_.Change(me, KeyFor(eve), GraphOp::kFollow, fay.account.user_id));
  EXPECT_TRUE(followed.relation.following);
  EXPECT_EQ(followed.relation.follow_time, clock_.Now());
  // Following again changes nothing and emits nothing.
  ASSERT_THAT(graph_.Change(me, KeyFor(eve), GraphOp::kFollow, fay.account.user_id), IsOk());
  FakeUsersState state = store_.state();
  EXPECT_EQ(state.accounts.at(eve.account.user_id).following_count, 1);
  EXPECT_EQ(state.accounts.at(fay.account.user_id).follower_count, 1);
  ASSERT_THAT(graph_.Change(me, KeyFor(eve), GraphOp::kUnfollow, fay.account.user_id), IsOk());
  state = store_.state();
  EXPECT_EQ(state.accounts.at(eve.account.user_id).following_count, 0);
  EXPECT_EQ(state.accounts.at(fay.account.user_id).follower_count, 0);
  EXPECT_EQ(store_.EventTypes(), (std::vector<std::string>{"clipforge.user.registered", "clipforge.user.registered",
                                                           "clipforge.user.followed", "clipforge.user.unfollowed"}));
}

TEST_F(UsersLogicTest, ABlockEndsFollowsBothWaysAndStopsNewOnes) {
  const SignedIn gus = Register("gus");
  const SignedIn hal = Register("hal");
  ASSERT_THAT(graph_.Change(CallerOf(gus), KeyFor(gus), GraphOp::kFollow, hal.account.user_id), IsOk());
  ASSERT_THAT(graph_.Change(CallerOf(hal), KeyFor(hal), GraphOp::kFollow, gus.account.user_id), IsOk());
  ASSERT_OK_AND_ASSIGN(const RelationshipView blocked,
                       graph_.Change(CallerOf(hal), KeyFor(hal), GraphOp::kBlock, gus.account.user_id));
  EXPECT_TRUE(blocked.relation.blocking);
  EXPECT_FALSE(blocked.relation.following);
  EXPECT_FALSE(blocked.relation.followed_by);
  const FakeUsersState state = store_.state();
  EXPECT_EQ(state.accounts.at(gus.account.user_id).follower_count, 0);
  EXPECT_EQ(state.accounts.at(gus.account.user_id).following_count, 0);
  EXPECT_THAT(graph_.Change(CallerOf(gus), KeyFor(gus), GraphOp::kFollow, hal.account.user_id),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("BLOCKED")));
  EXPECT_THAT(graph_.Change(CallerOf(hal), KeyFor(hal), GraphOp::kFollow, gus.account.user_id),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("unblock first")));
}

TEST_F(UsersLogicTest, SelfUnknownAndOverTheCapAreRefused) {
  const SignedIn ida = Register("ida");
  EXPECT_THAT(graph_.Change(CallerOf(ida), KeyFor(ida), GraphOp::kFollow, ida.account.user_id),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("yourself")));
  EXPECT_THAT(graph_.Change(CallerOf(ida), KeyFor(ida), GraphOp::kFollow, NewId()),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("target_user_id")));
  UsersLogicOptions capped = options_;
  capped.max_following = 1;
  GraphLogic graph(store_, clock_, events_, capped);
  const SignedIn jo = Register("jo");
  const SignedIn ky = Register("ky");
  ASSERT_THAT(graph.Change(CallerOf(ida), KeyFor(ida), GraphOp::kFollow, jo.account.user_id), IsOk());
  EXPECT_THAT(graph.Change(CallerOf(ida), KeyFor(ida), GraphOp::kFollow, ky.account.user_id),
              StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST_F(UsersLogicTest, ARetriedFollowReplaysAndAReusedRequestIdIsRefused) {
  const SignedIn lea = Register("lea");
  const SignedIn max = Register("max");
  const SignedIn ned = Register("ned");
  const kit::IdempotencyKey key = KeyFor(lea);
  ASSERT_OK_AND_ASSIGN(const RelationshipView first,
                       graph_.Change(CallerOf(lea), key, GraphOp::kFollow, max.account.user_id));
  ASSERT_THAT(graph_.Change(CallerOf(lea), KeyFor(lea), GraphOp::kUnfollow, max.account.user_id), IsOk());
  // The retry answers what the first call answered, and changes nothing.
  ASSERT_OK_AND_ASSIGN(const RelationshipView replayed,
                       graph_.Change(CallerOf(lea), key, GraphOp::kFollow, max.account.user_id));
  EXPECT_TRUE(replayed.relation.following);
  EXPECT_EQ(replayed.relation.follow_time, first.relation.follow_time);
  EXPECT_EQ(store_.state().accounts.at(lea.account.user_id).following_count, 0);
  kit::IdempotencyKey other = key;
  other.fingerprint = "follow ned";
  EXPECT_THAT(graph_.Change(CallerOf(lea), other, GraphOp::kFollow, ned.account.user_id),
              StatusIs(absl::StatusCode::kAlreadyExists));
  // A refused change records nothing: the same key works once it is allowed.
  const kit::IdempotencyKey refused_key = KeyFor(lea);
  ASSERT_THAT(graph_.Change(CallerOf(ned), KeyFor(ned), GraphOp::kBlock, lea.account.user_id), IsOk());
  EXPECT_THAT(graph_.Change(CallerOf(lea), refused_key, GraphOp::kFollow, ned.account.user_id),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_THAT(graph_.Change(CallerOf(ned), KeyFor(ned), GraphOp::kUnblock, lea.account.user_id), IsOk());
  EXPECT_THAT(graph_.Change(CallerOf(lea), refused_key, GraphOp::kFollow, ned.account.user_id), IsOk());
}

TEST_F(UsersLogicTest, ListsPageNewestFirstAndHideWhatBlocksHide) {
  const SignedIn star = Register("star");
  std::vector<SignedIn> fans;
  for (int i = 0; i < 5; ++i) {
    fans.push_back(Register(absl::StrCat("fan", i)));
    clock_.Advance(absl::Seconds(1));
    ASSERT_THAT(graph_.Change(CallerOf(fans.back()), KeyFor(fans.back()), GraphOp::kFollow, star.account.user_id),
                IsOk());
  }
  const kit::Caller viewer = CallerOf(fans[0]);
  ASSERT_OK_AND_ASSIGN(const ListPage first, graph_.List(viewer, ListKind::kFollowers, star.account.user_id, 2, ""));
  ASSERT_EQ(first.users.size(), 2u);
  EXPECT_EQ(first.users[0].handle, "fan4");
  EXPECT_FALSE(first.next_page_token.empty());
  ASSERT_OK_AND_ASSIGN(const ListPage second,
                       graph_.List(viewer, ListKind::kFollowers, star.account.user_id, 2, first.next_page_token));
  EXPECT_EQ(second.users[0].handle, "fan2");
  // A token is bound to its list.
  EXPECT_THAT(graph_.List(viewer, ListKind::kFollowing, star.account.user_id, 2, first.next_page_token),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  // Users the viewer blocks are left out of follower lists.
  ASSERT_THAT(graph_.Change(viewer, KeyFor(fans[0]), GraphOp::kBlock, fans[4].account.user_id), IsOk());
  ASSERT_OK_AND_ASSIGN(const ListPage filtered,
                       graph_.List(viewer, ListKind::kFollowers, star.account.user_id, 10, ""));
  EXPECT_EQ(filtered.users.size(), 4u);
  EXPECT_TRUE(filtered.next_page_token.empty());
  ASSERT_OK_AND_ASSIGN(const ListPage blocked, graph_.List(viewer, ListKind::kBlocked, "", 10, ""));
  ASSERT_EQ(blocked.users.size(), 1u);
  EXPECT_EQ(blocked.users[0].handle, "fan4");
  // A user who blocks the caller: their lists are NOT_FOUND to the caller.
  ASSERT_THAT(graph_.Change(CallerOf(star), KeyFor(star), GraphOp::kBlock, fans[1].account.user_id), IsOk());
  EXPECT_THAT(graph_.List(CallerOf(fans[1]), ListKind::kFollowers, star.account.user_id, 10, ""),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace clipforge::users::testing
