// The rules a transfer must pass, as pure functions of the transfer and
// what it touches, so that the in-memory book (ledger_book.h) and a store
// that locks the same rows in a database decide alike. Each returns the
// first TransferResult that applies, in TigerBeetle's order, or kOk.
#pragma once

#include "absl/time/time.h"
#include "ledger/account.h"
#include "ledger/transfer.h"
#include "ledger/transfer_record.h"
#include "ledger/transfer_result.h"

namespace clipforge::ledger {

// The transfer on its own: flags, ids, amount, timeout; for a new transfer
// also its accounts, currency and code (a post or void may leave those to
// its pending transfer).
TransferResult CheckTransferFields(const Transfer& transfer);

// A new transfer (single-phase or pending) against its two accounts, found
// by id: one currency throughout, no counter past INT64_MAX, no balance
// limit broken (pending amounts count against the limits).
TransferResult CheckTransferAccounts(const Transfer& transfer, const Account* debit_account,
                                     const Account* credit_account);

// A post or void of `pending` (the record its pending_id names; null when
// there is none) at `now`: the fields it repeats must match, a post takes
// at most the held amount, and the hold must still be live.
TransferResult CheckPendingResolution(const Transfer& transfer, const TransferRecord* pending, absl::Time now);

// The amount a post or void of `pending` moves to posted: what a post
// names, all that is held for a post of 0, nothing for a void.
Micros AmountToPost(const Transfer& transfer, const TransferRecord& pending);

}  // namespace clipforge::ledger
