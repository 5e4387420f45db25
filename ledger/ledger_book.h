// The ledger in memory: accounts, applied transfers and the holds of
// pending ones, with TigerBeetle's semantics for a batch of transfers. It
// is the reference model of the ledger (what a store must agree with, and
// what property tests drive) and does no I/O.
//
// A batch applies in order. Consecutive transfers with flags.linked form a
// chain that ends at the first transfer without it; a transfer alone is a
// chain of one. A chain applies whole or not at all: when one of its
// transfers fails, that one reports why, every other one reports
// kLinkedEventFailed, and nothing of the chain stays applied (later
// chains of the batch still run). A batch that ends inside a chain fails
// that chain, its last transfer with kLinkedEventChainOpen.
//
// Idempotency: a transfer whose id was applied before does nothing again
// and reports kExists when it equals the first in every field, else
// kExistsWithDifferentFields naming the fields. Unlike in TigerBeetle,
// kExists does not fail a chain: a chain applies atomically, so a retried
// chain (a retried tip) finds every one of its transfers, and each reports
// kExists. A failed transfer leaves no trace: its id may be used again.
#pragma once

#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ledger/account.h"
#include "ledger/transfer.h"
#include "ledger/transfer_record.h"
#include "ledger/transfer_result.h"

namespace clipforge::ledger {

class LedgerBook {
 public:
  // The book as a store keeps it: `accounts` with their counters and
  // `transfers` with their states, as of its last write. The way back to
  // memory for a writer that persists the book (CreateAccount refuses
  // counters, and Apply would not reproduce applied_at or resolved holds).
  // The expiry queue is rebuilt from the live holds with a timeout; one
  // already past its time is released by the next ExpirePending.
  // INVALID_ARGUMENT for an empty or repeated id, or when the ledger's
  // invariants do not hold (ledger_invariants.h; the message names the
  // first violations): a copy that does not add up must never be decided
  // against.
  static absl::StatusOr<LedgerBook> Restore(std::vector<Account> accounts, std::vector<TransferRecord> transfers);

  // Opens `account`. It must have an id and a currency, at most one
  // balance limit, and zero counters (money enters only by transfers, so
  // the books balance from the start): INVALID_ARGUMENT otherwise. The
  // same account again (id, kind, currency, flags) is a retry and OK;
  // ALREADY_EXISTS when the id is taken by a different one.
  absl::Status CreateAccount(const Account& account);

  // Applies `batch` at `now` (the time pending transfers' timeouts count
  // from); one outcome per transfer, in order.
  std::vector<TransferOutcome> Apply(std::span<const Transfer> batch, absl::Time now);

  // Releases every pending transfer whose timeout has passed at `now`
  // (expires_at <= now); returns their ids, earliest expiry first. A post
  // or void after that reports kPendingTransferExpired, as it does for a
  // hold past its timeout that was not released yet.
  std::vector<std::string> ExpirePending(absl::Time now);

  // The ledger's invariants (ledger_invariants.h); empty when they hold.
  std::vector<std::string> CheckInvariants() const;

  // Null when there is none.
  const Account* FindAccount(absl::string_view id) const;
  const TransferRecord* FindTransfer(absl::string_view id) const;
  // When the first of the live holds with a timeout that debit
  // `account_id` expires (a velocity limit's reset time); none when it has
  // none. Walks the expiry queue in time order.
  std::optional<absl::Time> EarliestHoldExpiry(absl::string_view account_id) const;

  const AccountTable& accounts() const { return accounts_; }
  const TransferTable& transfers() const { return transfers_; }

 private:
  // What a chain changed, so that a failure later in the chain can undo
  // it: each touched account as it was before the chain, the transfers it
  // added, the pending transfers it resolved with their earlier state.
  struct ChainUndo {
    std::vector<Account> accounts_before;
    std::vector<std::string> added_transfer_ids;
    std::vector<std::pair<std::string, PendingState>> states_before;
  };

  TransferOutcome ApplyOne(const Transfer& transfer, absl::Time now, ChainUndo& undo);
  TransferResult ApplyNew(const Transfer& transfer, absl::Time now, ChainUndo& undo);
  TransferResult ApplyPendingResolution(const Transfer& transfer, absl::Time now, ChainUndo& undo);
  // The account `id`, saved in `undo` the first time the chain touches it.
  Account& TouchAccount(const std::string& id, ChainUndo& undo);
  void Undo(ChainUndo& undo);

  AccountTable accounts_;
  TransferTable transfers_;
  // Live holds with a timeout, by (expires_at, id): ExpirePending's queue.
  std::set<std::pair<absl::Time, std::string>> expiry_queue_;
};

}  // namespace clipforge::ledger
