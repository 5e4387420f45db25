// Consent, export and deletion rules over the fake store.
#include "absl/strings/str_cat.h"
#include "tests/unit/users/logic_fixture.h"

namespace clipforge::users::testing {
namespace {

TEST_F(UsersLogicTest, ConsentIsOptInRecordedAndIdempotent) {
  const SignedIn kate = Register("kate");
  ASSERT_OK_AND_ASSIGN(const Consent before, privacy_.GetConsent(CallerOf(kate)));
  EXPECT_FALSE(before.opted_in);
  const kit::IdempotencyKey key = KeyFor(kate);
  ASSERT_OK_AND_ASSIGN(const Consent set, privacy_.SetConsent(CallerOf(kate), key, true, "2026-11"));
  clock_.Advance(absl::Minutes(1));
  ASSERT_OK_AND_ASSIGN(const Consent replayed, privacy_.SetConsent(CallerOf(kate), key, true, "2026-11"));
  EXPECT_EQ(replayed.update_time, set.update_time);
  ASSERT_OK_AND_ASSIGN(const Consent after, privacy_.GetConsent(CallerOf(kate)));
  EXPECT_TRUE(after.opted_in);
  EXPECT_EQ(after.policy_version, "2026-11");
  EXPECT_EQ(after.update_time, set.update_time);
  EXPECT_EQ(store_.EventTypes().back(), "clipforge.user.consent_changed");
  EXPECT_EQ(store_.EventTypes().size(), 2u);
}

TEST_F(UsersLogicTest, ExportHoldsEverythingAndIsLimitedPerDay) {
  const SignedIn liz = Register("liz");
  const SignedIn mo = Register("mo");
  ASSERT_THAT(graph_.Change(CallerOf(liz), KeyFor(liz), GraphOp::kFollow, mo.account.user_id), IsOk());
  ASSERT_OK_AND_ASSIGN(const std::string archive, privacy_.Export(CallerOf(liz)));
  EXPECT_THAT(archive, HasSubstr("\"format\":\"clipforge.users.export.v1\""));
  EXPECT_THAT(archive, HasSubstr("\"email\":\"liz@example.com\""));
  EXPECT_THAT(archive, HasSubstr("\"handle\":\"mo\""));
  EXPECT_THAT(archive, ::testing::Not(HasSubstr("argon2")));  // Never the password hash.
  ASSERT_THAT(privacy_.Export(CallerOf(liz)), IsOk());
  ASSERT_THAT(privacy_.Export(CallerOf(liz)), IsOk());
  EXPECT_THAT(privacy_.Export(CallerOf(liz)), StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("export")));
  clock_.Advance(absl::Hours(24) + absl::Seconds(1));
  EXPECT_THAT(privacy_.Export(CallerOf(liz)), IsOk());
}

TEST_F(UsersLogicTest, DeletionNeedsThePasswordErasesEverythingAndReservesTheHandle) {
  const SignedIn nia = Register("nia");
  const SignedIn oz = Register("oz");
  ASSERT_THAT(graph_.Change(CallerOf(nia), KeyFor(nia), GraphOp::kFollow, oz.account.user_id), IsOk());
  ASSERT_THAT(graph_.Change(CallerOf(oz), KeyFor(oz), GraphOp::kFollow, nia.account.user_id), IsOk());
  EXPECT_THAT(privacy_.DeleteAccount(CallerOf(nia), "not the password", kAddress),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("BAD_PASSWORD")));
  ASSERT_OK_AND_ASSIGN(const Deletion deletion, privacy_.DeleteAccount(CallerOf(nia), kPassword, kAddress));
  const absl::Time deleted = deletion.delete_time;
  EXPECT_EQ(deleted, clock_.Now());
  EXPECT_EQ(deletion.purge_time, deleted + options_.purge_within);
  EXPECT_EQ(options_.purge_within, absl::Hours(24 * 30));
  const FakeUsersState state = store_.state();
  EXPECT_FALSE(state.accounts.contains(nia.account.user_id));
  EXPECT_TRUE(state.follows.empty());
  EXPECT_EQ(state.accounts.at(oz.account.user_id).follower_count, 0);
  EXPECT_EQ(state.accounts.at(oz.account.user_id).following_count, 0);
  EXPECT_EQ(state.outbox.back().type(), "clipforge.user.deleted");
  // The event promises consumers the same purge time as the response.
  EXPECT_EQ(state.outbox.back().user_deleted().purge_time().seconds(), absl::ToUnixSeconds(deletion.purge_time));
  // The handle stays reserved for a while, then comes free.
  EXPECT_THAT(sessions_.Register(RegistrationOf("nia"), kAddress), StatusIs(absl::StatusCode::kAlreadyExists));
  clock_.Advance(options_.handle_reservation + absl::Seconds(1));
  EXPECT_THAT(sessions_.Register(RegistrationOf("nia"), kAddress), IsOk());
}

TEST_F(UsersLogicTest, DeletionPasswordGuessesAreThrottled) {
  const SignedIn pat = Register("pat");
  absl::Status last;
  for (int i = 0; i < 10 && last.code() != absl::StatusCode::kResourceExhausted; ++i) {
    last = privacy_.DeleteAccount(CallerOf(pat), "a wrong guess", kAddress).status();
  }
  EXPECT_THAT(last, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_TRUE(store_.state().accounts.contains(pat.account.user_id));
}

TEST_F(UsersLogicTest, LoginKeysCannotThrottleAnAccountsDeletion) {
  const SignedIn pia = Register("pia");
  // The old deletion key, typed at login by anyone.
  const std::string typed = absl::StrCat("delete@", pia.account.user_id);
  absl::Status last;
  for (int i = 0; i < 20 && last.code() != absl::StatusCode::kResourceExhausted; ++i) {
    last = sessions_.Login(LoginOf(typed, "a guess"), kAddress).status();
  }
  ASSERT_THAT(last, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(privacy_.DeleteAccount(CallerOf(pia), kPassword, kAddress), IsOk());
}

TEST_F(UsersLogicTest, EndedSessionsCannotReadOrChangeAnything) {
  const SignedIn quin = Register("quin");
  const SignedIn rex = Register("rex");
  ASSERT_THAT(sessions_.Logout(CallerOf(quin), ""), IsOk());
  const kit::Caller ended = CallerOf(quin);
  EXPECT_THAT(profiles_.GetMine(ended), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(profiles_.Update(ended, KeyFor(quin), ProfileChange{}), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(graph_.Change(ended, KeyFor(quin), GraphOp::kFollow, rex.account.user_id),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(graph_.List(ended, ListKind::kMuted, "", 10, ""), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(privacy_.GetConsent(ended), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(privacy_.SetConsent(ended, KeyFor(quin), true, "v"), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(privacy_.Export(ended), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(privacy_.DeleteAccount(ended, kPassword, kAddress), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(sessions_.LogoutEverywhere(ended), StatusIs(absl::StatusCode::kUnauthenticated));
}

}  // namespace
}  // namespace clipforge::users::testing
