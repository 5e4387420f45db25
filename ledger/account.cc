#include "ledger/account.h"

#include <utility>

namespace clipforge::ledger {

absl::string_view AccountKindName(AccountKind kind) {
  switch (kind) {
    case AccountKind::kUserWallet: return "user_wallet";
    case AccountKind::kUserEarningsPending: return "user_earnings_pending";
    case AccountKind::kUserEarningsAvailable: return "user_earnings_available";
    case AccountKind::kUserReceivable: return "user_receivable";
    case AccountKind::kPlatformFeeRevenue: return "platform_fee_revenue";
    case AccountKind::kCampaignEscrow: return "campaign_escrow";
    case AccountKind::kCampaignDailyQuota: return "campaign_daily_quota";
    case AccountKind::kCreatorFund: return "creator_fund";
    case AccountKind::kPlatformCapital: return "platform_capital";
    case AccountKind::kPayoutsInTransit: return "payouts_in_transit";
    case AccountKind::kProviderClearing: return "provider_clearing";
    case AccountKind::kChargebackLosses: return "chargeback_losses";
    case AccountKind::kRateLimit: return "rate_limit";
    case AccountKind::kRateCapacity: return "rate_capacity";
  }
  return "unknown";
}

bool IsCreditNormal(AccountKind kind) {
  switch (kind) {
    case AccountKind::kUserReceivable:
    case AccountKind::kProviderClearing:
    case AccountKind::kChargebackLosses:
      return false;
    default:
      return true;
  }
}

bool IsUserAccount(AccountKind kind) {
  switch (kind) {
    case AccountKind::kUserWallet:
    case AccountKind::kUserEarningsPending:
    case AccountKind::kUserEarningsAvailable:
    case AccountKind::kUserReceivable:
      return true;
    default:
      return false;
  }
}

AccountFlags DefaultAccountFlags(AccountKind kind) {
  AccountFlags flags;
  flags.history = IsUserAccount(kind);
  switch (kind) {
    // The platform's own equity funds grants and absorbs corrections, and
    // the provider's clearing account is debited before or after it is
    // credited depending on which side settles first: a limit on either
    // would refuse legitimate money movements.
    case AccountKind::kPlatformCapital:
    case AccountKind::kProviderClearing:
    // The source of every rate allowance: its balance means nothing.
    case AccountKind::kRateCapacity:
      break;
    default:
      if (IsCreditNormal(kind)) {
        flags.debits_must_not_exceed_credits = true;
      } else {
        flags.credits_must_not_exceed_debits = true;
      }
  }
  return flags;
}

Account OpenAccount(std::string id, AccountKind kind, Currency currency) {
  Account account;
  account.id = std::move(id);
  account.kind = kind;
  account.currency = currency;
  account.flags = DefaultAccountFlags(kind);
  return account;
}

Micros PostedBalance(const Account& account) {
  // Both counters are non-negative, so the difference fits.
  return IsCreditNormal(account.kind) ? account.credits_posted - account.debits_posted
                                      : account.debits_posted - account.credits_posted;
}

Micros AvailableBalance(const Account& account) {
  // pending + posted on one side fits (the book's overflow rule), and the
  // difference of two non-negative int64 values does too.
  return IsCreditNormal(account.kind) ? account.credits_posted - (account.debits_posted + account.debits_pending)
                                      : account.debits_posted - (account.credits_posted + account.credits_pending);
}

}  // namespace clipforge::ledger
