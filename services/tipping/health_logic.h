// GetLedgerHealth's rules: an admin asks whether the ledger's invariants
// hold, both in the writer's books in memory (LedgerWriter::CheckInvariants,
// ledger/ledger_invariants.h) and in the committed rows
// (TippingStore::AuditLedger: debits equal credits per currency, no balance
// limit broken, counters equal a recomputation from the transfers, each
// posted transfer's two entries, entries agree with balances, the batches'
// hash chain links, every tip's legs booked).
//
// What it costs: the writer's check walks every account and transfer in
// memory while holding the books, so group commits wait for it (linear in
// accounts and transfers, not measured); the store's audit reads every account,
// transfer, entry, tip and batch in one read-only snapshot, full scans and
// hash joins of seconds to minutes on a large ledger, each statement limited
// to 5 minutes (store.cc), on one pooled connection. One check runs at a time
// per instance: a second one asked meanwhile is ABORTED rather than queued.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "ledger/money.h"
#include "services/kit/caller.h"
#include "services/tipping/ledger_writer.h"
#include "services/tipping/store_interface.h"

namespace clipforge::tipping_service {

// LedgerHealth.problems holds at most this many lines.
inline constexpr int kMaxLedgerHealthProblems = 100;

// What GetLedgerHealth answers (clipforge.v1.LedgerHealth).
struct LedgerHealthReport {
  struct CurrencyTotal {
    std::string currency;
    // sum(credits_posted) - sum(debits_posted) over the currency's stored
    // accounts: 0 when healthy.
    ledger::Micros sum = 0;
  };

  // Every check passed: the books in memory and the stored rows.
  bool healthy = false;
  std::vector<CurrencyTotal> totals;
  // Stored accounts past their balance limit (below zero).
  int64_t negative_balance_accounts = 0;
  // Posted transfers whose entries are not one debit and one credit of the
  // amount (and entries of transfers that posted nothing).
  int64_t unbalanced_transfers = 0;
  // Stored accounts whose posted balance differs from their entries (their
  // sum, or the last one's balance_after).
  int64_t balance_mismatches = 0;
  int64_t accounts_checked = 0;
  int64_t entries_checked = 0;
  // Each failed check's count and its first rows, for humans; at most
  // kMaxLedgerHealthProblems lines.
  std::vector<std::string> problems;
  absl::Time check_time;
};

class LedgerHealthLogic {
 public:
  // None is owned.
  LedgerHealthLogic(TippingStore& store, LedgerWriter& writer, const base::Clock& clock)
      : store_(store), writer_(writer), clock_(clock) {}

  // PERMISSION_DENIED unless the caller is an admin; ABORTED while another
  // check runs on this instance; the store's error when it cannot read.
  absl::StatusOr<LedgerHealthReport> Check(const kit::Caller& caller);

 private:
  TippingStore& store_;
  LedgerWriter& writer_;
  const base::Clock& clock_;
  absl::Mutex mu_;
  bool running_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace clipforge::tipping_service
