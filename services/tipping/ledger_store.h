// What the ledger writer (ledger_writer.h) needs from storage: PgLedgerStore
// (store.h) implements it over Postgres, the unit tests' fake in memory.
//
// The writer owns the ledger: it decides every request against the books in
// memory and hands the store one batch of rows per group commit. The store
// keeps two promises the writer's exactly-once answer rests on:
//  - Fencing. Writers take the shard's fence, which bumps its epoch;
//    CommitBatch writes only while the fence still holds the batch's epoch
//    and holds the fence row (FOR SHARE) until COMMIT, so taking the fence
//    waits for a batch in flight to finish one way or the other.
//  - In-doubt commits. When the connection dies while COMMIT is in flight,
//    CommitBatch returns UNKNOWN; the writer takes the fence again (which
//    waits out the old transaction) and asks BatchCommitted whether the
//    batch's row exists: the answer is then final.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clipforge/v1/events.pb.h"
#include "ledger/account.h"
#include "ledger/transfer_record.h"
#include "services/tipping/records.h"

namespace clipforge::tipping_service {

// The reason on CommitBatch's FAILED_PRECONDITION when another writer took
// the fence: this writer must stop.
inline constexpr absl::string_view kFencedReason = "WRITER_FENCED";

// The ledger as stored: what a writer loads at start and after a failed
// commit.
struct StoredLedger {
  // Every account with its counters as of the last committed batch.
  std::vector<ledger::Account> accounts;
  // Every transfer with its state as of the last committed batch.
  std::vector<ledger::TransferRecord> transfers;
  // The last committed batch: 0 and an empty hash before the first.
  int64_t last_batch_sequence = 0;
  std::string last_batch_hash;
  // Per account, the sequence of its last entry (statements number each
  // account's entries 1, 2, ...).
  std::vector<std::pair<std::string, int64_t>> last_entry_sequences;
};

// One group commit: everything the requests of one batch changed.
struct LedgerBatch {
  // The fence epoch the writer holds.
  int64_t epoch = 0;
  // The previous batch's sequence plus one.
  int64_t sequence = 0;
  // SHA-256 of the previous batch (empty for the first) and of this one
  // (ledger_batch_hash.h): the batches form a hash chain.
  std::string previous_hash;
  std::string hash;
  absl::Time committed_at;
  // Accounts first opened by this batch (with zero counters).
  std::vector<ledger::Account> opened_accounts;
  // Every account the batch changed, with its counters after the batch.
  std::vector<ledger::Account> changed_accounts;
  // Transfers the batch applied (new ids only), in order.
  std::vector<ledger::TransferRecord> transfers;
  // Pending transfers (of earlier batches) whose state the batch changed:
  // posted, voided or expired.
  std::vector<std::pair<std::string, ledger::PendingState>> resolved_pending;
  // The statement entries of the posted amounts the batch moved.
  std::vector<EntryRecord> entries;
  // The tips the batch made, and the events of its requests (outbox).
  std::vector<TipRecord> tips;
  // Top-ups the batch credited (inserted; one already stored is left).
  std::vector<TopUpRecord> top_ups;
  // Refunds the batch paid: added to their top-ups' refunded amounts (and
  // statuses), several of one top-up included.
  std::vector<TopUpRefund> top_up_refunds;
  std::vector<v1::EventEnvelope> events;
  // How many requests the batch answers.
  int request_count = 0;
};

class LedgerStore {
 public:
  virtual ~LedgerStore() = default;

  // Takes `shard`'s fence: bumps its epoch (creating the row at 1) and
  // returns the new epoch, after any batch committing under the old epoch
  // has finished.
  virtual absl::StatusOr<int64_t> TakeFence(absl::string_view shard) = 0;

  // Takes `shard`'s fence again after an in-doubt commit, only if this
  // writer still holds it at `held_epoch`: bumps the epoch and returns the
  // new one, after any batch committing under `held_epoch` has finished.
  // FAILED_PRECONDITION with reason kFencedReason when another writer took
  // it meanwhile (this one must stop, not take it back).
  virtual absl::StatusOr<int64_t> RetakeFence(absl::string_view shard, int64_t held_epoch) = 0;

  // Reads the whole ledger.
  virtual absl::StatusOr<StoredLedger> LoadLedger() = 0;

  // Writes `batch` in one transaction while `shard`'s fence holds
  // batch.epoch: FAILED_PRECONDITION with reason kFencedReason when it
  // does not (nothing written); UNKNOWN when the outcome of COMMIT is
  // unknown; UNAVAILABLE when the database could not be reached (nothing
  // written).
  virtual absl::Status CommitBatch(absl::string_view shard, const LedgerBatch& batch) = 0;

  // Whether the batch `sequence` with `hash` is stored: final once the
  // fence was taken again after an UNKNOWN commit.
  virtual absl::StatusOr<bool> BatchCommitted(int64_t sequence, absl::string_view hash) = 0;
};

}  // namespace clipforge::tipping_service
