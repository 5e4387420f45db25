#include "services/tipping/tipping_logic.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/error_reason.h"
#include "base/role.h"
#include "base/status_macros.h"
#include "ledger/tip_transfers.h"
#include "ledger/transfer.h"

namespace clipforge::tipping_service {
namespace {

using ledger::AccountKind;
using ledger::TransferResult;

absl::Status RequestIdReused(const std::vector<std::string>& fields) {
  return base::WithReason(
      absl::AlreadyExistsError(absl::StrCat("request_id: already used for a different request (differs in: ",
                                            absl::StrJoin(fields, ", "), ")")),
      kRequestIdReusedReason);
}

absl::Status InsufficientFunds() {
  return base::WithReason(absl::FailedPreconditionError("amount: more than the wallet holds"),
                          kInsufficientFundsReason);
}

// What differs between a stored tip and a request that reused its id.
std::vector<std::string> TipDifferences(const TipRecord& stored, const kit::Caller& caller,
                                        const SendTipInput& input) {
  std::vector<std::string> fields;
  if (stored.sender_id != caller.user_id) fields.push_back("sender");
  if (stored.clip_id != input.clip_id) fields.push_back("clip_id");
  if (stored.amount != input.amount) fields.push_back("amount");
  if (stored.message != input.message) fields.push_back("message");
  return fields;
}

std::vector<std::string> TopUpDifferences(const TopUpRecord& stored, const kit::Caller& caller,
                                          const TopUpInput& input) {
  std::vector<std::string> fields;
  if (stored.user_id != caller.user_id) fields.push_back("user");
  if (stored.amount != input.amount) fields.push_back("amount");
  if (stored.provider != input.provider) fields.push_back("provider");
  return fields;
}

// The transfer that credits a wallet with a top-up: its own id space, so
// that no tip's transfer can ever collide with it.
std::string TopUpTransferId(absl::string_view top_up_id) { return absl::StrCat("top_up/", top_up_id); }

// What is left to refund of a top-up, as a ledger account (kind and units
// of a rate account: a count, not money), credited once with the top-up's
// amount: every refund holds its amount on it, so refunds racing each
// other can never pay back more than the top-up, whatever they read.
std::string RefundableAccountId(absl::string_view top_up_id) {
  return ledger::AccountIdOf(ledger::AccountKind::kRateLimit, absl::StrCat("refundable/", top_up_id),
                             ledger::kRateUnits);
}

// A refund's two holds (the rest refundable, the wallet's money), linked,
// and what posts or voids them together.
std::vector<ledger::Transfer> RefundHolds(absl::string_view request_id, absl::string_view top_up_id,
                                          absl::string_view wallet, absl::string_view clearing, ledger::Micros amount,
                                          ledger::Currency currency) {
  return {{.id = absl::StrCat("refund/", request_id, "/cap"),
           .debit_account_id = RefundableAccountId(top_up_id),
           .credit_account_id = ledger::RateCapacityAccountId(),
           .amount = amount,
           .currency = ledger::kRateUnits,
           .code = ledger::TransferCode::kRefund,
           .flags = {.linked = true, .pending = true}},
          {.id = absl::StrCat("refund/", request_id),
           .debit_account_id = std::string(wallet),
           .credit_account_id = std::string(clearing),
           .amount = amount,
           .currency = currency,
           .code = ledger::TransferCode::kRefund,
           .flags = {.pending = true}}};
}

std::vector<ledger::Transfer> ResolveRefund(absl::string_view request_id, bool post) {
  const absl::string_view verb = post ? "post" : "void";
  const ledger::TransferFlags flags{.post_pending_transfer = post, .void_pending_transfer = !post};
  ledger::TransferFlags first = flags;
  first.linked = true;
  return {{.id = absl::StrCat("refund/", request_id, "/cap/", verb),
           .flags = first,
           .pending_id = absl::StrCat("refund/", request_id, "/cap")},
          {.id = absl::StrCat("refund/", request_id, "/", verb),
           .flags = flags,
           .pending_id = absl::StrCat("refund/", request_id)}};
}

}  // namespace

std::optional<AccountOwner> UserAccountOwner(absl::string_view account_id) {
  const std::vector<absl::string_view> parts = absl::StrSplit(account_id, ':');
  if (parts.size() != 3 || parts[1].empty()) return std::nullopt;
  for (const AccountKind kind : ledger::kAllAccountKinds) {
    if (ledger::IsUserAccount(kind) && ledger::AccountKindName(kind) == parts[0]) {
      return AccountOwner{kind, std::string(parts[1])};
    }
  }
  return std::nullopt;
}

std::vector<std::string> TippingLogic::UserAccountIds(absl::string_view user_id) const {
  return {ledger::AccountIdOf(AccountKind::kUserWallet, user_id, config_.currency),
          ledger::AccountIdOf(AccountKind::kUserEarningsPending, user_id, config_.currency),
          ledger::AccountIdOf(AccountKind::kUserEarningsAvailable, user_id, config_.currency)};
}

absl::Status TippingLogic::CheckMayRead(const kit::Caller& caller, absl::string_view owner_id) const {
  if (owner_id == caller.user_id || caller.HasRole(base::Role::kAdmin)) return absl::OkStatus();
  return absl::PermissionDeniedError("user_id: only admins may read another user's money");
}

absl::StatusOr<TipRecord> TippingLogic::SendTip(const kit::Caller& caller, const SendTipInput& input) {
  CF_ASSIGN_OR_RETURN(const std::optional<ClipRecord> clip, store_.GetClip(input.clip_id));
  if (!clip.has_value() || clip->removed || !clip->tippable || clip->author_id.empty()) {
    return absl::NotFoundError("clip_id: no such clip");
  }
  CF_ASSIGN_OR_RETURN(const bool author_gone, store_.UserGone(clip->author_id));
  if (author_gone) return absl::NotFoundError("clip_id: no such clip");
  CF_ASSIGN_OR_RETURN(std::vector<ledger::TipAncestor> lineage,
                      store_.Lineage(input.clip_id, static_cast<int>(ledger::kMaxRoyaltyDepth)));

  ledger::TipSplitRequest split_request;
  split_request.gross = input.amount;
  split_request.tipper_id = caller.user_id;
  split_request.clip_id = input.clip_id;
  split_request.creators.push_back({.user_id = clip->author_id, .weight = 1});
  split_request.lineage = std::move(lineage);
  // The core's refusals name the API's field (amount) already.
  CF_ASSIGN_OR_RETURN(const ledger::TipSplit split_result, ledger::SplitTip(split_request, config_.tip_rules));
  const ledger::TipSplit* split = &split_result;

  const ledger::Currency currency = config_.currency;
  TipRecord tip{.tip_id = input.tip_id,
                .sender_id = caller.user_id,
                .clip_id = input.clip_id,
                .amount = input.amount,
                .currency = currency,
                .message = input.message,
                .rules_version = split->rules_version,
                .created_at = clock_.Now()};
  std::vector<ledger::Transfer> legs = ledger::TipTransfers(input.tip_id, caller.user_id, *split, currency);

  LedgerRequest request;
  request.accounts.push_back(
      ledger::OpenAccount(ledger::AccountIdOf(AccountKind::kUserWallet, caller.user_id, currency),
                          AccountKind::kUserWallet, currency));
  for (size_t i = 0; i < legs.size(); ++i) {
    tip.legs.push_back({split->legs[i], legs[i].credit_account_id});
    const AccountKind kind = split->legs[i].kind == ledger::TipLegKind::kPlatformFee
                                 ? AccountKind::kPlatformFeeRevenue
                                 : AccountKind::kUserEarningsPending;
    request.accounts.push_back(ledger::OpenAccount(legs[i].credit_account_id, kind, currency));
  }
  // The velocity limits: each of the tipper's rate accounts gets its
  // allowance once (a chain of its own, `exists` ever after), and the tip's
  // chain starts with a hold on each, so a tip over a limit moves nothing.
  // A new wallet (a stolen card's fresh top-up) is also held to an amount
  // a day.
  CF_ASSIGN_OR_RETURN(const std::optional<absl::Time> first_top_up, store_.FirstTopUpTime(caller.user_id));
  std::vector<const ledger::VelocityLimit*> limits = {&config_.tips_per_minute};
  if (!first_top_up.has_value() || tip.created_at - *first_top_up < config_.new_wallet_period) {
    limits.push_back(&config_.new_wallet_tips_per_day);
  }
  request.accounts.push_back(ledger::OpenAccount(ledger::RateCapacityAccountId(), AccountKind::kRateCapacity,
                                                 ledger::kRateUnits));
  for (const ledger::VelocityLimit* limit : limits) {
    request.accounts.push_back(ledger::OpenRateAccount(*limit, caller.user_id));
    request.transfers.push_back(ledger::RateAllowance(*limit, caller.user_id));
  }
  const size_t hold_index = request.transfers.size();
  for (const ledger::VelocityLimit* limit : limits) {
    request.transfers.push_back(ledger::RateHold(input.tip_id, *limit, caller.user_id, input.amount));
  }
  for (ledger::Transfer& leg : legs) request.transfers.push_back(std::move(leg));
  request.events.push_back(events_.TipSent(tip));
  request.tips.push_back(tip);

  CF_ASSIGN_OR_RETURN(const LedgerReply reply, writer_.Submit(std::move(request)));
  if (reply.outcomes.back().ok()) return tip;
  // The chain failed: the transfer that failed it says why (the others
  // report linked_event_failed, or exists when the chain is a retry).
  for (size_t i = hold_index; i < reply.outcomes.size(); ++i) {
    const ledger::TransferOutcome& outcome = reply.outcomes[i];
    switch (outcome.result) {
      case TransferResult::kLinkedEventFailed:
      case TransferResult::kExists:
        continue;
      case TransferResult::kExistsWithDifferentFields:
        return AnswerRetriedTip(caller, input);
      case TransferResult::kExceedsCredits:
        if (i < hold_index + limits.size()) {
          const ledger::VelocityLimit& limit = *limits[i - hold_index];
          return ledger::VelocityLimitExceeded(limit, reply.hold_expiries[i].value_or(clock_.Now() + limit.window));
        }
        return InsufficientFunds();
      case TransferResult::kDebitAccountNotFound:
        return InsufficientFunds();
      default:
        return absl::InternalError(absl::StrCat("tip transfer ", i, " refused by the ledger: ",
                                                ledger::TransferResultName(outcome.result)));
    }
  }
  // Every transfer exists: the tip was booked by an earlier request.
  return AnswerRetriedTip(caller, input);
}

absl::StatusOr<TipRecord> TippingLogic::AnswerRetriedTip(const kit::Caller& caller, const SendTipInput& input) {
  CF_ASSIGN_OR_RETURN(const std::optional<TipRecord> stored, store_.GetTip(input.tip_id));
  if (!stored.has_value()) {
    // Transfers under the tip's ids but no tip: not a tip's request id.
    return RequestIdReused({"request_id"});
  }
  const std::vector<std::string> differences = TipDifferences(*stored, caller, input);
  if (!differences.empty()) return RequestIdReused(differences);
  return *stored;
}

absl::StatusOr<TipRecord> TippingLogic::GetTip(const kit::Caller& caller, absl::string_view tip_id) {
  CF_ASSIGN_OR_RETURN(const std::optional<TipRecord> tip, store_.GetTip(tip_id));
  if (!tip.has_value()) return absl::NotFoundError("tip_id: no such tip");
  bool involved = tip->sender_id == caller.user_id || caller.HasRole(base::Role::kAdmin);
  for (const TipLegRecord& leg : tip->legs) involved = involved || leg.leg.user_id == caller.user_id;
  if (!involved) return absl::NotFoundError("tip_id: no such tip");
  return *tip;
}

absl::StatusOr<TopUpRecord> TippingLogic::CreateTopUp(const kit::Caller& caller, const TopUpInput& input) {
  PaymentProvider* provider = providers_.Find(input.provider);
  if (provider == nullptr) return absl::InvalidArgumentError("provider: not enabled on this instance");
  if (input.amount < config_.min_top_up || input.amount > config_.max_top_up) {
    return absl::InvalidArgumentError(absl::StrCat("amount: must be ", ledger::FormatMicros(config_.min_top_up),
                                                   " to ", ledger::FormatMicros(config_.max_top_up)));
  }
  CF_ASSIGN_OR_RETURN(const std::optional<TopUpRecord> existing, store_.GetTopUp(input.top_up_id));
  const absl::Time now = clock_.Now();
  if (existing.has_value()) {
    const std::vector<std::string> differences = TopUpDifferences(*existing, caller, input);
    if (!differences.empty()) return RequestIdReused(differences);
    // Pending: a call cut short after asking the provider, or before; the
    // same idempotency key asks about the same payment.
    if (existing->status != TopUpStatus::kPending) return *existing;
  } else {
    // Recorded before the provider charges anything, so that a charge is
    // never left without a row to reconcile it with, whatever fails next.
    CF_RETURN_IF_ERROR(store_.RecordTopUp({.top_up_id = input.top_up_id,
                                           .user_id = caller.user_id,
                                           .amount = input.amount,
                                           .currency = config_.currency,
                                           .status = TopUpStatus::kPending,
                                           .provider = input.provider,
                                           .created_at = now,
                                           .updated_at = now}));
  }

  CF_ASSIGN_OR_RETURN(const PaymentIntent intent, provider->CreateIntent(input.top_up_id, input.amount,
                                                                         config_.currency,
                                                                         input.payment_method_token));
  TopUpRecord top_up{.top_up_id = input.top_up_id,
                     .user_id = caller.user_id,
                     .amount = input.amount,
                     .currency = config_.currency,
                     .status = intent.succeeded ? TopUpStatus::kSucceeded : TopUpStatus::kFailed,
                     .provider = input.provider,
                     .provider_reference = intent.reference,
                     .failure_reason = intent.failure_reason,
                     .created_at = existing.has_value() ? existing->created_at : now,
                     .updated_at = now,
                     .client_secret = intent.client_secret};
  if (!intent.succeeded) {
    CF_RETURN_IF_ERROR(store_.RecordTopUp(top_up));
  } else {
    const std::string wallet = ledger::AccountIdOf(AccountKind::kUserWallet, caller.user_id, config_.currency);
    const std::string clearing = ledger::AccountIdOf(AccountKind::kProviderClearing, "", config_.currency);
    LedgerRequest request;
    request.accounts.push_back(ledger::OpenAccount(clearing, AccountKind::kProviderClearing, config_.currency));
    request.accounts.push_back(ledger::OpenAccount(wallet, AccountKind::kUserWallet, config_.currency));
    request.transfers.push_back(ledger::Transfer{.id = TopUpTransferId(input.top_up_id),
                                                 .debit_account_id = clearing,
                                                 .credit_account_id = wallet,
                                                 .amount = input.amount,
                                                 .currency = config_.currency,
                                                 .code = ledger::TransferCode::kTopUp});
    request.top_ups.push_back(top_up);
    CF_ASSIGN_OR_RETURN(const LedgerReply reply, writer_.Submit(std::move(request)));
    const ledger::TransferOutcome& outcome = reply.outcomes.front();
    if (outcome.ok()) return top_up;
    if (outcome.result == TransferResult::kExistsWithDifferentFields) {
      return RequestIdReused(outcome.differing_fields);
    }
    if (outcome.result != TransferResult::kExists) {
      return absl::InternalError(
          absl::StrCat("top-up refused by the ledger: ", ledger::TransferResultName(outcome.result)));
    }
  }
  // Stored by this call or, racing it, by another with the same id: the
  // stored one is the answer.
  CF_ASSIGN_OR_RETURN(const std::optional<TopUpRecord> stored, store_.GetTopUp(input.top_up_id));
  if (!stored.has_value()) return absl::InternalError("top-up not found after it was stored");
  const std::vector<std::string> differences = TopUpDifferences(*stored, caller, input);
  if (!differences.empty()) return RequestIdReused(differences);
  return *stored;
}

absl::StatusOr<TopUpRecord> TippingLogic::RefundTopUp(const kit::Caller& caller, const RefundInput& input) {
  CF_ASSIGN_OR_RETURN(const std::optional<TopUpRecord> top_up, store_.GetTopUp(input.top_up_id));
  if (!top_up.has_value() || (top_up->user_id != caller.user_id && !caller.HasRole(base::Role::kAdmin))) {
    return absl::NotFoundError("top_up_id: no such top-up");
  }
  if (top_up->status != TopUpStatus::kSucceeded && top_up->status != TopUpStatus::kPartiallyRefunded &&
      top_up->status != TopUpStatus::kRefunded) {
    return base::WithReason(absl::FailedPreconditionError("top_up_id: only a succeeded top-up can be refunded"),
                            "NOT_REFUNDABLE");
  }
  PaymentProvider* provider = providers_.Find(top_up->provider);
  if (provider == nullptr) {
    return absl::FailedPreconditionError("top_up_id: its provider is no longer enabled on this instance");
  }
  // A retry goes on with the amount its first try held (after a whole
  // refund, "all that is left" is nothing).
  CF_ASSIGN_OR_RETURN(const std::optional<ledger::Micros> earlier,
                      store_.StoredTransferAmount(absl::StrCat("refund/", input.request_id)));
  if (earlier.has_value() && input.amount.has_value() && *input.amount != *earlier) {
    return RequestIdReused({"amount"});
  }
  if (earlier.has_value()) {
    // A retry of a refund already decided answers it without asking the
    // provider again: its idempotency key may have expired there, and a
    // second refund would pay twice for one debit.
    CF_ASSIGN_OR_RETURN(const std::optional<ledger::Micros> posted,
                        store_.StoredTransferAmount(absl::StrCat("refund/", input.request_id, "/post")));
    if (posted.has_value()) return *top_up;
    CF_ASSIGN_OR_RETURN(const std::optional<ledger::Micros> voided,
                        store_.StoredTransferAmount(absl::StrCat("refund/", input.request_id, "/void")));
    if (voided.has_value()) {
      return base::WithReason(
          absl::FailedPreconditionError("request_id: this refund was refused by the provider"), "REFUND_REFUSED");
    }
  }
  // What the stored row says is left; concurrent refunds are capped by the
  // ledger below, not by this read.
  const ledger::Micros left = top_up->amount - top_up->refunded;
  const ledger::Micros amount = earlier.value_or(input.amount.value_or(left));
  if (amount <= 0 || amount > top_up->amount) {
    return base::WithReason(absl::FailedPreconditionError(absl::StrCat(
                                "amount: ", ledger::FormatMicros(std::max<ledger::Micros>(left, 0)),
                                " of the top-up is left to refund")),
                            "REFUND_EXCEEDS_TOP_UP");
  }

  const ledger::Currency currency = top_up->currency;
  const std::string wallet = ledger::AccountIdOf(AccountKind::kUserWallet, top_up->user_id, currency);
  const std::string clearing = ledger::AccountIdOf(AccountKind::kProviderClearing, "", currency);
  LedgerRequest hold;
  hold.accounts = {ledger::OpenAccount(ledger::RateCapacityAccountId(), AccountKind::kRateCapacity,
                                       ledger::kRateUnits),
                   ledger::OpenAccount(RefundableAccountId(top_up->top_up_id), AccountKind::kRateLimit,
                                       ledger::kRateUnits)};
  // The refundable rest, granted once (`exists` ever after).
  hold.transfers.push_back({.id = absl::StrCat(TopUpTransferId(top_up->top_up_id), "/refundable"),
                            .debit_account_id = ledger::RateCapacityAccountId(),
                            .credit_account_id = RefundableAccountId(top_up->top_up_id),
                            .amount = top_up->amount,
                            .currency = ledger::kRateUnits,
                            .code = ledger::TransferCode::kRateAllowance});
  for (ledger::Transfer& t : RefundHolds(input.request_id, top_up->top_up_id, wallet, clearing, amount, currency)) {
    hold.transfers.push_back(std::move(t));
  }
  CF_ASSIGN_OR_RETURN(const LedgerReply held, writer_.Submit(std::move(hold)));
  for (size_t i = 1; i < held.outcomes.size(); ++i) {
    switch (held.outcomes[i].result) {
      case TransferResult::kOk:
      case TransferResult::kExists:  // a retry: finish the same refund
      case TransferResult::kLinkedEventFailed:
        continue;
      case TransferResult::kExistsWithDifferentFields:
        return RequestIdReused(held.outcomes[i].differing_fields);
      case TransferResult::kExceedsCredits:
        if (i == 1) {
          return base::WithReason(
              absl::FailedPreconditionError("amount: more than is left to refund of the top-up"),
              "REFUND_EXCEEDS_TOP_UP");
        }
        return InsufficientFunds();
      default:
        return absl::InternalError(absl::StrCat("refund transfer ", i, " refused by the ledger: ",
                                                ledger::TransferResultName(held.outcomes[i].result)));
    }
  }

  // The money is held: the provider pays it back (the same key refunds
  // once), then the holds are posted, or voided when it refuses.
  const absl::StatusOr<std::string> refunded =
      provider->Refund(input.request_id, top_up->provider_reference, amount, currency);
  if (!refunded.ok() && refunded.status().code() != absl::StatusCode::kFailedPrecondition) {
    // Unreachable or in doubt: the holds stay; a retry asks again.
    return refunded.status();
  }
  LedgerRequest resolve;
  resolve.transfers = ResolveRefund(input.request_id, /*post=*/refunded.ok());
  if (refunded.ok()) resolve.top_up_refunds.push_back({top_up->top_up_id, amount, clock_.Now()});
  CF_ASSIGN_OR_RETURN(const LedgerReply resolved, writer_.Submit(std::move(resolve)));
  const TransferResult last = resolved.outcomes.back().result;
  if (!refunded.ok()) return refunded.status();
  if (last != TransferResult::kOk && last != TransferResult::kExists) {
    return base::WithReason(absl::FailedPreconditionError("request_id: this refund was refused by the provider"),
                            "REFUND_REFUSED");
  }
  CF_ASSIGN_OR_RETURN(const std::optional<TopUpRecord> after, store_.GetTopUp(input.top_up_id));
  if (!after.has_value()) return absl::InternalError("top-up not found after its refund");
  return *after;
}

absl::StatusOr<std::vector<AccountBalanceView>> TippingLogic::GetBalance(const kit::Caller& caller,
                                                                         absl::string_view user_id,
                                                                         std::optional<absl::Time> as_of) {
  const std::string owner = user_id.empty() ? caller.user_id : std::string(user_id);
  CF_RETURN_IF_ERROR(CheckMayRead(caller, owner));
  const std::vector<std::string> ids = UserAccountIds(owner);
  std::vector<AccountBalanceView> views;
  if (as_of.has_value()) {
    for (const std::string& id : ids) {
      CF_ASSIGN_OR_RETURN(const ledger::Micros balance, store_.BalanceAsOf(id, *as_of));
      views.push_back({.account_id = id, .kind = UserAccountOwner(id)->kind, .balance = balance});
    }
    return views;
  }
  CF_ASSIGN_OR_RETURN(const std::vector<ledger::Account> accounts, store_.GetAccounts(ids));
  for (const std::string& id : ids) {
    AccountBalanceView view{.account_id = id, .kind = UserAccountOwner(id)->kind};
    for (const ledger::Account& account : accounts) {
      if (account.id != id) continue;
      view.balance = ledger::PostedBalance(account);
      view.held = account.debits_pending;
    }
    views.push_back(std::move(view));
  }
  return views;
}

absl::StatusOr<StatementPage> TippingLogic::ListEntries(const kit::Caller& caller, const StatementQuery& query) {
  const std::optional<AccountOwner> owner = UserAccountOwner(query.account_id);
  if (!caller.HasRole(base::Role::kAdmin) && (!owner.has_value() || owner->owner_id != caller.user_id)) {
    return absl::PermissionDeniedError("account_id: not one of your accounts");
  }
  StatementPage page;
  // Unset, the window runs to now, and takes in what was booked this very
  // microsecond too (a window's end is exclusive).
  page.end = query.end.value_or(clock_.Now() + absl::Microseconds(1));
  if (page.end <= query.start) return absl::InvalidArgumentError("end_time: must be after start_time");
  CF_ASSIGN_OR_RETURN(page.entries, store_.ListEntries(query.account_id, query.start, page.end,
                                                       query.after_sequence, query.page_size + 1));
  if (static_cast<int>(page.entries.size()) > query.page_size) {
    page.entries.resize(query.page_size);
    page.next_after_sequence = page.entries.back().sequence;
  }
  // The balance just before the window opens and just before it closes
  // (the window is [start, end)).
  if (query.start != absl::InfinitePast()) {
    CF_ASSIGN_OR_RETURN(page.opening_balance,
                        store_.BalanceAsOf(query.account_id, query.start - absl::Microseconds(1)));
  }
  CF_ASSIGN_OR_RETURN(page.closing_balance, store_.BalanceAsOf(query.account_id, page.end - absl::Microseconds(1)));
  return page;
}

}  // namespace clipforge::tipping_service
