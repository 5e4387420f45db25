#include "ledger/transfer_result.h"

namespace clipforge::ledger {

absl::string_view TransferResultName(TransferResult result) {
  switch (result) {
    case TransferResult::kOk: return "ok";
    case TransferResult::kLinkedEventFailed: return "linked_event_failed";
    case TransferResult::kLinkedEventChainOpen: return "linked_event_chain_open";
    case TransferResult::kIdMustNotBeEmpty: return "id_must_not_be_empty";
    case TransferResult::kFlagsAreMutuallyExclusive: return "flags_are_mutually_exclusive";
    case TransferResult::kAmountMustNotBeNegative: return "amount_must_not_be_negative";
    case TransferResult::kTimeoutMustNotBeNegative: return "timeout_must_not_be_negative";
    case TransferResult::kTimeoutReservedForPendingTransfer: return "timeout_reserved_for_pending_transfer";
    case TransferResult::kPendingIdMustNotBeEmpty: return "pending_id_must_not_be_empty";
    case TransferResult::kPendingIdMustBeEmpty: return "pending_id_must_be_empty";
    case TransferResult::kPendingIdMustBeDifferent: return "pending_id_must_be_different";
    case TransferResult::kDebitAccountIdMustNotBeEmpty: return "debit_account_id_must_not_be_empty";
    case TransferResult::kCreditAccountIdMustNotBeEmpty: return "credit_account_id_must_not_be_empty";
    case TransferResult::kAccountsMustBeDifferent: return "accounts_must_be_different";
    case TransferResult::kCurrencyMustNotBeEmpty: return "currency_must_not_be_empty";
    case TransferResult::kCodeMustNotBeUnspecified: return "code_must_not_be_unspecified";
    case TransferResult::kAmountMustNotBeZero: return "amount_must_not_be_zero";
    case TransferResult::kExists: return "exists";
    case TransferResult::kExistsWithDifferentFields: return "exists_with_different_fields";
    case TransferResult::kDebitAccountNotFound: return "debit_account_not_found";
    case TransferResult::kCreditAccountNotFound: return "credit_account_not_found";
    case TransferResult::kAccountsMustHaveTheSameCurrency: return "accounts_must_have_the_same_currency";
    case TransferResult::kTransferMustHaveTheSameCurrencyAsAccounts:
      return "transfer_must_have_the_same_currency_as_accounts";
    case TransferResult::kPendingTransferNotFound: return "pending_transfer_not_found";
    case TransferResult::kPendingTransferNotPending: return "pending_transfer_not_pending";
    case TransferResult::kPendingTransferHasDifferentDebitAccountId:
      return "pending_transfer_has_different_debit_account_id";
    case TransferResult::kPendingTransferHasDifferentCreditAccountId:
      return "pending_transfer_has_different_credit_account_id";
    case TransferResult::kPendingTransferHasDifferentCurrency:
      return "pending_transfer_has_different_currency";
    case TransferResult::kPendingTransferHasDifferentCode: return "pending_transfer_has_different_code";
    case TransferResult::kExceedsPendingTransferAmount: return "exceeds_pending_transfer_amount";
    case TransferResult::kPendingTransferHasDifferentAmount: return "pending_transfer_has_different_amount";
    case TransferResult::kPendingTransferAlreadyPosted: return "pending_transfer_already_posted";
    case TransferResult::kPendingTransferAlreadyVoided: return "pending_transfer_already_voided";
    case TransferResult::kPendingTransferExpired: return "pending_transfer_expired";
    case TransferResult::kOverflowsDebitsPending: return "overflows_debits_pending";
    case TransferResult::kOverflowsCreditsPending: return "overflows_credits_pending";
    case TransferResult::kOverflowsDebitsPosted: return "overflows_debits_posted";
    case TransferResult::kOverflowsCreditsPosted: return "overflows_credits_posted";
    case TransferResult::kOverflowsDebits: return "overflows_debits";
    case TransferResult::kOverflowsCredits: return "overflows_credits";
    case TransferResult::kOverflowsTimeout: return "overflows_timeout";
    case TransferResult::kExceedsCredits: return "exceeds_credits";
    case TransferResult::kExceedsDebits: return "exceeds_debits";
  }
  return "unknown";
}

}  // namespace clipforge::ledger
