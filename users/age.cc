#include "users/age.h"

#include "absl/strings/str_cat.h"
#include "base/error_reason.h"
#include "base/validation.h"

namespace clipforge::users {
namespace {

constexpr absl::string_view kBirthDateShape = "must be a date as YYYY-MM-DD, e.g. 2009-04-30";

bool IsLeapYear(absl::civil_year_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(absl::civil_year_t year, int month) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// The value of the ASCII digits text[from, from + count); -1 unless all are
// digits.
int Digits(absl::string_view text, size_t from, size_t count) {
  int value = 0;
  for (size_t i = from; i < from + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

absl::Status BadBirthDate(absl::string_view reason) {
  return base::FieldValidator().Check(false, "birth_date", reason).status();
}

}  // namespace

absl::StatusOr<absl::CivilDay> ParseBirthDate(absl::string_view text) {
  // Parsed by hand: absl::ParseCivilTime also takes signs, spaces and
  // out-of-shape years, and a date has exactly one spelling here.
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return BadBirthDate(kBirthDateShape);
  const int year = Digits(text, 0, 4), month = Digits(text, 5, 2), day = Digits(text, 8, 2);
  if (year < 0 || month < 0 || day < 0) return BadBirthDate(kBirthDateShape);
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) {
    return BadBirthDate("is not a calendar date");
  }
  if (year < kEarliestBirthYear) return BadBirthDate(absl::StrCat("must be in ", kEarliestBirthYear, " or later"));
  return absl::CivilDay(year, month, day);
}

absl::CivilDay BirthdayAt(absl::CivilDay birth, int years) {
  const absl::civil_year_t year = birth.year() + years;
  if (birth.month() == 2 && birth.day() == 29 && !IsLeapYear(year)) return absl::CivilDay(year, 3, 1);
  return absl::CivilDay(year, birth.month(), birth.day());
}

int AgeOn(absl::CivilDay birth, absl::CivilDay day) {
  const int years = static_cast<int>(day.year() - birth.year());
  return day < BirthdayAt(birth, years) ? years - 1 : years;
}

absl::Time AdultTime(absl::CivilDay birth) {
  const absl::CivilMonth birthday_month(BirthdayAt(birth, kAdultAge));
  return absl::FromCivil(absl::CivilDay(birthday_month + 1), absl::UTCTimeZone());
}

absl::StatusOr<std::optional<absl::Time>> SignUpAdultTime(absl::CivilDay birth, absl::Time now) {
  // The date is the user's, in a time zone we do not know: UTC-12 to
  // UTC+14. Not in the future anywhere; old enough everywhere.
  if (birth > absl::ToCivilDay(now + kLatestUtcOffset, absl::UTCTimeZone())) {
    return BadBirthDate("is in the future");
  }
  const int age = AgeOn(birth, absl::ToCivilDay(now - kEarliestUtcOffset, absl::UTCTimeZone()));
  if (age < kMinimumAge) {
    return base::WithReason(
        absl::FailedPreconditionError(
            absl::StrCat("birth_date: TOO_YOUNG: ClipForge accounts are for people ", kMinimumAge, " and over")),
        "TOO_YOUNG");
  }
  const absl::Time adult = AdultTime(birth);
  if (now >= adult) return std::nullopt;
  return adult;
}

bool IsTeenAccount(const std::optional<absl::Time>& adult_time, absl::Time now) {
  return adult_time.has_value() && now < *adult_time;
}

absl::Status CheckAnalyticsOptIn(const std::optional<absl::Time>& adult_time, absl::Time now) {
  if (!IsTeenAccount(adult_time, now)) return absl::OkStatus();
  return base::WithReason(
      absl::FailedPreconditionError("TEEN_ACCOUNT: a teen's account cannot opt in to analytics or "
                                    "personalization before it becomes an adult's (the month after its "
                                    "holder turns 18)"),
      "TEEN_ACCOUNT");
}

}  // namespace clipforge::users
