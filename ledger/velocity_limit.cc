#include "ledger/velocity_limit.h"

#include "absl/strings/str_cat.h"
#include "base/error_reason.h"
#include "ledger/tip_transfers.h"

namespace clipforge::ledger {

std::string RateAccountId(const VelocityLimit& limit, absl::string_view owner_id) {
  return AccountIdOf(AccountKind::kRateLimit, absl::StrCat(owner_id, "/", limit.name), kRateUnits);
}

std::string RateCapacityAccountId() { return AccountIdOf(AccountKind::kRateCapacity, "", kRateUnits); }

Account OpenRateAccount(const VelocityLimit& limit, absl::string_view owner_id) {
  return OpenAccount(RateAccountId(limit, owner_id), AccountKind::kRateLimit, kRateUnits);
}

Transfer RateAllowance(const VelocityLimit& limit, absl::string_view owner_id) {
  Transfer transfer;
  transfer.id = absl::StrCat("rate/", owner_id, "/", limit.name, "/allowance");
  transfer.debit_account_id = RateCapacityAccountId();
  transfer.credit_account_id = RateAccountId(limit, owner_id);
  transfer.amount = limit.allowance;
  transfer.currency = kRateUnits;
  transfer.code = TransferCode::kRateAllowance;
  return transfer;
}

Transfer RateHold(absl::string_view tip_id, const VelocityLimit& limit, absl::string_view owner_id, Micros gross) {
  Transfer transfer;
  transfer.id = absl::StrCat(tip_id, "/rate/", limit.name);
  transfer.debit_account_id = RateAccountId(limit, owner_id);
  transfer.credit_account_id = RateCapacityAccountId();
  transfer.amount = limit.by_amount ? gross : 1;
  transfer.currency = kRateUnits;
  transfer.code = TransferCode::kRateHold;
  transfer.flags.pending = true;
  transfer.flags.linked = true;
  transfer.timeout = limit.window;
  return transfer;
}

absl::Status VelocityLimitExceeded(const VelocityLimit& limit, absl::Time reset_at) {
  const std::string allowance =
      limit.by_amount ? FormatMicros(limit.allowance) : absl::StrCat(limit.allowance, " tips");
  return base::WithReason(
      absl::ResourceExhaustedError(absl::StrCat(limit.name, ": at most ", allowance, " per ",
                                                absl::FormatDuration(limit.window), "; resets at ",
                                                absl::FormatTime(absl::RFC3339_sec, reset_at, absl::UTCTimeZone()))),
      "VELOCITY_LIMIT");
}

}  // namespace clipforge::ledger
