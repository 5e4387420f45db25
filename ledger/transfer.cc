#include "ledger/transfer.h"

namespace clipforge::ledger {

absl::string_view TransferCodeName(TransferCode code) {
  switch (code) {
    case TransferCode::kUnspecified: return "unspecified";
    case TransferCode::kTipFee: return "tip_fee";
    case TransferCode::kTipRoyalty: return "tip_royalty";
    case TransferCode::kTipCreator: return "tip_creator";
    case TransferCode::kTopUp: return "top_up";
    case TransferCode::kRefund: return "refund";
    case TransferCode::kPayout: return "payout";
    case TransferCode::kPayoutReversal: return "payout_reversal";
    case TransferCode::kCampaignFunding: return "campaign_funding";
    case TransferCode::kCampaignReward: return "campaign_reward";
    case TransferCode::kCampaignRefund: return "campaign_refund";
    case TransferCode::kFundPayout: return "fund_payout";
    case TransferCode::kChargeback: return "chargeback";
    case TransferCode::kEarningsRelease: return "earnings_release";
    case TransferCode::kAdjustment: return "adjustment";
    case TransferCode::kRateAllowance: return "rate_allowance";
    case TransferCode::kRateHold: return "rate_hold";
  }
  return "unknown";
}

std::vector<std::string> DifferingTransferFields(const Transfer& a, const Transfer& b) {
  std::vector<std::string> fields;
  const auto compare = [&fields](bool equal, const char* name) {
    if (!equal) fields.emplace_back(name);
  };
  compare(a.id == b.id, "id");
  compare(a.debit_account_id == b.debit_account_id, "debit_account_id");
  compare(a.credit_account_id == b.credit_account_id, "credit_account_id");
  compare(a.amount == b.amount, "amount");
  compare(a.currency == b.currency, "currency");
  compare(a.code == b.code, "code");
  compare(a.flags.linked == b.flags.linked, "flags.linked");
  compare(a.flags.pending == b.flags.pending, "flags.pending");
  compare(a.flags.post_pending_transfer == b.flags.post_pending_transfer, "flags.post_pending_transfer");
  compare(a.flags.void_pending_transfer == b.flags.void_pending_transfer, "flags.void_pending_transfer");
  compare(a.pending_id == b.pending_id, "pending_id");
  compare(a.timeout == b.timeout, "timeout");
  compare(a.rules_version == b.rules_version, "rules_version");
  return fields;
}

}  // namespace clipforge::ledger
