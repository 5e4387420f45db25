// The baseline of bench/tipping_ledger_bench.cc, not product code: the
// ledger as most services would first write it, one Postgres transaction
// per request with row locks, over the same tables as PgTippingStore
// (migrations/0028_tipping.sql) and deciding with the same core:
//
//   BEGIN
//   SELECT the accounts it touches ... ORDER BY account_id FOR UPDATE
//     (sorted, so two requests never wait on each other in a cycle; an
//     account not stored yet is inserted first, ON CONFLICT DO NOTHING)
//   SELECT its transfer ids from tipping.transfers (a retry if all exist)
//   SELECT each account's last statement entry sequence
//   decide: ledger::LedgerBook::Restore of just those accounts, Apply
//   INSERT the transfers, the entries (one unnest statement each)
//   UPDATE each changed account's counters, one statement per account
//   INSERT the tip row and append the event to bus.outbox
//   COMMIT (fsync)
//
// Every account row it touches stays locked until its COMMIT is durable,
// so requests that share an account (a creator's jar, the platform's fee
// revenue) run one after the other, one WAL flush each.
//
// The book is restored from the locked rows alone. Its invariants want
// every counter explained by transfers, so each locked account is given
// "opening" transfer records against a scratch counterparty account
// (platform capital, unlimited) that reproduce its counters exactly; the
// balance limits, overflow checks and linked chains then apply as they do
// in the writer. Neither the scratch account nor the openings are stored.
// Only what a tip writes is written: a request's top-up rows are ignored
// (the bench funds wallets through the writer), and no batch row.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "services/kit/pg_pool.h"
#include "services/tipping/ledger_writer.h"

namespace clipforge::bench {

class NaiveLedger {
 public:
  // Every statement it runs (the outbox's included): the pool registers
  // them.
  static std::vector<kit::PreparedStatement> Statements();

  // `pool` connects as cf_tipping with Statements(), one connection per
  // concurrent caller. tipping.transfers has a foreign key to
  // tipping.batches, which this path does not write: its transfers name
  // batch `batch_sequence`, which must exist (the setup's last batch).
  NaiveLedger(kit::PgPool& pool, const base::Clock& clock, int64_t batch_sequence)
      : pool_(pool), clock_(clock), batch_sequence_(batch_sequence) {}

  // Decides and commits `request` in its own transaction; the reply as the
  // writer gives it (batch_sequence 0, no hold expiries). A request whose
  // transfers all exist is a retry: kExists for each, nothing written (the
  // fields are not compared, unlike the book). INTERNAL when only some of
  // them exist; the status of the transaction when it failed (UNKNOWN when
  // the COMMIT's outcome is unknown).
  absl::StatusOr<tipping_service::LedgerReply> Submit(const tipping_service::LedgerRequest& request);

 private:
  kit::PgPool& pool_;
  const base::Clock& clock_;
  const int64_t batch_sequence_;
};

}  // namespace clipforge::bench
