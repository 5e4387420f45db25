// Age at sign-up (users/age.h): the birth date's format, ages on the days
// around the 13th and 18th birthdays, 29 February births, when a teen
// account becomes an adult's, and the analytics opt-in a teen's account may
// not make.
#include "users/age.h"

#include <gtest/gtest.h>

#include "base/error_reason.h"
#include "base/testing/status_matchers.h"

namespace clipforge::users {
namespace {

using base::testing::IsOk;
using base::testing::IsOkAndHolds;
using base::testing::StatusIs;
using ::testing::HasSubstr;

// Noon UTC on a day: a sign-up in the middle of that day.
absl::Time NoonOn(absl::CivilDay day) { return absl::FromCivil(absl::CivilHour(day) + 12, absl::UTCTimeZone()); }
absl::Time MidnightOn(absl::CivilDay day) { return absl::FromCivil(day, absl::UTCTimeZone()); }

TEST(ParseBirthDateTest, TakesExactlyYyyyMmDdOfARealDate) {
  EXPECT_THAT(ParseBirthDate("2010-03-04"), IsOkAndHolds(absl::CivilDay(2010, 3, 4)));
  EXPECT_THAT(ParseBirthDate("2008-02-29"), IsOkAndHolds(absl::CivilDay(2008, 2, 29)));
  EXPECT_THAT(ParseBirthDate("2000-02-29"), IsOkAndHolds(absl::CivilDay(2000, 2, 29)));  // 400 years: leap.
  EXPECT_THAT(ParseBirthDate("1900-01-01"), IsOkAndHolds(absl::CivilDay(1900, 1, 1)));
  EXPECT_THAT(ParseBirthDate("1999-12-31"), IsOkAndHolds(absl::CivilDay(1999, 12, 31)));
}

TEST(ParseBirthDateTest, RefusesOtherShapesNamingTheField) {
  for (const char* bad : {"", "2010-3-4", "2010/03/04", "04-03-2010", "20100304", " 2010-03-04", "2010-03-04 ",
                          "2010-03-04T00:00:00Z", "+010-03-04", "-2010-03-0", "2010-0a-04", "２０１０-03-04",
                          "10-03-04"}) {
    EXPECT_THAT(ParseBirthDate(bad), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("birth_date")))
        << "'" << bad << "'";
  }
}

TEST(ParseBirthDateTest, RefusesDaysNotOnTheCalendarAndYearsBefore1900) {
  for (const char* bad : {"2010-00-10", "2010-13-01", "2010-01-00", "2010-01-32", "2010-04-31", "2009-02-29",
                          "1900-02-29", "2010-02-30"}) {
    EXPECT_THAT(ParseBirthDate(bad), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("calendar")))
        << bad;
  }
  EXPECT_THAT(ParseBirthDate("1899-12-31"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("1900")));
  EXPECT_THAT(ParseBirthDate("0000-01-01"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("birth_date")));
}

TEST(AgeOnTest, ABirthdayCountsFromItsFirstDay) {
  const absl::CivilDay birth(2010, 6, 15);
  EXPECT_EQ(AgeOn(birth, birth), 0);
  EXPECT_EQ(AgeOn(birth, absl::CivilDay(2023, 6, 14)), 12);
  EXPECT_EQ(AgeOn(birth, absl::CivilDay(2023, 6, 15)), 13);
  EXPECT_EQ(AgeOn(birth, absl::CivilDay(2023, 6, 16)), 13);
  EXPECT_EQ(AgeOn(birth, absl::CivilDay(2028, 6, 14)), 17);
  EXPECT_EQ(AgeOn(birth, absl::CivilDay(2028, 6, 15)), 18);
  EXPECT_EQ(AgeOn(birth, absl::CivilDay(2028, 12, 31)), 18);
  EXPECT_EQ(AgeOn(birth, absl::CivilDay(2010, 6, 14)), -1);
}

TEST(AgeOnTest, TwentyNinthOfFebruaryBirthsAgeOnTheFirstOfMarchInCommonYears) {
  const absl::CivilDay leapling(2008, 2, 29);
  EXPECT_EQ(BirthdayAt(leapling, 13), absl::CivilDay(2021, 3, 1));
  EXPECT_EQ(BirthdayAt(leapling, 16), absl::CivilDay(2024, 2, 29));  // A leap year: the day itself.
  EXPECT_EQ(BirthdayAt(leapling, 18), absl::CivilDay(2026, 3, 1));
  EXPECT_EQ(AgeOn(leapling, absl::CivilDay(2021, 2, 28)), 12);
  EXPECT_EQ(AgeOn(leapling, absl::CivilDay(2021, 3, 1)), 13);
  EXPECT_EQ(AgeOn(leapling, absl::CivilDay(2024, 2, 28)), 15);
  EXPECT_EQ(AgeOn(leapling, absl::CivilDay(2024, 2, 29)), 16);
  EXPECT_EQ(AgeOn(leapling, absl::CivilDay(2026, 2, 28)), 17);
  EXPECT_EQ(AgeOn(leapling, absl::CivilDay(2026, 3, 1)), 18);
  // Adult from the first of the month after: April, not March.
  EXPECT_EQ(AdultTime(leapling), MidnightOn(absl::CivilDay(2026, 4, 1)));
  // Other days keep their date.
  EXPECT_EQ(BirthdayAt(absl::CivilDay(2008, 2, 28), 18), absl::CivilDay(2026, 2, 28));
  EXPECT_EQ(BirthdayAt(absl::CivilDay(2008, 3, 1), 18), absl::CivilDay(2026, 3, 1));
}

TEST(SignUpAdultTimeTest, UnderThirteenIsTooYoungUntilTheBirthdayHasBegunEverywhere) {
  const absl::CivilDay birth(2010, 6, 15);
  const absl::Status day_before = SignUpAdultTime(birth, NoonOn(absl::CivilDay(2023, 6, 14))).status();
  EXPECT_THAT(day_before, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("13")));
  EXPECT_EQ(base::ReasonOf(day_before), "TOO_YOUNG");
  // The 13th birthday begins last at UTC-12, at 12:00 UTC: a second before
  // it is still too young, from it on not.
  const absl::Time everywhere = MidnightOn(absl::CivilDay(2023, 6, 15)) + absl::Hours(12);
  EXPECT_EQ(base::ReasonOf(SignUpAdultTime(birth, everywhere - absl::Seconds(1)).status()), "TOO_YOUNG");
  EXPECT_THAT(SignUpAdultTime(birth, everywhere), IsOk());
  // Born today, or a few years ago: too young as well.
  EXPECT_EQ(base::ReasonOf(SignUpAdultTime(birth, NoonOn(birth)).status()), "TOO_YOUNG");
}

TEST(SignUpAdultTimeTest, ThirteenToSeventeenOpensATeenAccountUntilTheMonthAfterTheEighteenthBirthday) {
  const absl::CivilDay birth(2010, 6, 15);
  const absl::Time adult = MidnightOn(absl::CivilDay(2028, 7, 1));
  EXPECT_EQ(AdultTime(birth), adult);
  // Every birthday of June 2010 gives the same instant: it tells the month.
  EXPECT_EQ(AdultTime(absl::CivilDay(2010, 6, 1)), adult);
  EXPECT_EQ(AdultTime(absl::CivilDay(2010, 6, 30)), adult);
  EXPECT_THAT(SignUpAdultTime(birth, NoonOn(absl::CivilDay(2023, 6, 15))), IsOkAndHolds(adult));  // 13th birthday.
  EXPECT_THAT(SignUpAdultTime(birth, NoonOn(absl::CivilDay(2023, 6, 16))), IsOkAndHolds(adult));
  EXPECT_THAT(SignUpAdultTime(birth, NoonOn(absl::CivilDay(2028, 6, 15))), IsOkAndHolds(adult));  // 18th birthday.
  EXPECT_THAT(SignUpAdultTime(birth, adult - absl::Seconds(1)), IsOkAndHolds(adult));
}

TEST(SignUpAdultTimeTest, FromTheAdultTimeOnItIsAnAdultsAccount) {
  const absl::CivilDay birth(2010, 6, 15);
  EXPECT_THAT(SignUpAdultTime(birth, MidnightOn(absl::CivilDay(2028, 7, 1))), IsOkAndHolds(std::nullopt));
  EXPECT_THAT(SignUpAdultTime(birth, NoonOn(absl::CivilDay(2028, 7, 16))), IsOkAndHolds(std::nullopt));
  EXPECT_THAT(SignUpAdultTime(absl::CivilDay(1900, 1, 1), NoonOn(absl::CivilDay(2026, 5, 28))),
              IsOkAndHolds(std::nullopt));
}

TEST(SignUpAdultTimeTest, ADateAfterTodayEverywhereIsInvalid) {
  const absl::Time now = NoonOn(absl::CivilDay(2026, 5, 28));
  // At 12:00 UTC it is already 29 May at UTC+14: not the future.
  EXPECT_EQ(base::ReasonOf(SignUpAdultTime(absl::CivilDay(2026, 5, 29), now).status()), "TOO_YOUNG");
  EXPECT_THAT(SignUpAdultTime(absl::CivilDay(2026, 5, 30), now),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("birth_date: is in the future")));
  EXPECT_THAT(SignUpAdultTime(absl::CivilDay(2090, 1, 1), now),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("birth_date")));
}

TEST(SignUpAdultTimeTest, ALeaplingIsThirteenFromTheFirstOfMarchInACommonYear) {
  const absl::CivilDay leapling(2008, 2, 29);
  const absl::Time adult = MidnightOn(absl::CivilDay(2026, 4, 1));
  EXPECT_THAT(SignUpAdultTime(leapling, NoonOn(absl::CivilDay(2026, 2, 28))), IsOkAndHolds(adult));
  EXPECT_THAT(SignUpAdultTime(leapling, NoonOn(absl::CivilDay(2026, 3, 1))), IsOkAndHolds(adult));
  EXPECT_THAT(SignUpAdultTime(leapling, MidnightOn(absl::CivilDay(2026, 4, 1))), IsOkAndHolds(std::nullopt));
  EXPECT_EQ(base::ReasonOf(SignUpAdultTime(leapling, NoonOn(absl::CivilDay(2021, 2, 28))).status()), "TOO_YOUNG");
  EXPECT_THAT(SignUpAdultTime(leapling, NoonOn(absl::CivilDay(2021, 3, 1))), IsOkAndHolds(adult));
}

TEST(IsTeenAccountTest, ATeenAccountCannotOptInUntilItBecomesAnAdults) {
  const absl::Time adult = MidnightOn(absl::CivilDay(2028, 6, 15));
  EXPECT_TRUE(IsTeenAccount(adult, adult - absl::Seconds(1)));
  EXPECT_FALSE(IsTeenAccount(adult, adult));
  EXPECT_FALSE(IsTeenAccount(std::nullopt, adult));
  const absl::Status refused = CheckAnalyticsOptIn(adult, adult - absl::Seconds(1));
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("TEEN_ACCOUNT")));
  EXPECT_EQ(base::ReasonOf(refused), "TEEN_ACCOUNT");
  EXPECT_THAT(CheckAnalyticsOptIn(adult, adult), IsOk());
  EXPECT_THAT(CheckAnalyticsOptIn(std::nullopt, adult), IsOk());
}

}  // namespace
}  // namespace clipforge::users
