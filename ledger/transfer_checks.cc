#include "ledger/transfer_checks.h"

#include <limits>

namespace clipforge::ledger {
namespace {

// Sums of counters are taken wide: each counter fits in Micros, their sum
// plus an amount may not.
bool PassesMicrosMax(WideMicros sum) { return sum > std::numeric_limits<Micros>::max(); }

}  // namespace

TransferResult CheckTransferFields(const Transfer& transfer) {
  const TransferFlags& flags = transfer.flags;
  if (int{flags.pending} + int{flags.post_pending_transfer} + int{flags.void_pending_transfer} > 1) {
    return TransferResult::kFlagsAreMutuallyExclusive;
  }
  if (transfer.amount < 0) return TransferResult::kAmountMustNotBeNegative;
  if (transfer.timeout < absl::ZeroDuration()) return TransferResult::kTimeoutMustNotBeNegative;
  if (!flags.pending && transfer.timeout != absl::ZeroDuration()) {
    return TransferResult::kTimeoutReservedForPendingTransfer;
  }
  if (ResolvesPendingTransfer(transfer)) {
    if (transfer.pending_id.empty()) return TransferResult::kPendingIdMustNotBeEmpty;
    if (transfer.pending_id == transfer.id) return TransferResult::kPendingIdMustBeDifferent;
    return TransferResult::kOk;
  }
  if (!transfer.pending_id.empty()) return TransferResult::kPendingIdMustBeEmpty;
  if (transfer.debit_account_id.empty()) return TransferResult::kDebitAccountIdMustNotBeEmpty;
  if (transfer.credit_account_id.empty()) return TransferResult::kCreditAccountIdMustNotBeEmpty;
  if (transfer.debit_account_id == transfer.credit_account_id) return TransferResult::kAccountsMustBeDifferent;
  if (transfer.currency.empty()) return TransferResult::kCurrencyMustNotBeEmpty;
  if (transfer.code == TransferCode::kUnspecified) return TransferResult::kCodeMustNotBeUnspecified;
  if (transfer.amount == 0) return TransferResult::kAmountMustNotBeZero;
  return TransferResult::kOk;
}

TransferResult CheckTransferAccounts(const Transfer& transfer, const Account* debit_account,
                                     const Account* credit_account) {
  if (debit_account == nullptr) return TransferResult::kDebitAccountNotFound;
  if (credit_account == nullptr) return TransferResult::kCreditAccountNotFound;
  const Account& dr = *debit_account;
  const Account& cr = *credit_account;
  if (dr.currency != cr.currency) return TransferResult::kAccountsMustHaveTheSameCurrency;
  if (transfer.currency != dr.currency) return TransferResult::kTransferMustHaveTheSameCurrencyAsAccounts;

  const WideMicros amount = transfer.amount;
  if (transfer.flags.pending) {
    if (PassesMicrosMax(dr.debits_pending + amount)) return TransferResult::kOverflowsDebitsPending;
    if (PassesMicrosMax(cr.credits_pending + amount)) return TransferResult::kOverflowsCreditsPending;
  } else {
    if (PassesMicrosMax(dr.debits_posted + amount)) return TransferResult::kOverflowsDebitsPosted;
    if (PassesMicrosMax(cr.credits_posted + amount)) return TransferResult::kOverflowsCreditsPosted;
  }
  // Pending and posted together stay within Micros, so that a post (which
  // moves pending to posted) can never overflow and balances never do.
  const WideMicros debits_after = static_cast<WideMicros>(dr.debits_pending) + dr.debits_posted + amount;
  const WideMicros credits_after = static_cast<WideMicros>(cr.credits_pending) + cr.credits_posted + amount;
  if (PassesMicrosMax(debits_after)) return TransferResult::kOverflowsDebits;
  if (PassesMicrosMax(credits_after)) return TransferResult::kOverflowsCredits;
  if (dr.flags.debits_must_not_exceed_credits && debits_after > dr.credits_posted) {
    return TransferResult::kExceedsCredits;
  }
  if (cr.flags.credits_must_not_exceed_debits && credits_after > cr.debits_posted) {
    return TransferResult::kExceedsDebits;
  }
  return TransferResult::kOk;
}

TransferResult CheckPendingResolution(const Transfer& transfer, const TransferRecord* pending, absl::Time now) {
  if (pending == nullptr) return TransferResult::kPendingTransferNotFound;
  const TransferRecord& held = *pending;
  if (held.state == PendingState::kNotPending) return TransferResult::kPendingTransferNotPending;
  if (!transfer.debit_account_id.empty() && transfer.debit_account_id != held.debit_account_id) {
    return TransferResult::kPendingTransferHasDifferentDebitAccountId;
  }
  if (!transfer.credit_account_id.empty() && transfer.credit_account_id != held.credit_account_id) {
    return TransferResult::kPendingTransferHasDifferentCreditAccountId;
  }
  if (!transfer.currency.empty() && transfer.currency != held.currency) {
    return TransferResult::kPendingTransferHasDifferentCurrency;
  }
  if (transfer.code != TransferCode::kUnspecified && transfer.code != held.code) {
    return TransferResult::kPendingTransferHasDifferentCode;
  }
  if (transfer.flags.post_pending_transfer && transfer.amount > held.amount) {
    return TransferResult::kExceedsPendingTransferAmount;
  }
  if (transfer.flags.void_pending_transfer && transfer.amount != 0 && transfer.amount != held.amount) {
    return TransferResult::kPendingTransferHasDifferentAmount;
  }
  switch (held.state) {
    case PendingState::kPosted: return TransferResult::kPendingTransferAlreadyPosted;
    case PendingState::kVoided: return TransferResult::kPendingTransferAlreadyVoided;
    case PendingState::kExpired: return TransferResult::kPendingTransferExpired;
    case PendingState::kNotPending:
    case PendingState::kPending:
      break;
  }
  // Past its timeout but not yet swept by ExpirePending: as good as
  // expired, so that when the sweep runs makes no difference.
  if (now >= held.expires_at) return TransferResult::kPendingTransferExpired;
  return TransferResult::kOk;
}

Micros AmountToPost(const Transfer& transfer, const TransferRecord& pending) {
  if (!transfer.flags.post_pending_transfer) return 0;
  return transfer.amount == 0 ? pending.amount : transfer.amount;
}

}  // namespace clipforge::ledger
