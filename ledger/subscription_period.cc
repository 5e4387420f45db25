#include "ledger/subscription_period.h"

#include <algorithm>

#include "absl/status/status.h"

namespace clipforge::ledger {
namespace {

// The anchor moved `months` calendar months on, its day clamped to the
// target month's last day, at the anchor's time of day.
absl::Time AddMonths(absl::Time anchor, int64_t months) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::CivilSecond at = absl::ToCivilSecond(anchor, utc);
  const absl::CivilMonth month = absl::CivilMonth(at) + months;
  const absl::CivilDay last_day = absl::CivilDay(month + 1) - 1;
  const int day = std::min<int>(at.day(), last_day.day());
  return absl::FromCivil(absl::CivilSecond(month.year(), month.month(), day, at.hour(), at.minute(), at.second()),
                         utc) +
         (anchor - absl::FromCivil(at, utc));  // sub-second part
}

// The whole nanoseconds of `d` (periods are a month: they fit in int64).
int64_t Nanos(absl::Duration d) { return absl::ToInt64Nanoseconds(d); }

}  // namespace

Micros MonthlyPrice(Plan plan) {
  switch (plan) {
    case Plan::kFree: return 0;
    case Plan::kPlus: return 4'990'000;
    case Plan::kPro: return 9'990'000;
  }
  return 0;
}

BillingPeriod PeriodContaining(absl::Time anchor, absl::Time now) {
  if (now < anchor) return BillingPeriod{.start = anchor, .end = AddMonths(anchor, 1)};
  const absl::TimeZone utc = absl::UTCTimeZone();
  // A first guess from the calendar, corrected by at most a month either
  // way (clamping and the time of day).
  int64_t months = absl::CivilMonth(absl::ToCivilSecond(now, utc)) - absl::CivilMonth(absl::ToCivilSecond(anchor, utc));
  while (months > 0 && AddMonths(anchor, months) > now) --months;
  while (AddMonths(anchor, months + 1) <= now) ++months;
  return BillingPeriod{.start = AddMonths(anchor, months), .end = AddMonths(anchor, months + 1)};
}

absl::StatusOr<Micros> UpgradeProration(Plan from, Plan to, const BillingPeriod& period, absl::Time now) {
  if (MonthlyPrice(to) <= MonthlyPrice(from)) {
    return absl::InvalidArgumentError("plan: an upgrade must move to a dearer plan (a downgrade waits for the period's end)");
  }
  if (now < period.start || now >= period.end) return absl::InvalidArgumentError("now: outside the billing period");
  const WideMicros left = Nanos(period.end - now);
  const WideMicros length = Nanos(period.end - period.start);
  // Rounded up once, on the difference: within a micro of the exact share,
  // never in the subscriber's favour.
  const WideMicros difference = MonthlyPrice(to) - MonthlyPrice(from);
  return static_cast<Micros>((difference * left + length - 1) / length);
}

}  // namespace clipforge::ledger
