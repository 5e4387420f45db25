// Age at sign-up: who may open an account (13 and over), which accounts are
// teens' (13 to 17), and what a teen's account may not do (opt in to
// analytics and personalization: "default is non-personalized, teen
// accounts always").
//
// The birth date is self-declared and is not kept: a sign-up keeps only the
// instant its account becomes an adult's (the start of the month after the
// 18th birthday, which tells the birth month but not the day), and only
// for a teen. The server does not know the user's time zone, so each rule
// takes the calendar day least in the user's favour.
#pragma once

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace clipforge::users {

inline constexpr int kMinimumAge = 13;
inline constexpr int kAdultAge = 18;
inline constexpr int kEarliestBirthYear = 1900;
// How far the users' calendar days run behind and ahead of UTC's (UTC-12
// to UTC+14): the age rules take the day that is least in the user's
// favour.
inline constexpr absl::Duration kEarliestUtcOffset = absl::Hours(12);
inline constexpr absl::Duration kLatestUtcOffset = absl::Hours(14);

// A birth date as the API spells it: exactly "YYYY-MM-DD", a real calendar
// date, year 1900 or later. INVALID_ARGUMENT naming `birth_date` otherwise.
// (Whether it lies in the future depends on the day: SignUpAdultTime.)
absl::StatusOr<absl::CivilDay> ParseBirthDate(absl::string_view text);

// The day someone born on `birth` turns `years` old: the same month and day
// that many years later, except that a 29 February birth has its birthday
// on 1 March in a year without 29 February.
absl::CivilDay BirthdayAt(absl::CivilDay birth, int years);

// Whole years of age on `day` of someone born on `birth`; negative before
// the birth.
int AgeOn(absl::CivilDay birth, absl::CivilDay day);

// When an account of someone born on `birth` becomes an adult's: 00:00 UTC
// on the first day of the month after the 18th birthday. Later than the
// birthday itself on purpose: the stored instant then tells only the
// birth month, not the date (data minimisation), and it is past the
// birthday in every time zone.
absl::Time AdultTime(absl::CivilDay birth);

// What a sign-up at `now` by someone born on `birth` opens: a teen's
// account (AdultTime, while it is ahead) or an adult's (nullopt).
// INVALID_ARGUMENT naming `birth_date` for a date after today in every
// time zone; FAILED_PRECONDITION with reason "TOO_YOUNG" for someone under
// 13 in some time zone (the UTC-12 day).
absl::StatusOr<std::optional<absl::Time>> SignUpAdultTime(absl::CivilDay birth, absl::Time now);

// True while an account with this adult time (AdultTime, or nullopt for an
// adult or a sign-up without a birth date) is a teen's.
bool IsTeenAccount(const std::optional<absl::Time>& adult_time, absl::Time now);

// Opting in to analytics and personalization: FAILED_PRECONDITION with
// reason "TEEN_ACCOUNT" while the account is a teen's. Opting out is always
// allowed and needs no check.
absl::Status CheckAnalyticsOptIn(const std::optional<absl::Time>& adult_time, absl::Time now);

}  // namespace clipforge::users
