// Earnings are held before they become payable: a tip's creator and
// royalty legs land in the recipient's pending earnings (tip_transfers.h)
// and move to available earnings, which payouts draw on, only after the
// chargeback window of the money that paid them. New creators wait
// longer: a stolen card's top-up laundered through tips to a fresh account
// would otherwise be paid out before the card's owner disputes it. A
// dispute on the funding blocks the release until it is settled (a lost
// dispute claws the credit back from pending instead).
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ledger/currency.h"
#include "ledger/money.h"
#include "ledger/transfer.h"

namespace clipforge::ledger {

// The hold on an established creator's earnings: card networks' dispute
// windows start at days, and most fraud is reported within a week.
inline constexpr absl::Duration kEarningsHold = absl::Hours(24 * 7);
// A creator is new for their first 30 days of earning, and their earnings
// wait 30 days.
inline constexpr absl::Duration kNewCreatorPeriod = absl::Hours(24 * 30);
inline constexpr absl::Duration kNewCreatorEarningsHold = absl::Hours(24 * 30);

// When earnings credited at `credited_at` to a creator who first earned at
// `first_earned_at` become available.
absl::Time EarningsReleaseAt(absl::Time credited_at, absl::Time first_earned_at);

// One credit to a creator's pending earnings, as the service keeps it.
struct EarningsCredit {
  std::string transfer_id;  // the tip leg that credited it
  std::string owner_id;
  Micros amount = 0;
  absl::Time release_at;  // EarningsReleaseAt, fixed when credited
  bool disputed = false;  // the top-up that funded it is disputed
};

// Whether the credit may move to available earnings at `now`.
bool EarningsReleaseDue(const EarningsCredit& credit, absl::Time now);

// The transfer that releases it: pending -> available earnings, id
// "<credit's transfer id>/release", so releasing twice is `exists`.
Transfer EarningsRelease(const EarningsCredit& credit, Currency currency);

}  // namespace clipforge::ledger
