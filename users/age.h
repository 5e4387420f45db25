// Age at sign-up: who may open an account (13 and over), which accounts are
// teens' (13 to 17), and what a teen's account may not do (opt in to
// analytics and personalization: "default is non-personalized, teen
// accounts always").
//
// The birth date is self-declared and is not kept: a sign-up keeps only the
// instant its account becomes an adult's (the 18th birthday at 00:00 UTC),
// and only for a teen. Days are UTC calendar days: the server does not know
// the user's time zone, and a few hours either way do not change the rule.
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
// of the 18th birthday.
absl::Time AdultTime(absl::CivilDay birth);

// What a sign-up on the UTC day of `now` by someone born on `birth` opens:
// a teen's account (the instant it becomes an adult's) or an adult's
// (nullopt). INVALID_ARGUMENT naming `birth_date` for a date after that
// day; FAILED_PRECONDITION with reason "TOO_YOUNG" under 13.
absl::StatusOr<std::optional<absl::Time>> SignUpAdultTime(absl::CivilDay birth, absl::Time now);

// True while an account with this adult time (AdultTime, or nullopt for an
// adult or a sign-up without a birth date) is a teen's.
bool IsTeenAccount(const std::optional<absl::Time>& adult_time, absl::Time now);

// Opting in to analytics and personalization: FAILED_PRECONDITION with
// reason "TEEN_ACCOUNT" while the account is a teen's. Opting out is always
// allowed and needs no check.
absl::Status CheckAnalyticsOptIn(const std::optional<absl::Time>& adult_time, absl::Time now);

}  // namespace clipforge::users
