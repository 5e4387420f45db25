// An in-memory LedgerStore for the ledger writer's unit tests. It keeps
// every committed batch and applies it to its own accounts, transfers and
// entry sequences, so LoadLedger returns the committed state (what a
// writer reloads, and what a test restores into a book to check). It keeps
// the store's promises (ledger_store.h): a commit under an epoch that no
// longer holds the fence fails FAILED_PRECONDITION with kFencedReason, and
// a batch that does not extend the chain (sequence, previous hash) or that
// names rows inconsistently fails whole, as a database constraint would.
//
// Faults are scripted per commit, in order: UNAVAILABLE (nothing written),
// UNKNOWN after writing (COMMIT went through, the answer was lost), UNKNOWN
// without writing, INTERNAL (nothing written). Another writer taking the
// fence is TakeFenceAsAnotherWriter.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "ledger/account.h"
#include "ledger/transfer_record.h"
#include "services/tipping/ledger_store.h"

namespace clipforge::tipping_service::testing {

enum class CommitFault {
  kUnavailable,
  kUnknownAfterWrite,
  kUnknownWithoutWrite,
  kInternal,
};

class FakeLedgerStore final : public LedgerStore {
 public:
  absl::StatusOr<int64_t> TakeFence(absl::string_view shard) override;
  absl::StatusOr<int64_t> RetakeFence(absl::string_view shard, int64_t held_epoch) override;
  absl::StatusOr<StoredLedger> LoadLedger() override;
  absl::Status CommitBatch(absl::string_view shard, const LedgerBatch& batch) override;
  absl::StatusOr<bool> BatchCommitted(int64_t sequence, absl::string_view hash) override;

  // The next CommitBatch fails with `fault` (faults queue up in order).
  void FailNextCommit(CommitFault fault);
  // While set, TakeFence fails UNAVAILABLE (the database is down).
  void SetTakeFenceFailing(bool failing);
  // While set, LoadLedger fails UNAVAILABLE.
  void SetLoadFailing(bool failing);
  // A second writer takes `shard`'s fence: the epoch moves on, and a
  // writer still holding the old one is fenced at its next commit.
  void TakeFenceAsAnotherWriter(absl::string_view shard = "main");

  // Every committed batch, oldest first.
  std::vector<LedgerBatch> batches() const;
  int64_t epoch(absl::string_view shard = "main") const;
  // How many times CommitBatch and TakeFence were called, faults included.
  int commit_calls() const;
  int fence_calls() const;

 private:
  // OK when `batch` may be written on top of what is stored.
  absl::Status CheckBatch(absl::string_view shard, const LedgerBatch& batch) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ApplyBatch(const LedgerBatch& batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, int64_t, std::less<>> epochs_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, ledger::Account> accounts_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, ledger::TransferRecord> transfers_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int64_t> last_entry_sequences_ ABSL_GUARDED_BY(mu_);
  std::vector<LedgerBatch> batches_ ABSL_GUARDED_BY(mu_);
  std::deque<CommitFault> faults_ ABSL_GUARDED_BY(mu_);
  bool take_fence_failing_ ABSL_GUARDED_BY(mu_) = false;
  bool load_failing_ ABSL_GUARDED_BY(mu_) = false;
  int commit_calls_ ABSL_GUARDED_BY(mu_) = 0;
  int fence_calls_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace clipforge::tipping_service::testing
