// Teen accounts over the fake store: a birth date at sign-up makes a teen
// account (13 to 17) or is refused (under 13); a teen account cannot opt in
// to analytics until its adult time (the first of the month after the 18th
// birthday); only that is kept.
#include "base/error_reason.h"
#include "services/users/convert.h"
#include "tests/unit/users/logic_fixture.h"
#include "users/age.h"

namespace clipforge::users::testing {
namespace {

// The fixture's clock starts on 2026-05-28 (20:26:40 UTC).
const absl::CivilDay kSignUpDay(2026, 5, 28);
const absl::CivilDay kTeenBirth(2011, 1, 10);  // 15 at sign-up.
// The first of the month after the 18th birthday (2029-01-10).
const absl::Time kTeenAdultAt = absl::FromCivil(absl::CivilDay(2029, 2, 1), absl::UTCTimeZone());

class TeenAccountTest : public UsersLogicTest {
 protected:
  Registration BornOn(const std::string& handle, absl::CivilDay birth) {
    Registration r = RegistrationOf(handle);
    r.birth_date = birth;
    return r;
  }

  v1::User AsUser(const Account& account) {
    v1::User user;
    FillUser(account, clock_.Now(), &user);
    return user;
  }
};

TEST_F(TeenAccountTest, TheClockStartsOnTheDayTheseTestsAssume) {
  ASSERT_EQ(absl::ToCivilDay(clock_.Now(), absl::UTCTimeZone()), kSignUpDay);
}

TEST_F(TeenAccountTest, ATeensSignUpKeepsOnlyWhenTheAccountBecomesAnAdults) {
  ASSERT_OK_AND_ASSIGN(const SignedIn tia, sessions_.Register(BornOn("tia", kTeenBirth), kAddress));
  EXPECT_EQ(tia.account.adult_at, kTeenAdultAt);
  EXPECT_TRUE(AsUser(tia.account).teen_account());
  const FakeUsersState state = store_.state();
  EXPECT_EQ(state.accounts.at(tia.account.user_id).adult_at, kTeenAdultAt);
  EXPECT_FALSE(state.accounts.at(tia.account.user_id).analytics_opt_in);
  // Other services learn when it becomes an adult's.
  ASSERT_EQ(state.outbox.size(), 1u);
  const v1::UserRegisteredEvent& event = state.outbox[0].user_registered();
  EXPECT_EQ(event.adult_time().seconds(), absl::ToUnixSeconds(kTeenAdultAt));
  EXPECT_FALSE(event.analytics_opted_in());
  ASSERT_OK_AND_ASSIGN(const Account mine, profiles_.GetMine(CallerOf(tia)));
  EXPECT_TRUE(AsUser(mine).teen_account());
}

TEST_F(TeenAccountTest, ThirteenTodayIsATeenAndThirteenTomorrowIsTooYoung) {
  ASSERT_OK_AND_ASSIGN(const SignedIn ted, sessions_.Register(BornOn("ted", absl::CivilDay(2013, 5, 28)), kAddress));
  EXPECT_EQ(ted.account.adult_at, absl::FromCivil(absl::CivilDay(2031, 6, 1), absl::UTCTimeZone()));
  const absl::Status too_young = sessions_.Register(BornOn("tim", absl::CivilDay(2013, 5, 29)), kAddress).status();
  EXPECT_THAT(too_young, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("birth_date")));
  EXPECT_EQ(base::ReasonOf(too_young), "TOO_YOUNG");
}

TEST_F(TeenAccountTest, UnderThirteenIsRefusedAndNothingIsStored) {
  const int before = store_.transactions();
  const absl::Status refused = sessions_.Register(BornOn("kid", absl::CivilDay(2016, 2, 29)), kAddress).status();
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(base::ReasonOf(refused), "TOO_YOUNG");
  EXPECT_EQ(store_.transactions(), before);
  EXPECT_TRUE(store_.state().accounts.empty());
  EXPECT_TRUE(store_.EventTypes().empty());
}

TEST_F(TeenAccountTest, EighteenBeforeThisMonthOrNoBirthDateIsAnAdultsAccount) {
  ASSERT_OK_AND_ASSIGN(const SignedIn ada, sessions_.Register(BornOn("ada", absl::CivilDay(2008, 4, 30)), kAddress));
  EXPECT_EQ(ada.account.adult_at, std::nullopt);
  EXPECT_FALSE(AsUser(ada.account).teen_account());
  const SignedIn ned = Register("ned");  // No birth date: self-declared adult.
  EXPECT_EQ(ned.account.adult_at, std::nullopt);
  EXPECT_FALSE(store_.state().outbox[1].user_registered().has_adult_time());
  // Eighteen today: an adult's account from the first of next month (the
  // kept instant tells the birth month, not the day).
  ASSERT_OK_AND_ASSIGN(const SignedIn eve, sessions_.Register(BornOn("eve", absl::CivilDay(2008, 5, 28)), kAddress));
  EXPECT_EQ(eve.account.adult_at, absl::FromCivil(absl::CivilDay(2026, 6, 1), absl::UTCTimeZone()));
  EXPECT_TRUE(AsUser(eve.account).teen_account());
}

TEST_F(TeenAccountTest, ABirthDateAfterTodayEverywhereIsInvalid) {
  EXPECT_THAT(sessions_.Register(BornOn("zed", absl::CivilDay(2026, 5, 30)), kAddress),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("birth_date")));
  EXPECT_TRUE(store_.state().accounts.empty());
}

TEST_F(TeenAccountTest, ATeenCannotOptInAtSignUp) {
  Registration teen = BornOn("tess", kTeenBirth);
  teen.analytics_opt_in = true;
  teen.consent_policy_version = "2026-05";
  const absl::Status refused = sessions_.Register(teen, kAddress).status();
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("TEEN_ACCOUNT")));
  EXPECT_EQ(base::ReasonOf(refused), "TEEN_ACCOUNT");
  EXPECT_TRUE(store_.state().accounts.empty());
  EXPECT_TRUE(store_.EventTypes().empty());
  // An adult may.
  Registration adult = BornOn("abe", absl::CivilDay(1990, 7, 1));
  adult.analytics_opt_in = true;
  ASSERT_OK_AND_ASSIGN(const SignedIn abe, sessions_.Register(adult, kAddress));
  EXPECT_TRUE(abe.account.analytics_opt_in);
}

TEST_F(TeenAccountTest, ATeenCannotOptInUntilItsAdultTimeButMayAlwaysOptOut) {
  ASSERT_OK_AND_ASSIGN(const SignedIn tom, sessions_.Register(BornOn("tom", kTeenBirth), kAddress));
  const absl::Status refused = privacy_.SetConsent(CallerOf(tom), KeyFor(tom), true, "2026-05").status();
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("TEEN_ACCOUNT")));
  EXPECT_EQ(base::ReasonOf(refused), "TEEN_ACCOUNT");
  EXPECT_THAT(privacy_.SetConsent(CallerOf(tom), KeyFor(tom), false, "2026-05"), IsOk());
  // The last second before its adult time is still a teen's.
  clock_.Set(kTeenAdultAt - absl::Seconds(1));
  EXPECT_EQ(base::ReasonOf(privacy_.SetConsent(CallerOf(tom), KeyFor(tom), true, "2026-05").status()),
            "TEEN_ACCOUNT");
  ASSERT_OK_AND_ASSIGN(const Consent before, privacy_.GetConsent(CallerOf(tom)));
  EXPECT_FALSE(before.opted_in);
  // From then on, the account is an adult's: it may opt in.
  clock_.Set(kTeenAdultAt);
  ASSERT_OK_AND_ASSIGN(const Account now_adult, profiles_.GetMine(CallerOf(tom)));
  EXPECT_FALSE(AsUser(now_adult).teen_account());
  ASSERT_OK_AND_ASSIGN(const Consent opted_in, privacy_.SetConsent(CallerOf(tom), KeyFor(tom), true, "2029-01"));
  EXPECT_TRUE(opted_in.opted_in);
  EXPECT_TRUE(store_.state().accounts.at(tom.account.user_id).analytics_opt_in);
  // consent_changed for the opt-out and the opt-in; none for the refusals.
  EXPECT_EQ(store_.EventTypes(), (std::vector<std::string>{"clipforge.user.registered", "clipforge.user.consent_changed",
                                                           "clipforge.user.consent_changed"}));
}

TEST_F(TeenAccountTest, AReplayedProfileUpdateStillSaysTeenAccount) {
  ASSERT_OK_AND_ASSIGN(const SignedIn tara, sessions_.Register(BornOn("tara", kTeenBirth), kAddress));
  ProfileChange change;
  change.bio = "hi";
  const kit::IdempotencyKey key = KeyFor(tara);
  ASSERT_OK_AND_ASSIGN(const Account first, profiles_.Update(CallerOf(tara), key, change));
  EXPECT_TRUE(AsUser(first).teen_account());
  clock_.Advance(absl::Minutes(1));
  ASSERT_OK_AND_ASSIGN(const Account replayed, profiles_.Update(CallerOf(tara), key, change));
  EXPECT_TRUE(AsUser(replayed).teen_account());
  EXPECT_EQ(store_.EventTypes().size(), 2u);
}

TEST_F(TeenAccountTest, TheExportSaysTeenAccountAndWhenItEnds) {
  ASSERT_OK_AND_ASSIGN(const SignedIn tao, sessions_.Register(BornOn("tao", kTeenBirth), kAddress));
  ASSERT_OK_AND_ASSIGN(const std::string archive, privacy_.Export(CallerOf(tao)));
  EXPECT_THAT(archive, HasSubstr("\"teen_account\":true"));
  EXPECT_THAT(archive, HasSubstr("\"adult_at\":\"2029-02-01T00:00:00.000000Z\""));
  // No birth date is held, nor the 18th birthday that would give it away.
  EXPECT_THAT(archive, ::testing::Not(HasSubstr("2011-01-10")));
  EXPECT_THAT(archive, ::testing::Not(HasSubstr("2029-01-10")));
  const SignedIn ann = Register("annie");
  ASSERT_OK_AND_ASSIGN(const std::string adult_archive, privacy_.Export(CallerOf(ann)));
  EXPECT_THAT(adult_archive, HasSubstr("\"teen_account\":false"));
  EXPECT_THAT(adult_archive, ::testing::Not(HasSubstr("adult_at")));
}

}  // namespace
}  // namespace clipforge::users::testing
