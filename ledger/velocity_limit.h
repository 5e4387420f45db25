// Fraud limits on tipping (velocity per tipper), as TigerBeetle rate-limits:
// each tipper holds one rate account per limit, credited once with the
// limit's allowance from the platform's rate capacity account. Every tip
// puts a hold of its cost on it (1 for a count limit, the gross for an
// amount limit) that expires after the limit's window and so gives the
// allowance back. The holds ride at the head of the tip's linked chain
// (tip_transfers.h): a tip over a limit fails whole, its hold with
// exceeds_credits, and a tip that fails for another reason (a short wallet)
// takes its holds back with it, so a refused tip uses no allowance. The
// service answers RESOURCE_EXHAUSTED naming the limit and when it resets:
// the expiry of the oldest hold still on the account.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ledger/account.h"
#include "ledger/currency.h"
#include "ledger/money.h"
#include "ledger/transfer.h"

namespace clipforge::ledger {

struct VelocityLimit {
  absl::string_view name;
  // Tips (a count limit) or micros (an amount limit) per window.
  Micros allowance = 0;
  absl::Duration window;
  // An amount limit holds the tip's gross; a count limit holds 1.
  bool by_amount = false;
};

// Tips a minute, any tipper: a script draining a wallet into one jar.
inline constexpr VelocityLimit kTipsPerMinute{
    .name = "tips_per_minute", .allowance = 30, .window = absl::Minutes(1), .by_amount = false};
// Amount a day from a new wallet (the service decides which are new): a
// stolen card's top-up laundered through tips before the chargeback.
inline constexpr VelocityLimit kNewWalletTipsPerDay{
    .name = "new_wallet_tips_per_day", .allowance = 50 * kMicrosPerUnit, .window = absl::Hours(24), .by_amount = true};

// Rate accounts count tips or micros of no currency: a unit of their own,
// so that no transfer can move money into or out of them.
inline constexpr Currency kRateUnits("XRT");

// The tipper's rate account for `limit`, and the platform's capacity
// account every allowance comes from.
std::string RateAccountId(const VelocityLimit& limit, absl::string_view owner_id);
std::string RateCapacityAccountId();

// The tipper's rate account, and the transfer that grants its allowance
// (id "rate/<owner>/<limit>/allowance": granting twice is `exists`).
Account OpenRateAccount(const VelocityLimit& limit, absl::string_view owner_id);
Transfer RateAllowance(const VelocityLimit& limit, absl::string_view owner_id);

// The hold a tip of `gross` puts on the tipper's allowance, linked to what
// follows it in the tip's chain: id "<tip id>/rate/<limit>".
Transfer RateHold(absl::string_view tip_id, const VelocityLimit& limit, absl::string_view owner_id, Micros gross);

// RESOURCE_EXHAUSTED, reason "VELOCITY_LIMIT", naming the limit, its
// allowance and window, and `reset_at` (when the oldest hold expires).
absl::Status VelocityLimitExceeded(const VelocityLimit& limit, absl::Time reset_at);

}  // namespace clipforge::ledger
