#include "services/tipping/convert.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/kit/proto_time.h"
#include "services/tipping/events.h"
#include "services/tipping/request_parsing.h"

namespace clipforge::tipping_service {
namespace {

using ledger::AccountKind;
using ledger::TransferCode;

v1::AccountKind ApiAccountKind(AccountKind kind) {
  switch (kind) {
    case AccountKind::kUserWallet:
      return v1::ACCOUNT_KIND_WALLET;
    case AccountKind::kUserEarningsPending:
      return v1::ACCOUNT_KIND_EARNINGS_PENDING;
    case AccountKind::kUserEarningsAvailable:
      return v1::ACCOUNT_KIND_TIP_JAR;
    case AccountKind::kPlatformFeeRevenue:
      return v1::ACCOUNT_KIND_PLATFORM_FEES;
    case AccountKind::kProviderClearing:
      return v1::ACCOUNT_KIND_PROVIDER_CLEARING;
    case AccountKind::kCampaignEscrow:
      return v1::ACCOUNT_KIND_CAMPAIGN_ESCROW;
    case AccountKind::kCreatorFund:
      return v1::ACCOUNT_KIND_CREATOR_FUND;
    default:
      return v1::ACCOUNT_KIND_UNSPECIFIED;
  }
}

v1::TransferKind ApiTransferKind(TransferCode code) {
  switch (code) {
    case TransferCode::kTipFee:
    case TransferCode::kTipRoyalty:
    case TransferCode::kTipCreator:
      return v1::TRANSFER_KIND_TIP;
    case TransferCode::kTopUp:
      return v1::TRANSFER_KIND_TOP_UP;
    case TransferCode::kRefund:
      return v1::TRANSFER_KIND_TOP_UP_REFUND;
    case TransferCode::kPayout:
      return v1::TRANSFER_KIND_PAYOUT;
    case TransferCode::kPayoutReversal:
      return v1::TRANSFER_KIND_PAYOUT_REVERSAL;
    case TransferCode::kCampaignFunding:
      return v1::TRANSFER_KIND_CAMPAIGN_FUNDING;
    case TransferCode::kCampaignReward:
      return v1::TRANSFER_KIND_CAMPAIGN_REWARD;
    case TransferCode::kCampaignRefund:
      return v1::TRANSFER_KIND_CAMPAIGN_REFUND;
    case TransferCode::kFundPayout:
      return v1::TRANSFER_KIND_FUND_PAYMENT;
    case TransferCode::kChargeback:
      return v1::TRANSFER_KIND_CHARGEBACK;
    case TransferCode::kEarningsRelease:
      return v1::TRANSFER_KIND_EARNINGS_RELEASE;
    case TransferCode::kAdjustment:
      return v1::TRANSFER_KIND_ADJUSTMENT;
    default:
      return v1::TRANSFER_KIND_UNSPECIFIED;
  }
}

v1::TopUpStatus ApiTopUpStatus(TopUpStatus status) { return static_cast<v1::TopUpStatus>(status); }

// What a transfer's id says it belongs to: "<tip id>/<leg>" is a tip's,
// "top_up/<id>" a top-up's, "refund/<request id>/post" a refund's.
std::string ReferenceOf(absl::string_view transfer_id) {
  for (const absl::string_view kind : {"top_up/", "refund/"}) {
    if (absl::ConsumePrefix(&transfer_id, kind)) break;
  }
  return std::string(transfer_id.substr(0, transfer_id.find('/')));
}

}  // namespace

void FillTip(const TipRecord& tip, v1::Tip* out) {
  out->set_tip_id(tip.tip_id);
  out->set_sender_id(tip.sender_id);
  out->set_clip_id(tip.clip_id);
  FillMoney(tip.amount, tip.currency, out->mutable_amount());
  out->set_message(tip.message);
  for (const TipLegRecord& record : tip.legs) {
    v1::TipLeg* leg = out->add_legs();
    leg->set_kind(static_cast<v1::TipLegKind>(record.leg.kind));
    leg->set_user_id(record.leg.user_id);
    leg->set_clip_id(record.leg.clip_id);
    leg->set_depth(record.leg.depth);
    FillMoney(record.leg.amount, tip.currency, leg->mutable_amount());
    leg->set_account_id(record.account_id);
  }
  *out->mutable_create_time() = kit::ToTimestamp(tip.created_at);
}

void FillTopUp(const TopUpRecord& top_up, v1::TopUp* out) {
  out->set_top_up_id(top_up.top_up_id);
  out->set_user_id(top_up.user_id);
  FillMoney(top_up.amount, top_up.currency, out->mutable_amount());
  FillMoney(top_up.refunded, top_up.currency, out->mutable_refunded_amount());
  out->set_status(ApiTopUpStatus(top_up.status));
  out->set_provider(top_up.provider);
  out->set_provider_reference(top_up.provider_reference);
  out->set_client_secret(top_up.client_secret);
  out->set_failure_reason(top_up.failure_reason);
  *out->mutable_create_time() = kit::ToTimestamp(top_up.created_at);
  *out->mutable_update_time() = kit::ToTimestamp(top_up.updated_at);
}

void FillBalances(const std::vector<AccountBalanceView>& balances, ledger::Currency currency, absl::Time as_of,
                  v1::GetBalanceResponse* out) {
  for (const AccountBalanceView& view : balances) {
    v1::AccountBalance* balance = out->add_balances();
    balance->set_account_id(view.account_id);
    balance->set_kind(ApiAccountKind(view.kind));
    FillMoney(view.balance, currency, balance->mutable_balance());
    FillMoney(view.held, currency, balance->mutable_held());
  }
  *out->mutable_as_of_time() = kit::ToTimestamp(as_of);
}

void FillStatement(const StatementPage& page, absl::string_view account_id, ledger::Currency currency,
                   v1::ListEntriesResponse* out) {
  for (const EntryRecord& entry : page.entries) {
    v1::LedgerEntry* e = out->add_entries();
    e->set_entry_id(absl::StrCat(entry.account_id, "#", entry.sequence));
    e->set_transfer_id(entry.transfer_id);
    e->set_account_id(entry.account_id);
    e->set_kind(ApiTransferKind(entry.code));
    FillMoney(entry.amount, currency, e->mutable_amount());
    FillMoney(entry.balance_after, currency, e->mutable_balance_after());
    e->set_reference_id(ReferenceOf(entry.transfer_id));
    if (const std::optional<AccountOwner> other = UserAccountOwner(entry.counterparty_account_id)) {
      e->set_counterparty_user_id(other->owner_id);
    }
    *e->mutable_create_time() = kit::ToTimestamp(entry.booked_at);
  }
  if (page.next_after_sequence.has_value()) {
    out->set_next_page_token(EntriesPageToken(account_id, *page.next_after_sequence));
  }
  FillMoney(page.opening_balance, currency, out->mutable_opening_balance());
  FillMoney(page.closing_balance, currency, out->mutable_closing_balance());
}

void FillLedgerHealth(const LedgerHealthReport& report, v1::LedgerHealth* out) {
  out->set_healthy(report.healthy);
  for (const LedgerHealthReport::CurrencyTotal& total : report.totals) {
    v1::CurrencyTotal* t = out->add_totals();
    t->set_currency(total.currency);
    t->set_sum_micros(total.sum);
  }
  out->set_negative_balance_accounts(report.negative_balance_accounts);
  out->set_unbalanced_transfers(report.unbalanced_transfers);
  out->set_balance_mismatches(report.balance_mismatches);
  out->set_accounts_checked(report.accounts_checked);
  out->set_entries_checked(report.entries_checked);
  for (const std::string& problem : report.problems) out->add_problems(problem);
  *out->mutable_check_time() = kit::ToTimestamp(report.check_time);
}

}  // namespace clipforge::tipping_service
