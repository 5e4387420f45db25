// Profile rules over the fake store: updates by mask, idempotent retries,
// public profiles and what blocks hide.
#include "tests/unit/users/logic_fixture.h"

namespace clipforge::users::testing {
namespace {

TEST_F(UsersLogicTest, AnUpdateChangesOnlyTheNamedFieldsAndEmitsTheMask) {
  const SignedIn ann = Register("ann");
  ProfileChange change;
  change.bio = "I write prompts.";
  change.languages = std::vector<std::string>{"en", "pt-BR"};
  clock_.Advance(absl::Minutes(1));
  ASSERT_OK_AND_ASSIGN(const Account updated, profiles_.Update(CallerOf(ann), KeyFor(ann), change));
  EXPECT_EQ(updated.bio, "I write prompts.");
  EXPECT_EQ(updated.display_name, "Name of ann");
  EXPECT_EQ(updated.updated_at, clock_.Now());
  ASSERT_OK_AND_ASSIGN(const Account stored, profiles_.GetMine(CallerOf(ann)));
  EXPECT_EQ(stored.languages, (std::vector<std::string>{"en", "pt-BR"}));
  const FakeUsersState state = store_.state();
  ASSERT_EQ(state.outbox.size(), 2u);
  const v1::UserProfileUpdatedEvent& event = state.outbox[1].user_profile_updated();
  EXPECT_EQ(std::vector<std::string>(event.update_mask().paths().begin(), event.update_mask().paths().end()),
            (std::vector<std::string>{"bio", "languages"}));
}

TEST_F(UsersLogicTest, ARetriedUpdateReplaysTheFirstAnswerAndAReusedIdIsRefused) {
  const SignedIn ben = Register("ben");
  ProfileChange change;
  change.display_name = "Ben";
  const kit::IdempotencyKey key = KeyFor(ben);
  ASSERT_OK_AND_ASSIGN(const Account first, profiles_.Update(CallerOf(ben), key, change));
  clock_.Advance(absl::Minutes(1));
  ASSERT_OK_AND_ASSIGN(const Account replayed, profiles_.Update(CallerOf(ben), key, change));
  EXPECT_EQ(replayed.display_name, "Ben");
  EXPECT_EQ(replayed.updated_at, first.updated_at);  // The first answer, not a second update.
  EXPECT_EQ(store_.EventTypes().size(), 2u);
  kit::IdempotencyKey reused = key;
  reused.fingerprint = "a different request";
  EXPECT_THAT(profiles_.Update(CallerOf(ben), reused, change),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("request_id")));
}

TEST_F(UsersLogicTest, PublicProfilesCarryTheViewersRelationshipAndBlocksHide) {
  const SignedIn cat = Register("cat");
  const SignedIn dan = Register("dan");
  ASSERT_OK_AND_ASSIGN(const PublicProfile anonymous, profiles_.GetPublic(std::nullopt, {"", "cat"}));
  EXPECT_EQ(anonymous.account.user_id, cat.account.user_id);
  EXPECT_FALSE(anonymous.relation.has_value());
  ASSERT_THAT(graph_.Change(CallerOf(dan), KeyFor(dan), GraphOp::kFollow, cat.account.user_id), IsOk());
  ASSERT_OK_AND_ASSIGN(const PublicProfile seen, profiles_.GetPublic(CallerOf(dan), {cat.account.user_id, ""}));
  ASSERT_TRUE(seen.relation.has_value());
  EXPECT_TRUE(seen.relation->following);
  EXPECT_EQ(seen.account.follower_count, 1);
  // Looking at oneself carries no relationship.
  ASSERT_OK_AND_ASSIGN(const PublicProfile self, profiles_.GetPublic(CallerOf(cat), {"", "cat"}));
  EXPECT_FALSE(self.relation.has_value());
  ASSERT_THAT(graph_.Change(CallerOf(cat), KeyFor(cat), GraphOp::kBlock, dan.account.user_id), IsOk());
  EXPECT_THAT(profiles_.GetPublic(CallerOf(dan), {"", "cat"}), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(profiles_.GetPublic(std::nullopt, {"", "nobody"}), StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace clipforge::users::testing
