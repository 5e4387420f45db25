// Subscription periods and proration, in whole micros: the money rules of
// plans (plus, pro) that a subscription service applies. A monthly period
// starts on the subscription's anchor day, clamped to the month's last day
// (a subscription of 31 January renews on 28 or 29 February, then 31
// March). An upgrade mid-period charges the new plan's price for the time
// left less the old plan's unused price; a downgrade waits for the period's
// end, so no money flows back to a wallet mid-period.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ledger/money.h"

namespace clipforge::ledger {

enum class Plan : uint8_t { kFree = 1, kPlus = 2, kPro = 3 };  // the API's Tier values

// The monthly price of `plan`: 0, 4.99 and 9.99 units.
Micros MonthlyPrice(Plan plan);

// The period that contains `now` of a subscription anchored at `anchor`
// (its first period's start): [start, end), both at the anchor's time of
// day (UTC), each a calendar month long with the day clamped.
struct BillingPeriod {
  absl::Time start;
  absl::Time end;
};
BillingPeriod PeriodContaining(absl::Time anchor, absl::Time now);

// What an upgrade from `from` to `to` at `now` costs within `period`: the
// price difference for the time left, ceil((new - old) x time left /
// period), so it is within a micro of the exact share, never below it and
// never more than the difference. INVALID_ARGUMENT naming
// `plan` unless `to` costs more than `from`, or naming `now` outside the
// period.
absl::StatusOr<Micros> UpgradeProration(Plan from, Plan to, const BillingPeriod& period, absl::Time now);

}  // namespace clipforge::ledger
