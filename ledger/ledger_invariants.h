// The ledger's invariants, checked from scratch: what GetLedgerHealth
// reports and what the property tests assert after every batch.
//
//   - Per currency, debits equal credits: sum(debits_posted) ==
//     sum(credits_posted) and sum(debits_pending) == sum(credits_pending)
//     over all accounts (every transfer adds the same amount to one debit
//     and one credit counter).
//   - Every counter is non-negative, pending + posted on each side fits in
//     Micros, and every balance limit (AccountFlags) holds.
//   - Every account's counters equal what its transfers say: posted, the
//     sum of its single-phase transfers and posts; pending, the sum of its
//     live holds.
//   - Every transfer names accounts that exist, in its own currency.
#pragma once

#include <string>
#include <vector>

#include "ledger/account.h"
#include "ledger/transfer_record.h"

namespace clipforge::ledger {

// One line per violation, in a stable order (currencies, then accounts by
// id, then transfers by id); empty when every invariant holds.
std::vector<std::string> CheckLedgerInvariants(const AccountTable& accounts, const TransferTable& transfers);

}  // namespace clipforge::ledger
