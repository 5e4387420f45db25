#include "ledger/earnings_release.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "ledger/account.h"
#include "ledger/tip_transfers.h"

namespace clipforge::ledger {

absl::Time EarningsReleaseAt(absl::Time credited_at, absl::Time first_earned_at) {
  // A credit before the first earning on record (clocks, backfills) counts
  // as the first.
  const absl::Time since = std::min(first_earned_at, credited_at);
  const bool new_creator = credited_at - since < kNewCreatorPeriod;
  return credited_at + (new_creator ? kNewCreatorEarningsHold : kEarningsHold);
}

bool EarningsReleaseDue(const EarningsCredit& credit, absl::Time now) {
  return !credit.disputed && now >= credit.release_at;
}

Transfer EarningsRelease(const EarningsCredit& credit, Currency currency) {
  Transfer transfer;
  transfer.id = absl::StrCat(credit.transfer_id, "/release");
  transfer.debit_account_id = AccountIdOf(AccountKind::kUserEarningsPending, credit.owner_id, currency);
  transfer.credit_account_id = AccountIdOf(AccountKind::kUserEarningsAvailable, credit.owner_id, currency);
  transfer.amount = credit.amount;
  transfer.currency = currency;
  transfer.code = TransferCode::kEarningsRelease;
  return transfer;
}

}  // namespace clipforge::ledger
