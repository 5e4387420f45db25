// The ledger's single writer: it decides every money request against the
// books in memory and commits many requests in one Postgres transaction
// (group commit), answering each only after that COMMIT.
//
// Why: a tip moves money from one wallet to a handful of accounts, and a
// viral creator's jar receives thousands of tips a second. A transaction per
// tip with row locks serializes every one of them on the jar's row (and the
// fee account's, which every tip credits). Here one thread owns the books:
// deciding a request is a few hash lookups, and a batch of a thousand tips
// costs one transaction that inserts its rows in bulk and updates each
// touched account once.
//
// Exactly-once rests on three things:
//  - Transfer ids are the clients' request ids (tip_transfers.h), and the
//    book refuses a second transfer with an id it holds, so a retry is
//    recognised (kExists) and moves nothing.
//  - Only one writer per shard: Start takes the fence (ledger_store.h),
//    bumping its epoch; a batch commits only under the epoch it was decided
//    under, so a writer that lost the fence (a second process started) can
//    never commit again. It fails its requests and stops.
//  - A failed COMMIT is resolved before anything is answered. When the
//    connection died with COMMIT in flight (UNKNOWN), the writer takes the
//    fence again, which waits until the old transaction is gone, reloads the
//    books and asks whether the batch's row exists: yes, and the requests
//    are acknowledged; no, and they fail UNAVAILABLE (a retry with the same
//    ids is safe). Any other failure reloads the books too, so the memory
//    never runs ahead of the database.
// Batches are hash-chained (ledger_batch_hash.h): each stores the hash of
// the one before, so a missing or altered batch shows.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "clipforge/v1/events.pb.h"
#include "ledger/account.h"
#include "ledger/ledger_book.h"
#include "ledger/transfer.h"
#include "ledger/transfer_result.h"
#include "services/tipping/ledger_store.h"
#include "services/tipping/records.h"

namespace clipforge::tipping_service {

// One request's changes to the ledger.
struct LedgerRequest {
  // Accounts the transfers need, opened when the book lacks them (an
  // account it holds already is left as it is).
  std::vector<ledger::Account> accounts;
  // Applied in order as one batch of the book (consecutive transfers with
  // flags.linked form an all-or-nothing chain).
  std::vector<ledger::Transfer> transfers;
  // Stored with the batch when the request's last transfer applied as new
  // (kOk): the last chain is what the request is for, while chains before
  // it may set up what already exists (a rate account's allowance, kExists
  // after the first time). Dropped otherwise: a retry finds them stored by
  // the first request.
  std::vector<TipRecord> tips;
  std::vector<TopUpRecord> top_ups;
  std::vector<TopUpRefund> top_up_refunds;
  std::vector<v1::EventEnvelope> events;
};

struct LedgerReply {
  // One per transfer of the request, in order.
  std::vector<ledger::TransferOutcome> outcomes;
  // Parallel to outcomes: for a transfer refused because its debit account
  // lacked credits (kExceedsCredits), when the first timed hold on that
  // account expires (a velocity limit's reset time), when it has one.
  std::vector<std::optional<absl::Time>> hold_expiries;
  // The batch that committed the request (0 when it changed nothing).
  int64_t batch_sequence = 0;
};

struct LedgerWriterOptions {
  // The fence's name: one writer per shard.
  std::string shard = "main";
  // At most this many requests per group commit.
  int max_batch_requests = 2048;
};

class LedgerWriter {
 public:
  LedgerWriter(LedgerStore& store, const base::Clock& clock, LedgerWriterOptions options = {});
  ~LedgerWriter();
  LedgerWriter(const LedgerWriter&) = delete;
  LedgerWriter& operator=(const LedgerWriter&) = delete;

  // Takes the fence, loads the books and starts the writing thread. An
  // error from the store when it cannot.
  absl::Status Start();
  // Fails what is queued (UNAVAILABLE) and joins the thread. Idempotent.
  void Stop();

  // Decides `request` in the next batch and returns once that batch is
  // committed: the outcomes. UNAVAILABLE when the writer is not running,
  // was fenced, or the batch did not commit (nothing of it moved).
  // INVALID_ARGUMENT for an account the book refuses.
  absl::StatusOr<LedgerReply> Submit(LedgerRequest request);

  // The ledger's invariants over the books in memory (empty when they
  // hold), as of the last committed batch.
  std::vector<std::string> CheckInvariants();
  // Whether the writer holds the fence and takes requests.
  bool running();
  // The last committed batch's sequence.
  int64_t last_batch_sequence();

 private:
  struct Pending;

  void Loop();
  // Waits for requests and moves up to max_batch_requests of them into
  // `batch`; false once the writer stops.
  bool NextBatch(std::vector<std::shared_ptr<Pending>>& batch);
  // Decides and commits `requests` as one batch; answers each.
  void WriteBatch(std::vector<std::shared_ptr<Pending>>& requests);
  // Commits `batch`, resolving an UNKNOWN outcome: OK when it is stored.
  // Sets `fenced` when another writer holds the fence.
  absl::Status Commit(const LedgerBatch& batch, bool& fenced) ABSL_EXCLUSIVE_LOCKS_REQUIRED(book_mu_);
  absl::Status ResolveInDoubt(const LedgerBatch& batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(book_mu_);
  // Takes the fence again and reloads the books where a failure left them
  // in doubt (needs_fence_, needs_reload_): OK when the books equal the
  // store.
  absl::Status Recover() ABSL_EXCLUSIVE_LOCKS_REQUIRED(book_mu_);
  absl::StatusOr<int64_t> TakeFenceWithRetry();
  // Fails `requests` and everything queued, and stops taking requests.
  void StopFenced(std::vector<std::shared_ptr<Pending>>& requests);
  absl::Status Reload() ABSL_EXCLUSIVE_LOCKS_REQUIRED(book_mu_);

  LedgerStore& store_;
  const base::Clock& clock_;
  const LedgerWriterOptions options_;

  absl::Mutex queue_mu_;
  std::deque<std::shared_ptr<Pending>> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool running_ ABSL_GUARDED_BY(queue_mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;

  // Held by the writing thread while it decides and commits a batch.
  absl::Mutex book_mu_;
  ledger::LedgerBook book_ ABSL_GUARDED_BY(book_mu_);
  int64_t epoch_ ABSL_GUARDED_BY(book_mu_) = 0;
  int64_t last_sequence_ ABSL_GUARDED_BY(book_mu_) = 0;
  std::string last_hash_ ABSL_GUARDED_BY(book_mu_);
  // Per account, the sequence of its last statement entry.
  absl::flat_hash_map<std::string, int64_t> entry_sequences_ ABSL_GUARDED_BY(book_mu_);
  // A commit's outcome stayed unknown and the fence could not be taken
  // again: take it before deciding anything.
  bool needs_fence_ ABSL_GUARDED_BY(book_mu_) = false;
  // The books may be ahead of the store (a failed commit whose reload
  // failed too): reload them before deciding anything.
  bool needs_reload_ ABSL_GUARDED_BY(book_mu_) = false;

  std::thread thread_;
};

}  // namespace clipforge::tipping_service
