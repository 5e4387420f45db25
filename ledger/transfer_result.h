// What became of one transfer of a batch: TigerBeetle's result codes, in
// the order the book checks them (the first that applies is reported).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace clipforge::ledger {

enum class TransferResult : uint8_t {
  kOk = 0,
  // Another transfer of the linked chain failed, so this one was not
  // applied (or was rolled back).
  kLinkedEventFailed,
  // The batch ended inside a linked chain: its last transfer has `linked`.
  kLinkedEventChainOpen,

  // The transfer on its own.
  kIdMustNotBeEmpty,
  kFlagsAreMutuallyExclusive,
  kAmountMustNotBeNegative,
  kTimeoutMustNotBeNegative,
  kTimeoutReservedForPendingTransfer,
  kPendingIdMustNotBeEmpty,
  kPendingIdMustBeEmpty,
  kPendingIdMustBeDifferent,
  kDebitAccountIdMustNotBeEmpty,
  kCreditAccountIdMustNotBeEmpty,
  kAccountsMustBeDifferent,
  kCurrencyMustNotBeEmpty,
  kCodeMustNotBeUnspecified,
  kAmountMustNotBeZero,

  // Its id was used before: by an identical transfer (a retry: nothing
  // happens again), or by one with other fields (TransferOutcome names
  // them).
  kExists,
  kExistsWithDifferentFields,

  // Against the accounts.
  kDebitAccountNotFound,
  kCreditAccountNotFound,
  kAccountsMustHaveTheSameCurrency,
  kTransferMustHaveTheSameCurrencyAsAccounts,

  // A post or void against the pending transfer it names.
  kPendingTransferNotFound,
  kPendingTransferNotPending,
  kPendingTransferHasDifferentDebitAccountId,
  kPendingTransferHasDifferentCreditAccountId,
  kPendingTransferHasDifferentCurrency,
  kPendingTransferHasDifferentCode,
  kExceedsPendingTransferAmount,
  kPendingTransferHasDifferentAmount,
  kPendingTransferAlreadyPosted,
  kPendingTransferAlreadyVoided,
  kPendingTransferExpired,

  // A counter would pass INT64_MAX.
  kOverflowsDebitsPending,
  kOverflowsCreditsPending,
  kOverflowsDebitsPosted,
  kOverflowsCreditsPosted,
  kOverflowsDebits,
  kOverflowsCredits,
  kOverflowsTimeout,

  // A balance limit (AccountFlags) would be broken: the debit account
  // lacks the money, or the credit account would run the wrong way.
  kExceedsCredits,
  kExceedsDebits,
};

// "ok", "exceeds_credits", ...: TigerBeetle's names, for logs and errors.
absl::string_view TransferResultName(TransferResult result);

struct TransferOutcome {
  TransferResult result = TransferResult::kOk;
  // For kExistsWithDifferentFields: the fields the new transfer changed
  // (DifferingTransferFields).
  std::vector<std::string> differing_fields;

  bool ok() const { return result == TransferResult::kOk; }
  friend bool operator==(const TransferOutcome&, const TransferOutcome&) = default;
};

}  // namespace clipforge::ledger
