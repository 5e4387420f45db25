#include "ledger/tip_transfers.h"

#include "absl/strings/str_cat.h"

namespace clipforge::ledger {

std::string AccountIdOf(AccountKind kind, absl::string_view owner_id, Currency currency) {
  return absl::StrCat(AccountKindName(kind), ":", owner_id, ":", currency.code());
}

std::vector<Transfer> TipTransfers(absl::string_view tip_id, absl::string_view tipper_id, const TipSplit& split,
                                   Currency currency) {
  std::vector<Transfer> transfers;
  transfers.reserve(split.legs.size());
  const std::string wallet = AccountIdOf(AccountKind::kUserWallet, tipper_id, currency);
  for (size_t i = 0; i < split.legs.size(); ++i) {
    const TipLeg& leg = split.legs[i];
    Transfer transfer;
    transfer.id = absl::StrCat(tip_id, "/", i);
    transfer.debit_account_id = wallet;
    transfer.amount = leg.amount;
    transfer.currency = currency;
    transfer.rules_version = split.rules_version;
    switch (leg.kind) {
      case TipLegKind::kPlatformFee:
        transfer.credit_account_id = AccountIdOf(AccountKind::kPlatformFeeRevenue, "", currency);
        transfer.code = TransferCode::kTipFee;
        break;
      case TipLegKind::kRoyalty:
        transfer.credit_account_id = AccountIdOf(AccountKind::kUserEarningsPending, leg.user_id, currency);
        transfer.code = TransferCode::kTipRoyalty;
        break;
      case TipLegKind::kCreatorShare:
      case TipLegKind::kCoAuthorShare:
        transfer.credit_account_id = AccountIdOf(AccountKind::kUserEarningsPending, leg.user_id, currency);
        transfer.code = TransferCode::kTipCreator;
        break;
    }
    // Every leg but the last links to the next: all or nothing.
    transfer.flags.linked = i + 1 < split.legs.size();
    transfers.push_back(std::move(transfer));
  }
  return transfers;
}

}  // namespace clipforge::ledger
