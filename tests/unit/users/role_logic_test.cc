// Role rules over the fake store: only admins (by token and by the store)
// change roles; the last admin stays; the operator's make-admin.
#include "tests/unit/users/logic_fixture.h"

namespace clipforge::users::testing {
namespace {

TEST_F(UsersLogicTest, OnlyAnAdminByTokenAndByTheStoreChangesRoles) {
  const SignedIn root = Register("root_user");
  const SignedIn ord = Register("ordinary");
  EXPECT_THAT(roles_.Change(CallerOf(ord), KeyFor(ord), root.account.user_id, base::Role::kCreator, true, "mine"),
              StatusIs(absl::StatusCode::kPermissionDenied));
  // A token claiming admin is not enough when the store disagrees.
  kit::Caller forged = CallerOf(ord);
  forged.roles = forged.roles.With(base::Role::kAdmin);
  EXPECT_THAT(roles_.Change(forged, KeyFor(ord), ord.account.user_id, base::Role::kCreator, true, "mine"),
              StatusIs(absl::StatusCode::kPermissionDenied));
  // An admin in the store whose token predates the role is refused too.
  const kit::Caller admin = MakeAdmin(root);
  EXPECT_THAT(roles_.Change(CallerOf(root), KeyFor(root), ord.account.user_id, base::Role::kCreator, true, "clips"),
              StatusIs(absl::StatusCode::kPermissionDenied));
  clock_.Advance(absl::Seconds(5));
  ASSERT_OK_AND_ASSIGN(const RolesView granted,
                       roles_.Change(admin, KeyFor(root), ord.account.user_id, base::Role::kCreator, true, "clips"));
  EXPECT_TRUE((granted.roles == base::RoleSet{base::Role::kUser, base::Role::kCreator}));
  EXPECT_EQ(granted.update_time, clock_.Now());
  const FakeUsersState state = store_.state();
  EXPECT_TRUE(state.accounts.at(ord.account.user_id).roles.Has(base::Role::kCreator));
  const v1::UserRolesChangedEvent& event = state.outbox.back().user_roles_changed();
  EXPECT_EQ(event.reason(), "clips");
  EXPECT_EQ(state.outbox.back().actor().id(), root.account.user_id);
  // Granting a role held already changes nothing and emits nothing.
  ASSERT_THAT(roles_.Change(admin, KeyFor(root), ord.account.user_id, base::Role::kCreator, true, "again"), IsOk());
  EXPECT_EQ(store_.state().outbox.size(), state.outbox.size());
}

TEST_F(UsersLogicTest, TheLastAdminKeepsTheRoleAndTheirAccount) {
  const SignedIn only = Register("only_admin");
  const kit::Caller admin = MakeAdmin(only);
  EXPECT_THAT(roles_.Change(admin, KeyFor(only), only.account.user_id, base::Role::kAdmin, false, "stepping down"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("LAST_ADMIN")));
  EXPECT_THAT(privacy_.DeleteAccount(admin, kPassword, kAddress),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("LAST_ADMIN")));
  // With a second admin, either may go.
  const SignedIn second = Register("second_admin");
  MakeAdmin(second);
  EXPECT_THAT(roles_.Change(admin, KeyFor(only), only.account.user_id, base::Role::kAdmin, false, "stepping down"),
              IsOk());
}

TEST_F(UsersLogicTest, MakeAdminIsIdempotentAndNamesUnknownHandles) {
  Register("op");
  EXPECT_THAT(roles_.MakeAdmin("op"), IsOkAndHolds(true));
  EXPECT_THAT(roles_.MakeAdmin("op"), IsOkAndHolds(false));
  EXPECT_THAT(roles_.MakeAdmin("ghost"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("ghost")));
  EXPECT_EQ(store_.EventTypes().back(), "clipforge.user.roles_changed");
}

}  // namespace
}  // namespace clipforge::users::testing
