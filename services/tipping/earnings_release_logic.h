// The earnings release job: moves tip credits that have waited out their
// hold (7 days, 30 for new creators: ledger/earnings_release.h) from the
// recipients' pending earnings to their tip jars, through the ledger writer.
// Run on a timer by the component; safe to run twice or on two instances
// at once, since a release's transfer id is derived from its credit's
// ("<credit>/release") and a second one is `exists`.
#pragma once

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ledger/currency.h"
#include "services/tipping/earnings_store.h"
#include "services/tipping/ledger_writer.h"

namespace clipforge::tipping_service {

struct EarningsReleaseRun {
  // Credits released by this run.
  int released = 0;
  // Credits read that were not due (the store's bounds are coarser than
  // the rule) or could not be released (a chargeback took the money first).
  int skipped = 0;
};

class EarningsReleaseLogic {
 public:
  // None is owned.
  EarningsReleaseLogic(EarningsStore& store, LedgerWriter& writer, ledger::Currency currency)
      : store_(store), writer_(writer), currency_(currency) {}

  // Releases every credit due at `now`, a page of `page_size` per ledger
  // request, at most `max_pages` pages (the next run goes on).
  absl::StatusOr<EarningsReleaseRun> ReleaseDue(absl::Time now, int page_size = 500, int max_pages = 20);

 private:
  EarningsStore& store_;
  LedgerWriter& writer_;
  const ledger::Currency currency_;
};

}  // namespace clipforge::tipping_service
