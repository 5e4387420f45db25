// The ledger batch hash: a stored format, so pinned to a digest computed
// independently from the encoding ledger_batch_hash.h documents; every
// field it covers changes it, the rows it leaves out do not, and moving
// bytes from one string to the next is not a collision.
#include "services/tipping/ledger_batch_hash.h"

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ledger/account.h"
#include "ledger/currency.h"
#include "ledger/transfer.h"
#include "ledger/transfer_record.h"
#include "services/tipping/ledger_store.h"
#include "services/tipping/records.h"

namespace clipforge::tipping_service {
namespace ledger_batch_hash_test {
namespace {

constexpr ledger::Currency kHashUsd("USD");
constexpr ledger::Currency kHashRateUnits("XRT");

absl::Time HashTestTime() { return absl::FromUnixMicros(1'780'000'000'123'456); }

// Two transfers (a tip leg, and a rate hold with a timeout), an expired
// hold of an earlier batch and one entry: every kind of row the hash
// covers.
LedgerBatch GoldenBatch() {
  LedgerBatch batch;
  batch.previous_hash = "prev";
  batch.sequence = 7;
  batch.epoch = 3;
  batch.committed_at = HashTestTime();
  batch.request_count = 2;

  ledger::TransferRecord leg;
  leg.transfer.id = "t1";
  leg.transfer.debit_account_id = "a";
  leg.transfer.credit_account_id = "b";
  leg.transfer.amount = 1'500'000;
  leg.transfer.currency = kHashUsd;
  leg.transfer.code = ledger::TransferCode::kTipFee;
  leg.transfer.flags.linked = true;
  leg.transfer.rules_version = 1;
  leg.debit_account_id = "a";
  leg.credit_account_id = "b";
  leg.currency = kHashUsd;
  leg.code = ledger::TransferCode::kTipFee;
  leg.amount = 1'500'000;
  leg.applied_at = HashTestTime();
  batch.transfers.push_back(leg);

  ledger::TransferRecord hold;
  hold.transfer.id = "h1";
  hold.transfer.debit_account_id = "r";
  hold.transfer.credit_account_id = "c";
  hold.transfer.amount = 1;
  hold.transfer.currency = kHashRateUnits;
  hold.transfer.code = ledger::TransferCode::kRateHold;
  hold.transfer.flags.linked = true;
  hold.transfer.flags.pending = true;
  hold.transfer.timeout = absl::Minutes(1);
  hold.debit_account_id = "r";
  hold.credit_account_id = "c";
  hold.currency = kHashRateUnits;
  hold.code = ledger::TransferCode::kRateHold;
  hold.amount = 1;
  hold.applied_at = HashTestTime();
  hold.expires_at = HashTestTime() + absl::Minutes(1);
  hold.state = ledger::PendingState::kPending;
  batch.transfers.push_back(hold);

  batch.resolved_pending.emplace_back("h0", ledger::PendingState::kExpired);

  EntryRecord entry;
  entry.sequence = 5;
  entry.account_id = "a";
  entry.transfer_id = "t1";
  entry.code = ledger::TransferCode::kTipFee;
  entry.amount = -1'500'000;
  entry.balance_after = 8'500'000;
  entry.counterparty_account_id = "b";
  entry.booked_at = HashTestTime();
  batch.entries.push_back(entry);
  return batch;
}

TEST(LedgerBatchHashTest, IsPinnedToTheDocumentedEncoding) {
  // Computed by a separate implementation of the header's encoding (SHA-256
  // over big-endian int64s and length-prefixed strings). If this changes,
  // stored chains no longer verify: see ledger_batch_hash.h.
  const std::string hash = LedgerBatchHash(GoldenBatch());
  EXPECT_EQ(hash.size(), 32u);
  EXPECT_EQ(absl::BytesToHexString(hash), "2dce868476635efca21e059bc64887a42d673abe8e65c9a475a05d44e3afa191");
}

TEST(LedgerBatchHashTest, EveryCoveredFieldChangesIt) {
  const std::string golden = LedgerBatchHash(GoldenBatch());
  const std::vector<std::pair<std::string, std::function<void(LedgerBatch&)>>> changes = {
      {"previous_hash", [](LedgerBatch& b) { b.previous_hash = "prew"; }},
      {"sequence", [](LedgerBatch& b) { b.sequence = 8; }},
      {"epoch", [](LedgerBatch& b) { b.epoch = 4; }},
      {"committed_at", [](LedgerBatch& b) { b.committed_at += absl::Microseconds(1); }},
      {"request_count", [](LedgerBatch& b) { b.request_count = 3; }},
      {"transfer.id", [](LedgerBatch& b) { b.transfers[0].transfer.id = "t2"; }},
      {"transfer.amount", [](LedgerBatch& b) { b.transfers[0].transfer.amount += 1; }},
      {"transfer.currency", [](LedgerBatch& b) { b.transfers[0].transfer.currency = ledger::Currency("EUR"); }},
      {"transfer.flags.linked", [](LedgerBatch& b) { b.transfers[0].transfer.flags.linked = false; }},
      {"transfer.flags.post", [](LedgerBatch& b) { b.transfers[0].transfer.flags.post_pending_transfer = true; }},
      {"transfer.flags.void", [](LedgerBatch& b) { b.transfers[0].transfer.flags.void_pending_transfer = true; }},
      {"transfer.pending_id", [](LedgerBatch& b) { b.transfers[0].transfer.pending_id = "h0"; }},
      {"transfer.timeout", [](LedgerBatch& b) { b.transfers[1].transfer.timeout += absl::Microseconds(1); }},
      {"transfer.rules_version", [](LedgerBatch& b) { b.transfers[0].transfer.rules_version = 2; }},
      {"record.debit_account_id", [](LedgerBatch& b) { b.transfers[0].debit_account_id = "x"; }},
      {"record.code", [](LedgerBatch& b) { b.transfers[0].code = ledger::TransferCode::kTipCreator; }},
      {"record.amount", [](LedgerBatch& b) { b.transfers[0].amount -= 1; }},
      {"record.applied_at", [](LedgerBatch& b) { b.transfers[0].applied_at += absl::Seconds(1); }},
      {"record.expires_at", [](LedgerBatch& b) { b.transfers[1].expires_at += absl::Seconds(1); }},
      {"record.state", [](LedgerBatch& b) { b.transfers[1].state = ledger::PendingState::kPosted; }},
      {"transfer order", [](LedgerBatch& b) { std::swap(b.transfers[0], b.transfers[1]); }},
      {"resolved id", [](LedgerBatch& b) { b.resolved_pending[0].first = "h9"; }},
      {"resolved state", [](LedgerBatch& b) { b.resolved_pending[0].second = ledger::PendingState::kVoided; }},
      {"entry.sequence", [](LedgerBatch& b) { b.entries[0].sequence = 6; }},
      {"entry.amount", [](LedgerBatch& b) { b.entries[0].amount = 1'500'000; }},
      {"entry.balance_after", [](LedgerBatch& b) { b.entries[0].balance_after += 1; }},
      {"entry.counterparty", [](LedgerBatch& b) { b.entries[0].counterparty_account_id = "c"; }},
      {"entry.booked_at", [](LedgerBatch& b) { b.entries[0].booked_at += absl::Seconds(1); }},
      {"an entry fewer", [](LedgerBatch& b) { b.entries.clear(); }},
  };
  for (const auto& [what, change] : changes) {
    LedgerBatch batch = GoldenBatch();
    change(batch);
    EXPECT_NE(LedgerBatchHash(batch), golden) << what;
  }
}

TEST(LedgerBatchHashTest, IgnoresItsOwnHashAndTheRowsItDoesNotCover) {
  const std::string golden = LedgerBatchHash(GoldenBatch());
  LedgerBatch batch = GoldenBatch();
  batch.hash = golden;
  batch.opened_accounts.push_back(ledger::OpenAccount("a", ledger::AccountKind::kUserWallet, kHashUsd));
  batch.changed_accounts.push_back(ledger::OpenAccount("b", ledger::AccountKind::kPlatformFeeRevenue, kHashUsd));
  TipRecord tip;
  tip.tip_id = "tip";
  batch.tips.push_back(tip);
  TopUpRecord top_up;
  top_up.top_up_id = "top-up";
  batch.top_ups.push_back(top_up);
  batch.events.emplace_back();
  EXPECT_EQ(LedgerBatchHash(batch), golden);
}

TEST(LedgerBatchHashTest, BytesMovedBetweenNeighbouringStringsChangeIt) {
  LedgerBatch left = GoldenBatch();
  left.transfers[0].transfer.debit_account_id = "ab";
  left.transfers[0].transfer.credit_account_id = "c";
  LedgerBatch right = GoldenBatch();
  right.transfers[0].transfer.debit_account_id = "a";
  right.transfers[0].transfer.credit_account_id = "bc";
  EXPECT_NE(LedgerBatchHash(left), LedgerBatchHash(right));

  // An emptied list still counts (its count is hashed).
  LedgerBatch no_resolved = GoldenBatch();
  no_resolved.resolved_pending.clear();
  EXPECT_NE(LedgerBatchHash(no_resolved), LedgerBatchHash(GoldenBatch()));
}

}  // namespace
}  // namespace ledger_batch_hash_test
}  // namespace clipforge::tipping_service
