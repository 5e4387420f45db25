// PgTippingStore against a real Postgres migrated to the latest schema,
// connected as the service's role (cf_tipping). Checked: a committed batch
// loads back exactly (accounts, transfer records with a pending expiry, the
// last batch's hash, the entry sequences); the fence (a stale epoch is
// refused with WRITER_FENCED and writes nothing, taking the fence bumps the
// epoch and waits for a transaction holding the row FOR SHARE); the
// database's own refusal of an overdrawn wallet; resolved pending state;
// balances as of a time and paged statements; tips and top-ups; the clip
// directory (sticky removals, lineage eligibility, an unknown ancestor).
#include "services/tipping/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/error_reason.h"
#include "base/testing/status_matchers.h"
#include "ledger/account.h"
#include "ledger/transfer.h"
#include "ledger/transfer_record.h"
#include "services/kit/migrator.h"
#include "services/kit/pg_pool.h"
#include "tests/support/test_servers.h"

namespace clipforge::tipping_service {
namespace {

using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::IsOkAndHolds;
using ::clipforge::base::testing::StatusIs;
using ::clipforge::testing::TestPostgres;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

constexpr int64_t kUnit = 1'000'000;
constexpr ledger::Currency kUsd("USD");
// Odd microseconds: a round trip that rounds or drops them shows.
const absl::Time kT0 = absl::FromUnixMicros(1'700'000'000'123'457);

constexpr char kWallet[] = "user_wallet:0190a000-0000-7000-8000-000000000001:USD";
// Quotes, a backslash, braces and commas: every array literal must carry it
// through unchanged.
constexpr char kClearing[] = "provider_clearing \"sandbox\" \\ {a,b}";
constexpr char kJar[] = "user_earnings_available:0190a000-0000-7000-8000-000000000002:USD";
constexpr char kHoldId[] = "0190a000-0000-7000-8000-0000000000a1/hold";
constexpr char kTopUpTransferId[] = "0190a000-0000-7000-8000-0000000000a2";

// An OK StatusOr<std::optional<...>> without a value (ClipRecord has no
// operator== to compare with std::nullopt through).
MATCHER(HoldsNothing, "is OK and holds no value") { return arg.ok() && !arg->has_value(); }

// A canonical UUID numbered n.
std::string Uuid(int n) { return absl::StrFormat("0190a000-0000-7000-8000-%012d", n); }

// 32 bytes with a zero byte in them, as a raw SHA-256 digest may have.
std::string Hash(char seed) {
  std::string hash(32, seed);
  hash[0] = '\0';
  return hash;
}

ledger::Account Account(const std::string& id, ledger::AccountKind kind, ledger::AccountFlags flags) {
  ledger::Account account = ledger::OpenAccount(id, kind, kUsd);
  account.flags = flags;
  return account;
}

constexpr ledger::AccountFlags kCreditNormalLimit{.debits_must_not_exceed_credits = true, .history = true};

v1::EventEnvelope Event(const std::string& event_id) {
  v1::EventEnvelope event;
  event.set_event_id(event_id);
  event.set_type("clipforge.tip.sent");
  event.set_aggregate_id("tip");
  return event;
}

// The first batch: the wallet topped up with 10 units from the provider's
// clearing account, then 2 of them held towards the jar for a minute.
LedgerBatch FirstBatch(int64_t epoch) {
  LedgerBatch batch{.epoch = epoch, .sequence = 1, .previous_hash = "", .hash = Hash('1'), .committed_at = kT0};
  batch.opened_accounts = {Account(kWallet, ledger::AccountKind::kUserWallet, kCreditNormalLimit),
                           Account(kClearing, ledger::AccountKind::kProviderClearing, {}),
                           Account(kJar, ledger::AccountKind::kUserEarningsAvailable, kCreditNormalLimit)};
  batch.changed_accounts = batch.opened_accounts;
  batch.changed_accounts[0].credits_posted = 10 * kUnit;
  batch.changed_accounts[0].debits_pending = 2 * kUnit;
  batch.changed_accounts[1].debits_posted = 10 * kUnit;
  batch.changed_accounts[2].credits_pending = 2 * kUnit;

  ledger::TransferRecord top_up;
  top_up.transfer = {.id = kTopUpTransferId,
                     .debit_account_id = kClearing,
                     .credit_account_id = kWallet,
                     .amount = 10 * kUnit,
                     .currency = kUsd,
                     .code = ledger::TransferCode::kTopUp};
  top_up.debit_account_id = kClearing;
  top_up.credit_account_id = kWallet;
  top_up.currency = kUsd;
  top_up.code = ledger::TransferCode::kTopUp;
  top_up.amount = 10 * kUnit;
  top_up.applied_at = kT0;

  ledger::TransferRecord hold;
  hold.transfer = {.id = kHoldId,
                   .debit_account_id = kWallet,
                   .credit_account_id = kJar,
                   .amount = 2 * kUnit,
                   .currency = kUsd,
                   .code = ledger::TransferCode::kTipCreator,
                   .flags = {.linked = true, .pending = true},
                   .timeout = absl::Seconds(60),
                   .rules_version = 1};
  hold.debit_account_id = kWallet;
  hold.credit_account_id = kJar;
  hold.currency = kUsd;
  hold.code = ledger::TransferCode::kTipCreator;
  hold.amount = 2 * kUnit;
  hold.applied_at = kT0 + absl::Microseconds(1);
  hold.expires_at = hold.applied_at + absl::Seconds(60);
  hold.state = ledger::PendingState::kPending;
  batch.transfers = {top_up, hold};

  batch.entries = {
      {.sequence = 1, .account_id = kWallet, .transfer_id = kTopUpTransferId, .code = ledger::TransferCode::kTopUp,
       .amount = 10 * kUnit, .balance_after = 10 * kUnit, .counterparty_account_id = kClearing, .booked_at = kT0},
      {.sequence = 1, .account_id = kClearing, .transfer_id = kTopUpTransferId, .code = ledger::TransferCode::kTopUp,
       .amount = -10 * kUnit, .balance_after = -10 * kUnit, .counterparty_account_id = kWallet, .booked_at = kT0},
  };
  batch.events = {Event(Uuid(900))};
  batch.request_count = 2;
  return batch;
}

// The second batch: the hold posted in full by a post that leaves the
// accounts, currency and code to the pending transfer.
LedgerBatch SecondBatch(int64_t epoch) {
  LedgerBatch batch{.epoch = epoch, .sequence = 2, .previous_hash = Hash('1'), .hash = Hash('2'),
                    .committed_at = kT0 + absl::Seconds(1)};
  const LedgerBatch first = FirstBatch(epoch);
  ledger::Account wallet = first.changed_accounts[0];
  wallet.debits_pending = 0;
  wallet.debits_posted = 2 * kUnit;
  ledger::Account jar = first.changed_accounts[2];
  jar.credits_pending = 0;
  jar.credits_posted = 2 * kUnit;
  batch.changed_accounts = {wallet, jar};

  ledger::TransferRecord post;
  post.transfer = {.id = "post-of-hold", .flags = {.post_pending_transfer = true}, .pending_id = kHoldId};
  post.debit_account_id = kWallet;
  post.credit_account_id = kJar;
  post.currency = kUsd;
  post.code = ledger::TransferCode::kTipCreator;
  post.amount = 2 * kUnit;
  post.applied_at = kT0 + absl::Seconds(1);
  batch.transfers = {post};
  batch.resolved_pending = {{kHoldId, ledger::PendingState::kPosted}};
  batch.entries = {
      {.sequence = 2, .account_id = kWallet, .transfer_id = "post-of-hold", .code = ledger::TransferCode::kTipCreator,
       .amount = -2 * kUnit, .balance_after = 8 * kUnit, .counterparty_account_id = kJar,
       .booked_at = kT0 + absl::Seconds(1)},
      {.sequence = 1, .account_id = kJar, .transfer_id = "post-of-hold", .code = ledger::TransferCode::kTipCreator,
       .amount = 2 * kUnit, .balance_after = 2 * kUnit, .counterparty_account_id = kWallet,
       .booked_at = kT0 + absl::Seconds(1)},
  };
  batch.request_count = 1;
  return batch;
}

std::vector<ledger::Account> SortedById(std::vector<ledger::Account> accounts) {
  std::sort(accounts.begin(), accounts.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return accounts;
}

const ledger::TransferRecord* Find(const std::vector<ledger::TransferRecord>& records, const std::string& id) {
  for (const ledger::TransferRecord& r : records) {
    if (r.transfer.id == id) return &r;
  }
  return nullptr;
}

// TransferRecord has no operator==: every field is compared, the submitted
// transfer the way the book compares a retry.
void ExpectSameRecord(const ledger::TransferRecord* got, const ledger::TransferRecord& want) {
  ASSERT_NE(got, nullptr) << want.transfer.id << " was not loaded";
  EXPECT_TRUE(got->transfer == want.transfer)
      << want.transfer.id << " differs in "
      << absl::StrJoin(ledger::DifferingTransferFields(got->transfer, want.transfer), ", ");
  EXPECT_EQ(got->debit_account_id, want.debit_account_id);
  EXPECT_EQ(got->credit_account_id, want.credit_account_id);
  EXPECT_EQ(got->currency.code(), want.currency.code());
  EXPECT_EQ(got->code, want.code);
  EXPECT_EQ(got->amount, want.amount);
  EXPECT_EQ(got->applied_at, want.applied_at);
  EXPECT_EQ(got->expires_at, want.expires_at);
  EXPECT_EQ(got->state, want.state);
}

class TippingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto migrations = kit::LoadMigrations(CF_MIGRATIONS_DIR);
    ASSERT_TRUE(migrations.ok()) << migrations.status();
    const auto applied = kit::ApplyMigrations(pg_->dsn(), *migrations);
    ASSERT_TRUE(applied.ok()) << applied.status();
  }

  // A superuser's answer to one query.
  int64_t Scalar(const std::string& sql) {
    pqxx::connection conn(pg_->dsn());
    pqxx::nontransaction txn(conn);
    return txn.exec1(sql)[0].as<int64_t>();
  }

  // The fence taken once: the epoch that batches commit under.
  int64_t Fence() {
    const absl::StatusOr<int64_t> epoch = store_.TakeFence("main");
    EXPECT_TRUE(epoch.ok()) << epoch.status();
    return epoch.value_or(0);
  }

  std::unique_ptr<TestPostgres> pg_ = TestPostgres::Start();
  // Connections open lazily, after SetUp has migrated.
  kit::PgPool pool_{{.dsn = pg_->dsn(),
                     .size = 4,
                     .role = "cf_tipping",
                     .statement_timeout = absl::Seconds(30),
                     .statements = PgTippingStore::Statements()}};
  PgTippingStore store_{pool_};
};

// --- The ledger ---

TEST_F(TippingStoreTest, ACommittedBatchLoadsBackEqual) {
  const LedgerBatch batch = FirstBatch(Fence());
  ASSERT_THAT(store_.CommitBatch("main", batch), IsOk());

  const absl::StatusOr<StoredLedger> loaded = store_.LoadLedger();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(SortedById(loaded->accounts), SortedById(batch.changed_accounts));
  ASSERT_EQ(loaded->transfers.size(), 2u);
  ExpectSameRecord(Find(loaded->transfers, kTopUpTransferId), batch.transfers[0]);
  ExpectSameRecord(Find(loaded->transfers, kHoldId), batch.transfers[1]);
  EXPECT_EQ(Find(loaded->transfers, kTopUpTransferId)->expires_at, absl::InfiniteFuture());
  EXPECT_EQ(loaded->last_batch_sequence, 1);
  EXPECT_EQ(loaded->last_batch_hash, Hash('1'));
  std::vector<std::pair<std::string, int64_t>> sequences = loaded->last_entry_sequences;
  std::sort(sequences.begin(), sequences.end());
  EXPECT_THAT(sequences, ElementsAre(Pair(kClearing, 1), Pair(kWallet, 1)));
  // The batch's event went out with it.
  EXPECT_EQ(Scalar("SELECT count(*) FROM bus.outbox WHERE subject = 'clipforge.tip.sent'"), 1);
}

TEST_F(TippingStoreTest, AnEmptyLedgerLoadsEmpty) {
  const absl::StatusOr<StoredLedger> loaded = store_.LoadLedger();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_THAT(loaded->accounts, IsEmpty());
  EXPECT_THAT(loaded->transfers, IsEmpty());
  EXPECT_EQ(loaded->last_batch_sequence, 0);
  EXPECT_EQ(loaded->last_batch_hash, "");
  EXPECT_THAT(loaded->last_entry_sequences, IsEmpty());
}

TEST_F(TippingStoreTest, AResolvedPendingTransferKeepsItsNewState) {
  const int64_t epoch = Fence();
  ASSERT_THAT(store_.CommitBatch("main", FirstBatch(epoch)), IsOk());
  const LedgerBatch second = SecondBatch(epoch);
  ASSERT_THAT(store_.CommitBatch("main", second), IsOk());

  const absl::StatusOr<StoredLedger> loaded = store_.LoadLedger();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ledger::TransferRecord hold = FirstBatch(epoch).transfers[1];
  hold.state = ledger::PendingState::kPosted;
  ExpectSameRecord(Find(loaded->transfers, kHoldId), hold);
  // The post's own fields stay as submitted (empty), what it moved is kept.
  ExpectSameRecord(Find(loaded->transfers, "post-of-hold"), second.transfers[0]);
  EXPECT_EQ(loaded->last_batch_sequence, 2);
  EXPECT_EQ(loaded->last_batch_hash, Hash('2'));
  const auto accounts = store_.GetAccounts({kWallet, kJar});
  ASSERT_TRUE(accounts.ok()) << accounts.status();
  EXPECT_EQ(*accounts, second.changed_accounts);
  std::vector<std::pair<std::string, int64_t>> sequences = loaded->last_entry_sequences;
  std::sort(sequences.begin(), sequences.end());
  EXPECT_THAT(sequences, ElementsAre(Pair(kClearing, 1), Pair(kJar, 1), Pair(kWallet, 2)));
}

TEST_F(TippingStoreTest, ABatchUnderAStaleEpochIsFencedAndWritesNothing) {
  const int64_t stale = Fence();
  ASSERT_EQ(Fence(), stale + 1);

  const absl::Status fenced = store_.CommitBatch("main", FirstBatch(stale));
  EXPECT_THAT(fenced, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr(kFencedReason)));
  EXPECT_EQ(base::ReasonOf(fenced), std::string(kFencedReason));

  EXPECT_THAT(store_.BatchCommitted(1, Hash('1')), IsOkAndHolds(false));
  const absl::StatusOr<StoredLedger> loaded = store_.LoadLedger();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_THAT(loaded->accounts, IsEmpty());
  EXPECT_THAT(loaded->transfers, IsEmpty());
  EXPECT_EQ(loaded->last_batch_sequence, 0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM tipping.entries"), 0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM bus.outbox"), 0);

  // A shard whose fence nobody took fences everyone; the current epoch
  // commits.
  EXPECT_EQ(base::ReasonOf(store_.CommitBatch("other", FirstBatch(stale + 1))), std::string(kFencedReason));
  EXPECT_THAT(store_.CommitBatch("main", FirstBatch(stale + 1)), IsOk());
}

TEST_F(TippingStoreTest, TakingTheFenceBumpsTheEpochPerShard) {
  EXPECT_THAT(store_.TakeFence("main"), IsOkAndHolds(1));
  EXPECT_THAT(store_.TakeFence("main"), IsOkAndHolds(2));
  EXPECT_THAT(store_.TakeFence("main"), IsOkAndHolds(3));
  EXPECT_THAT(store_.TakeFence("eu"), IsOkAndHolds(1));
}

// Polls until `done` holds, for up to 20 seconds.
template <typename Fn>
bool Eventually(Fn done) {
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

TEST_F(TippingStoreTest, TakingTheFenceWaitsForATransactionHoldingItForShare) {
  ASSERT_THAT(store_.TakeFence("main"), IsOkAndHolds(1));

  // What a committing batch does first: hold the fence row FOR SHARE.
  pqxx::connection holder(pg_->dsn());
  pqxx::work holding(holder);
  const int holder_pid = holding.exec1("SELECT pg_backend_pid()")[0].as<int>();
  holding.exec("SELECT epoch FROM tipping.writer_fence WHERE shard = 'main' FOR SHARE");

  absl::StatusOr<int64_t> taken;
  absl::Notification returned;
  std::thread taker([&] {
    taken = store_.TakeFence("main");
    returned.Notify();
  });
  // The taker's statement shows up waiting on the holder's lock.
  const std::string blocked_by_holder =
      absl::StrFormat("SELECT count(*) FROM pg_stat_activity WHERE %d = ANY(pg_blocking_pids(pid))", holder_pid);
  EXPECT_TRUE(Eventually([&] { return Scalar(blocked_by_holder) > 0; }));
  EXPECT_FALSE(returned.HasBeenNotified());

  holding.commit();
  EXPECT_TRUE(returned.WaitForNotificationWithTimeout(absl::Seconds(20)));
  taker.join();
  EXPECT_THAT(taken, IsOkAndHolds(2));
}

TEST_F(TippingStoreTest, BatchCommittedAnswersForTheStoredHashOnly) {
  ASSERT_THAT(store_.CommitBatch("main", FirstBatch(Fence())), IsOk());
  EXPECT_THAT(store_.BatchCommitted(1, Hash('1')), IsOkAndHolds(true));
  EXPECT_THAT(store_.BatchCommitted(1, Hash('2')), IsOkAndHolds(false));
  EXPECT_THAT(store_.BatchCommitted(2, Hash('1')), IsOkAndHolds(false));
}

TEST_F(TippingStoreTest, TheDatabaseRefusesToOverdrawAFlaggedWallet) {
  const int64_t epoch = Fence();
  ASSERT_THAT(store_.CommitBatch("main", FirstBatch(epoch)), IsOk());

  // 11 units out of a wallet that received 10: the CHECK refuses it, and
  // nothing of the batch stays.
  LedgerBatch overdraw = SecondBatch(epoch);
  overdraw.changed_accounts[0].debits_posted = 11 * kUnit;
  overdraw.changed_accounts[1].credits_posted = 11 * kUnit;
  const absl::Status refused = store_.CommitBatch("main", overdraw);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_FALSE(base::ReasonOf(refused).has_value());

  // A hold counts against the limit too.
  LedgerBatch overheld = SecondBatch(epoch);
  overheld.changed_accounts[0].debits_pending = 9 * kUnit;
  EXPECT_THAT(store_.CommitBatch("main", overheld), StatusIs(absl::StatusCode::kFailedPrecondition));

  EXPECT_THAT(store_.BatchCommitted(2, Hash('2')), IsOkAndHolds(false));
  const auto wallet = store_.GetAccounts({kWallet});
  ASSERT_TRUE(wallet.ok()) << wallet.status();
  EXPECT_THAT(*wallet, ElementsAre(FirstBatch(epoch).changed_accounts[0]));
  EXPECT_EQ(Scalar("SELECT count(*) FROM tipping.transfers"), 2);
}

TEST_F(TippingStoreTest, ABatchChangingAnAccountThatIsNotStoredIsRefused) {
  const int64_t epoch = Fence();
  LedgerBatch batch = FirstBatch(epoch);
  batch.opened_accounts.pop_back();  // The jar is changed but never opened.
  EXPECT_THAT(store_.CommitBatch("main", batch), StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(store_.BatchCommitted(1, Hash('1')), IsOkAndHolds(false));
}

TEST_F(TippingStoreTest, GetAccountsReturnsThoseThatExistInTheOrderAsked) {
  const LedgerBatch batch = FirstBatch(Fence());
  ASSERT_THAT(store_.CommitBatch("main", batch), IsOk());
  const auto accounts = store_.GetAccounts({kJar, "no such account", kClearing});
  ASSERT_TRUE(accounts.ok()) << accounts.status();
  EXPECT_THAT(*accounts, ElementsAre(batch.changed_accounts[2], batch.changed_accounts[1]));
  EXPECT_THAT(store_.GetAccounts({}), IsOkAndHolds(IsEmpty()));
}

// --- Statements ---

TEST_F(TippingStoreTest, EntriesAnswerBalancesAsOfATimeAndPagedStatements) {
  const int64_t epoch = Fence();
  ASSERT_THAT(store_.CommitBatch("main", FirstBatch(epoch)), IsOk());
  ASSERT_THAT(store_.CommitBatch("main", SecondBatch(epoch)), IsOk());
  LedgerBatch third{.epoch = epoch, .sequence = 3, .previous_hash = Hash('2'), .hash = Hash('3'),
                    .committed_at = kT0 + absl::Seconds(2)};
  third.entries = {{.sequence = 3,
                    .account_id = kWallet,
                    .transfer_id = "adjust",
                    .code = ledger::TransferCode::kAdjustment,
                    .amount = -3 * kUnit,
                    .balance_after = 5 * kUnit,
                    .counterparty_account_id = kClearing,
                    .booked_at = kT0 + absl::Seconds(2)}};
  ASSERT_THAT(store_.CommitBatch("main", third), IsOk());
  const EntryRecord first = FirstBatch(epoch).entries[0];
  const EntryRecord second = SecondBatch(epoch).entries[0];
  const EntryRecord last = third.entries[0];

  EXPECT_THAT(store_.BalanceAsOf(kWallet, kT0 - absl::Microseconds(1)), IsOkAndHolds(0));
  EXPECT_THAT(store_.BalanceAsOf(kWallet, kT0), IsOkAndHolds(10 * kUnit));  // At the booking time.
  EXPECT_THAT(store_.BalanceAsOf(kWallet, kT0 + absl::Milliseconds(1500)), IsOkAndHolds(8 * kUnit));
  EXPECT_THAT(store_.BalanceAsOf(kWallet, absl::InfiniteFuture()), IsOkAndHolds(5 * kUnit));
  EXPECT_THAT(store_.BalanceAsOf("no such account", absl::InfiniteFuture()), IsOkAndHolds(0));

  const absl::Time ever = absl::InfinitePast(), never = absl::InfiniteFuture();
  EXPECT_THAT(store_.ListEntries(kWallet, ever, never, 0, 2), IsOkAndHolds(ElementsAre(first, second)));
  EXPECT_THAT(store_.ListEntries(kWallet, ever, never, 2, 2), IsOkAndHolds(ElementsAre(last)));
  EXPECT_THAT(store_.ListEntries(kWallet, ever, never, 3, 2), IsOkAndHolds(IsEmpty()));
  // [start, end): the end's own entry is out, the start's in.
  EXPECT_THAT(store_.ListEntries(kWallet, kT0 + absl::Seconds(1), kT0 + absl::Seconds(2), 0, 10),
              IsOkAndHolds(ElementsAre(second)));
  EXPECT_THAT(store_.ListEntries(kWallet, ever, never, 0, 0), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(store_.ListEntries(kClearing, ever, never, 0, 10),
              IsOkAndHolds(ElementsAre(FirstBatch(epoch).entries[1])));
}

// --- Tips and top-ups ---

TipRecord ATip() {
  return TipRecord{
      .tip_id = Uuid(1),
      .sender_id = Uuid(2),
      .clip_id = Uuid(3),
      .amount = 10 * kUnit,
      .currency = kUsd,
      .message = "thanks \"for\" the {remix}, \\o/ NULL",
      .rules_version = 1,
      .legs = {{.leg = {.kind = ledger::TipLegKind::kPlatformFee, .amount = kUnit / 2},
                .account_id = "platform_fee_revenue:USD"},
               {.leg = {.kind = ledger::TipLegKind::kRoyalty, .user_id = Uuid(4), .clip_id = Uuid(5), .depth = 1,
                        .amount = 475'000},
                .account_id = kJar},
               {.leg = {.kind = ledger::TipLegKind::kCreatorShare, .user_id = Uuid(6), .clip_id = Uuid(3),
                        .amount = 9'025'000},
                .account_id = kClearing}},
      .created_at = kT0,
  };
}

TopUpRecord ATopUp(int n, TopUpStatus status) {
  return TopUpRecord{.top_up_id = Uuid(n),
                     .user_id = Uuid(2),
                     .amount = 10 * kUnit,
                     .currency = kUsd,
                     .status = status,
                     .provider = "sandbox",
                     .provider_reference = "pi_123",
                     .created_at = kT0,
                     .updated_at = kT0 + absl::Microseconds(7)};
}

TEST_F(TippingStoreTest, TipsAndTopUpsReadBackEqual) {
  const int64_t epoch = Fence();
  LedgerBatch batch = FirstBatch(epoch);
  TipRecord legless = ATip();
  legless.tip_id = Uuid(10);
  legless.message = "";
  legless.legs.clear();
  batch.tips = {ATip(), legless};
  batch.top_ups = {ATopUp(20, TopUpStatus::kSucceeded)};
  ASSERT_THAT(store_.CommitBatch("main", batch), IsOk());

  EXPECT_THAT(store_.GetTip(Uuid(1)), IsOkAndHolds(std::optional<TipRecord>(ATip())));
  EXPECT_THAT(store_.GetTip(Uuid(10)), IsOkAndHolds(std::optional<TipRecord>(legless)));
  EXPECT_THAT(store_.GetTip(Uuid(11)), HoldsNothing());
  EXPECT_THAT(store_.GetTip("not a uuid"), HoldsNothing());
  EXPECT_THAT(store_.GetTopUp(Uuid(20)), IsOkAndHolds(std::optional<TopUpRecord>(ATopUp(20, TopUpStatus::kSucceeded))));
  EXPECT_THAT(store_.GetTopUp("'; DROP TABLE x"), HoldsNothing());

  // A tip or top-up stored already is left as it is.
  LedgerBatch again = SecondBatch(epoch);
  TipRecord changed = ATip();
  changed.message = "other";
  again.tips = {changed};
  again.top_ups = {ATopUp(20, TopUpStatus::kRefunded)};
  ASSERT_THAT(store_.CommitBatch("main", again), IsOk());
  EXPECT_THAT(store_.GetTip(Uuid(1)), IsOkAndHolds(std::optional<TipRecord>(ATip())));
  EXPECT_THAT(store_.GetTopUp(Uuid(20)), IsOkAndHolds(std::optional<TopUpRecord>(ATopUp(20, TopUpStatus::kSucceeded))));
}

TEST_F(TippingStoreTest, AFailedTopUpIsStoredOnce) {
  TopUpRecord failed = ATopUp(30, TopUpStatus::kFailed);
  failed.failure_reason = "card_declined";
  failed.provider_reference = "";
  ASSERT_THAT(store_.RecordTopUp(failed), IsOk());
  TopUpRecord other = failed;
  other.failure_reason = "expired_card";
  ASSERT_THAT(store_.RecordTopUp(other), IsOk());
  EXPECT_THAT(store_.GetTopUp(Uuid(30)), IsOkAndHolds(std::optional<TopUpRecord>(failed)));

  TopUpRecord bad = failed;
  bad.top_up_id = "not a uuid";
  EXPECT_THAT(store_.RecordTopUp(bad), StatusIs(absl::StatusCode::kInvalidArgument));

  // A pending row becomes what is recorded next, once.
  TopUpRecord pending = ATopUp(31, TopUpStatus::kPending);
  pending.provider_reference = "";
  ASSERT_THAT(store_.RecordTopUp(pending), IsOk());
  EXPECT_EQ((*store_.GetTopUp(Uuid(31)))->status, TopUpStatus::kPending);
  TopUpRecord declined = ATopUp(31, TopUpStatus::kFailed);
  declined.failure_reason = "card_declined";
  ASSERT_THAT(store_.RecordTopUp(declined), IsOk());
  ASSERT_THAT(store_.RecordTopUp(pending), IsOk());
  EXPECT_EQ((*store_.GetTopUp(Uuid(31)))->status, TopUpStatus::kFailed);
  EXPECT_EQ((*store_.GetTopUp(Uuid(31)))->failure_reason, "card_declined");

  // Two calls with one id raced, one declined and one credited: the batch
  // that credits the wallet makes the row say so (it holds the money).
  LedgerBatch batch = FirstBatch(Fence());
  batch.top_ups = {ATopUp(30, TopUpStatus::kSucceeded)};
  ASSERT_THAT(store_.CommitBatch("main", batch), IsOk());
  const auto stored = store_.GetTopUp(Uuid(30));
  ASSERT_TRUE(stored.ok() && stored->has_value()) << stored.status();
  EXPECT_EQ((*stored)->status, TopUpStatus::kSucceeded);
  EXPECT_EQ((*stored)->failure_reason, "");
}

// --- The clip directory ---

TEST_F(TippingStoreTest, ARemovalBeforeThePublishStaysRemoved) {
  ASSERT_THAT(store_.RemoveClip(Uuid(1)), IsOk());
  auto clip = store_.GetClip(Uuid(1));
  ASSERT_TRUE(clip.ok() && clip->has_value()) << clip.status();
  EXPECT_TRUE((*clip)->removed);
  EXPECT_EQ((*clip)->author_id, "");

  // The late publish fills in the author and parent, and cannot undo the
  // removal; neither can a repeat of it.
  for (int publish = 0; publish < 2; ++publish) {
    ASSERT_THAT(store_.PutClip({.clip_id = Uuid(1), .author_id = Uuid(2), .parent_clip_id = Uuid(3)}), IsOk());
    clip = store_.GetClip(Uuid(1));
    ASSERT_TRUE(clip.ok() && clip->has_value()) << clip.status();
    EXPECT_TRUE((*clip)->removed);
    EXPECT_EQ((*clip)->author_id, Uuid(2));
    EXPECT_EQ((*clip)->parent_clip_id, Uuid(3));
  }

  ASSERT_THAT(store_.PutClip({.clip_id = Uuid(4), .author_id = Uuid(2)}), IsOk());
  ASSERT_THAT(store_.SetClipTippable(Uuid(4), false), IsOk());
  clip = store_.GetClip(Uuid(4));
  ASSERT_TRUE(clip.ok() && clip->has_value()) << clip.status();
  EXPECT_FALSE((*clip)->tippable);
  EXPECT_FALSE((*clip)->removed);
  EXPECT_EQ((*clip)->parent_clip_id, "");

  // A moderation removal (tippable false) that overtakes the publish
  // stays: neither the late publish nor its redelivery makes it tippable.
  ASSERT_THAT(store_.SetClipTippable(Uuid(6), false), IsOk());
  for (int publish = 0; publish < 2; ++publish) {
    ASSERT_THAT(store_.PutClip({.clip_id = Uuid(6), .author_id = Uuid(2), .tippable = true}), IsOk());
    clip = store_.GetClip(Uuid(6));
    ASSERT_TRUE(clip.ok() && clip->has_value()) << clip.status();
    EXPECT_FALSE((*clip)->tippable);
    EXPECT_EQ((*clip)->author_id, Uuid(2));
  }
  // A restore (an update back to public) does.
  ASSERT_THAT(store_.SetClipTippable(Uuid(6), true), IsOk());
  EXPECT_TRUE((*store_.GetClip(Uuid(6)))->tippable);

  EXPECT_THAT(store_.GetClip(Uuid(5)), HoldsNothing());
  EXPECT_THAT(store_.GetClip("clip-1"), HoldsNothing());
  EXPECT_THAT(store_.RemoveClip("clip-1"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(TippingStoreTest, GoneUsersStayGone) {
  EXPECT_THAT(store_.UserGone(Uuid(1)), IsOkAndHolds(false));
  ASSERT_THAT(store_.MarkUserGone(Uuid(1)), IsOk());
  ASSERT_THAT(store_.MarkUserGone(Uuid(1)), IsOk());
  EXPECT_THAT(store_.UserGone(Uuid(1)), IsOkAndHolds(true));
  EXPECT_THAT(store_.UserGone("someone"), IsOkAndHolds(false));
}

TEST_F(TippingStoreTest, LineageMarksRemovedAndGoneAncestorsAndStopsAtAnUnknownOne) {
  // Clip 5 forks 4, which forks 3 (author gone), which forks 2 (removed),
  // which forks 1, whose parent 0 the directory never saw.
  for (int clip = 1; clip <= 5; ++clip) {
    const ClipRecord record{.clip_id = Uuid(clip), .author_id = Uuid(100 + clip), .parent_clip_id = Uuid(clip - 1)};
    ASSERT_THAT(store_.PutClip(record), IsOk());
  }
  ASSERT_THAT(store_.RemoveClip(Uuid(2)), IsOk());
  ASSERT_THAT(store_.MarkUserGone(Uuid(103)), IsOk());

  const auto lineage = store_.Lineage(Uuid(5), 10);
  ASSERT_TRUE(lineage.ok()) << lineage.status();
  // "clip author +" for an ancestor that earns, "-" for one that does not.
  std::vector<std::string> seen;
  for (const ledger::TipAncestor& a : *lineage) {
    seen.push_back(absl::StrCat(a.clip_id, " ", a.author_id, a.eligible ? " +" : " -"));
  }
  const auto ancestor = [](int clip, bool eligible) {
    return absl::StrCat(Uuid(clip), " ", Uuid(100 + clip), eligible ? " +" : " -");
  };
  EXPECT_THAT(seen, ElementsAre(ancestor(4, true), ancestor(3, false), ancestor(2, false), ancestor(1, true)));

  const auto near = store_.Lineage(Uuid(5), 2);
  ASSERT_TRUE(near.ok()) << near.status();
  ASSERT_EQ(near->size(), 2u);
  EXPECT_EQ((*near)[1].clip_id, Uuid(3));
  EXPECT_FALSE((*near)[1].eligible);

  EXPECT_THAT(store_.Lineage(Uuid(1), 10), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(store_.Lineage(Uuid(9), 10), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(store_.Lineage("not a clip", 10), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(store_.Lineage(Uuid(5), 0), IsOkAndHolds(IsEmpty()));
}

}  // namespace
}  // namespace clipforge::tipping_service
