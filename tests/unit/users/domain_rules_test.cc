// The users domain's rules that need no storage: refresh-token verdicts,
// session continuation, graph changes, role changes, profile changes.
#include <gtest/gtest.h>

#include "base/testing/status_matchers.h"
#include "users/account.h"
#include "users/graph.h"
#include "users/roles.h"
#include "users/session.h"

namespace clipforge::users {
namespace {

using base::Role;
using base::RoleSet;
using base::testing::IsOkAndHolds;
using base::testing::StatusIs;
using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);
constexpr absl::Duration kGrace = absl::Seconds(60);
constexpr absl::Duration kLifetime = absl::InfiniteDuration();

RefreshRecord Live() {
  RefreshRecord r;
  r.session_id = "s";
  r.user_id = "u";
  r.expires_at = kNow + absl::Hours(1);
  return r;
}

TEST(JudgeRefreshTest, UnknownExpiredOrEndedTokensAreInvalid) {
  EXPECT_EQ(JudgeRefresh(nullptr, "r", kNow, kGrace, kLifetime), RefreshVerdict::kInvalid);
  RefreshRecord expired = Live();
  expired.expires_at = kNow;
  EXPECT_EQ(JudgeRefresh(&expired, "r", kNow, kGrace, kLifetime), RefreshVerdict::kInvalid);
  RefreshRecord ended = Live();
  ended.session_revoked = true;
  EXPECT_EQ(JudgeRefresh(&ended, "r", kNow, kGrace, kLifetime), RefreshVerdict::kInvalid);
}

TEST(JudgeRefreshTest, ASessionPastItsLifetimeIsOverWhateverItsTokens) {
  RefreshRecord live;
  live.expires_at = kNow + absl::Hours(1);
  live.session_created_at = kNow - absl::Hours(24 * 90);
  EXPECT_EQ(JudgeRefresh(&live, "r", kNow, kGrace, absl::Hours(24 * 90)), RefreshVerdict::kInvalid);
  EXPECT_EQ(JudgeRefresh(&live, "r", kNow - absl::Seconds(1), kGrace, absl::Hours(24 * 90)),
            RefreshVerdict::kExchange);
}

TEST(JudgeRefreshTest, ALiveTokenIsExchanged) {
  const RefreshRecord live = Live();
  EXPECT_EQ(JudgeRefresh(&live, "r", kNow, kGrace, kLifetime), RefreshVerdict::kExchange);
}

TEST(JudgeRefreshTest, OnlyAFreshRetryOfTheSameExchangeWithAnUnusedSuccessorIsARetry) {
  RefreshRecord retired = Live();
  retired.retired = true;
  retired.retired_by = "r1";
  retired.retired_at = kNow - absl::Seconds(10);
  retired.successor_unused = true;
  EXPECT_EQ(JudgeRefresh(&retired, "r1", kNow, kGrace, kLifetime), RefreshVerdict::kRetry);
  // Another request: someone else holds a copy.
  EXPECT_EQ(JudgeRefresh(&retired, "r2", kNow, kGrace, kLifetime), RefreshVerdict::kReuse);
  // The successor was used: the retry's answer was received.
  retired.successor_unused = false;
  EXPECT_EQ(JudgeRefresh(&retired, "r1", kNow, kGrace, kLifetime), RefreshVerdict::kReuse);
  // Too late for a retry.
  retired.successor_unused = true;
  retired.retired_at = kNow - kGrace - absl::Seconds(1);
  EXPECT_EQ(JudgeRefresh(&retired, "r1", kNow, kGrace, kLifetime), RefreshVerdict::kReuse);
}

TEST(CanContinueSessionTest, OnlyLiveSessionsInsideTheWindow) {
  const Session fresh{"s", "u", false, kNow - absl::Minutes(4)};
  EXPECT_TRUE(CanContinueSession(fresh, kNow, absl::Minutes(5)));
  EXPECT_FALSE(CanContinueSession(fresh, kNow + absl::Minutes(2), absl::Minutes(5)));
  Session revoked = fresh;
  revoked.revoked = true;
  EXPECT_FALSE(CanContinueSession(revoked, kNow, absl::Minutes(5)));
}

TEST(CheckGraphChangeTest, FollowIsRefusedAcrossBlocksAndPastTheCap) {
  Relation blocked_by;
  blocked_by.blocked_by = true;
  EXPECT_THAT(CheckGraphChange(GraphOp::kFollow, blocked_by, 0, 10),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("BLOCKED")));
  Relation blocking;
  blocking.blocking = true;
  EXPECT_THAT(CheckGraphChange(GraphOp::kFollow, blocking, 0, 10),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("unblock first")));
  EXPECT_THAT(CheckGraphChange(GraphOp::kFollow, Relation{}, 10, 10),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("target_user_id")));
  EXPECT_TRUE(CheckGraphChange(GraphOp::kFollow, Relation{}, 9, 10).ok());
  // Following again someone already followed does not count twice.
  Relation following;
  following.following = true;
  EXPECT_TRUE(CheckGraphChange(GraphOp::kFollow, following, 10, 10).ok());
  // Undoing, blocking and muting are always allowed.
  for (GraphOp op : {GraphOp::kUnfollow, GraphOp::kBlock, GraphOp::kUnblock, GraphOp::kMute, GraphOp::kUnmute}) {
    EXPECT_TRUE(CheckGraphChange(op, blocked_by, 10, 10).ok());
  }
}

TEST(ChangeRolesTest, GrantRevokeAndTheLastAdmin) {
  const RoleSet user{Role::kUser};
  EXPECT_THAT(ChangeRoles(user, Role::kModerator, true, false), IsOkAndHolds(RoleSet{Role::kUser, Role::kModerator}));
  const RoleSet admin{Role::kUser, Role::kAdmin};
  EXPECT_THAT(ChangeRoles(admin, Role::kAdmin, false, /*only_admin=*/true),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("LAST_ADMIN")));
  EXPECT_THAT(ChangeRoles(admin, Role::kAdmin, false, /*only_admin=*/false), IsOkAndHolds(user));
  EXPECT_THAT(ChangeRoles(admin, Role::kUser, false, false),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("role")));
}

TEST(ApplyProfileChangeTest, ChangesOnlyTheNamedFields) {
  Account account;
  account.display_name = "Old";
  account.bio = "bio";
  account.avatar_blob_id = std::string(64, 'a');
  ProfileChange change;
  change.display_name = "New";
  change.avatar_blob_id = "";
  ApplyProfileChange(change, account);
  EXPECT_EQ(account.display_name, "New");
  EXPECT_EQ(account.bio, "bio");
  EXPECT_EQ(account.avatar_blob_id, "");
}

}  // namespace
}  // namespace clipforge::users
