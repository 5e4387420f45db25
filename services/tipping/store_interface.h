// What the tipping logic reads and the bus consumers write, beside the
// ledger writer's batches (ledger_store.h): the clip directory the tip split
// needs, and the committed rows that reads are answered from. PgTippingStore
// (store.h) implements it over Postgres, the unit tests' fake in memory.
//
// Reads see only committed batches: a balance or a statement never shows
// money that a failed commit could still take back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ledger/account.h"
#include "ledger/tip_split.h"
#include "services/tipping/records.h"

namespace clipforge::tipping_service {

// One check of TippingStore::AuditLedger: how many rows fail it, and the
// first few of them.
struct LedgerAuditCheck {
  int64_t failing = 0;
  // At most AuditLedger's max_samples, in id order, each naming the row and
  // what is wrong with it, for humans.
  std::vector<std::string> samples;
};

// What the committed rows say about the ledger's invariants, all read in one
// snapshot (GetLedgerHealth).
struct LedgerAudit {
  struct CurrencyTotal {
    std::string currency;
    // Over the currency's accounts, sum(credits_posted) - sum(debits_posted),
    // and the same for the pending counters: 0 when debits equal credits
    // (clamped into int64).
    ledger::Micros posted = 0;
    ledger::Micros pending = 0;
  };
  // By currency code (the velocity limits' rate units included).
  std::vector<CurrencyTotal> totals;
  // Rows read.
  int64_t accounts = 0;
  int64_t transfers = 0;
  int64_t entries = 0;
  int64_t batches = 0;
  int64_t tips = 0;
  // Accounts with a balance limit that is broken (below zero: debits, posted
  // and pending, above credits_posted, or the reverse for a debit-normal
  // account).
  LedgerAuditCheck limit_breaches;
  // Accounts whose four counters differ from a recomputation from
  // tipping.transfers (posted: single-phase transfers and posts; pending:
  // holds still pending), and accounts that transfers name but that are not
  // stored.
  LedgerAuditCheck counter_mismatches;
  // Posted transfers whose entries are not exactly one debit of the amount
  // moved on the debit account and one credit of it on the credit account,
  // and entries of a transfer that posted nothing.
  LedgerAuditCheck unbalanced_transfers;
  // Accounts whose posted balance differs from the sum of their entries or
  // from their last entry's balance_after, or whose entries are not numbered
  // 1..n.
  LedgerAuditCheck balance_mismatches;
  // Batches whose previous_hash is not the previous batch's hash, or whose
  // predecessor is missing (the first batch: sequence 1, empty
  // previous_hash). The hashes themselves are not recomputed.
  LedgerAuditCheck chain_breaks;
  // Tips whose legs do not sum to the tip, or one of whose legs has no
  // transfer (`<tip id>/<leg index>`, ledger/tip_transfers.h) posting the
  // leg's amount from the sender's wallet to the leg's account.
  LedgerAuditCheck incomplete_tips;
};

class TippingStore {
 public:
  virtual ~TippingStore() = default;

  // --- The clip directory, kept from the clips and users services' events.
  // Every write is idempotent and safe out of order: a clip seen removed
  // stays removed, a user seen gone stays gone.
  // Inserts the clip; for one known already (a redelivered event, or a
  // clip whose removal or visibility change overtook its publish event),
  // fills in its author and parent and leaves the rest as it is.
  virtual absl::Status PutClip(const ClipRecord& clip) = 0;
  // Marks the clip removed (recording it when unknown, so that a late
  // publish event cannot bring it back).
  virtual absl::Status RemoveClip(absl::string_view clip_id) = 0;
  // Recorded for an unknown clip too (its publish event may come later).
  virtual absl::Status SetClipTippable(absl::string_view clip_id, bool tippable) = 0;
  // The account was deleted or banned: it earns no royalties.
  virtual absl::Status MarkUserGone(absl::string_view user_id) = 0;

  virtual absl::StatusOr<std::optional<ClipRecord>> GetClip(absl::string_view clip_id) = 0;
  // The clip's ancestors, parent first, at most `max_depth`: each with its
  // author and whether it may earn (the clip not removed, its author not
  // gone). Stops at an ancestor the directory does not know.
  virtual absl::StatusOr<std::vector<ledger::TipAncestor>> Lineage(absl::string_view clip_id, int max_depth) = 0;
  virtual absl::StatusOr<bool> UserGone(absl::string_view user_id) = 0;

  // --- Committed ledger rows.
  virtual absl::StatusOr<std::optional<TipRecord>> GetTip(absl::string_view tip_id) = 0;
  virtual absl::StatusOr<std::optional<TopUpRecord>> GetTopUp(absl::string_view top_up_id) = 0;
  // When the user's first top-up that succeeded was made; none without one
  // (how new a wallet is, for the new-wallet velocity limit).
  virtual absl::StatusOr<std::optional<absl::Time>> FirstTopUpTime(absl::string_view user_id) = 0;
  // The amount of the stored transfer `transfer_id` as submitted; none when
  // it is not stored (a retried request finds what its first try booked).
  virtual absl::StatusOr<std::optional<ledger::Micros>> StoredTransferAmount(absl::string_view transfer_id) = 0;
  // Stores a top-up whose money does not move through the writer: pending
  // (written before the provider is asked, so that no charge is ever left
  // unrecorded) or failed. A stored pending one becomes what is recorded
  // now; any other stored one is left as it is.
  virtual absl::Status RecordTopUp(const TopUpRecord& top_up) = 0;
  // Those of `ids` that exist, with their counters as committed.
  virtual absl::StatusOr<std::vector<ledger::Account>> GetAccounts(const std::vector<std::string>& ids) = 0;
  // The account's posted balance after its last entry booked at or before
  // `as_of`; 0 when it has none.
  virtual absl::StatusOr<ledger::Micros> BalanceAsOf(absl::string_view account_id, absl::Time as_of) = 0;
  // The account's entries booked in [start, end) with sequence >
  // after_sequence, oldest first, at most `limit`.
  virtual absl::StatusOr<std::vector<EntryRecord>> ListEntries(absl::string_view account_id, absl::Time start,
                                                               absl::Time end, int64_t after_sequence,
                                                               int limit) = 0;

  // --- Auditing (GetLedgerHealth): every check of LedgerAudit over the
  // committed rows, at most `max_samples` samples per check. Reads every
  // account, transfer, entry, tip and batch: seconds to minutes on a large
  // ledger, never on a request's path.
  virtual absl::StatusOr<LedgerAudit> AuditLedger(int max_samples) = 0;
};

}  // namespace clipforge::tipping_service
