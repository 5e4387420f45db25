// The ledger writer over the in-memory fake store: tips and top-ups commit
// in hash-chained group commits with their statement entries; retries move
// nothing; concurrent callers share batches; every way a commit can fail
// (unavailable, in doubt either way, fenced, the reload failing too) ends
// with the books equal to the store and the callers told the truth; rate
// holds expire in a later batch; a new writer continues the stored chain.
#include "services/tipping/ledger_writer.h"

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "base/testing/fake_clock.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/account.h"
#include "ledger/currency.h"
#include "ledger/ledger_book.h"
#include "ledger/money.h"
#include "ledger/tip_split.h"
#include "ledger/tip_transfers.h"
#include "ledger/transfer.h"
#include "ledger/transfer_record.h"
#include "ledger/transfer_result.h"
#include "ledger/velocity_limit.h"
#include "services/tipping/ledger_batch_hash.h"
#include "services/tipping/ledger_store.h"
#include "services/tipping/records.h"
#include "tests/unit/tipping_service/fake_ledger_store.h"

namespace clipforge::tipping_service {
namespace ledger_writer_test {
namespace {

using ::clipforge::base::testing::FakeClock;
using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::StatusIs;
using ::clipforge::tipping_service::testing::CommitFault;
using ::clipforge::tipping_service::testing::FakeLedgerStore;
using ledger::AccountKind;
using ledger::Micros;
using ledger::TransferResult;
using ::testing::Contains;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Lt;
using ::testing::Pair;
using ::testing::SizeIs;

constexpr ledger::Currency kWriterUsd("USD");
constexpr Micros kUnit = ledger::kMicrosPerUnit;

// A limit of one tip a minute: the second tip inside the window is refused.
constexpr ledger::VelocityLimit kOneTipPerMinute{
    .name = "one_tip_per_minute", .allowance = 1, .window = absl::Minutes(1), .by_amount = false};

std::string WalletOf(absl::string_view user) { return ledger::AccountIdOf(AccountKind::kUserWallet, user, kWriterUsd); }
std::string EarningsOf(absl::string_view user) {
  return ledger::AccountIdOf(AccountKind::kUserEarningsPending, user, kWriterUsd);
}
std::string FeeRevenue() { return ledger::AccountIdOf(AccountKind::kPlatformFeeRevenue, "", kWriterUsd); }
std::string Clearing() { return ledger::AccountIdOf(AccountKind::kProviderClearing, "", kWriterUsd); }

// A top-up: the provider's clearing account pays `amount` into `user`'s
// wallet, opening both when needed.
LedgerRequest TopUp(const std::string& top_up_id, const std::string& user, Micros amount) {
  LedgerRequest request;
  request.accounts = {ledger::OpenAccount(Clearing(), AccountKind::kProviderClearing, kWriterUsd),
                      ledger::OpenAccount(WalletOf(user), AccountKind::kUserWallet, kWriterUsd)};
  ledger::Transfer transfer;
  transfer.id = top_up_id;
  transfer.debit_account_id = Clearing();
  transfer.credit_account_id = WalletOf(user);
  transfer.amount = amount;
  transfer.currency = kWriterUsd;
  transfer.code = ledger::TransferCode::kTopUp;
  request.transfers = {transfer};
  TopUpRecord top_up;
  top_up.top_up_id = top_up_id;
  top_up.user_id = user;
  top_up.amount = amount;
  top_up.currency = kWriterUsd;
  top_up.status = TopUpStatus::kSucceeded;
  request.top_ups = {top_up};
  return request;
}

// A tip of `gross` by `tipper` on `creator`'s original clip under the
// default rules (a 5% fee, the rest to the creator): one linked chain,
// with its tip row.
LedgerRequest Tip(const std::string& tip_id, const std::string& tipper, const std::string& creator, Micros gross) {
  ledger::TipSplitRequest split_request;
  split_request.gross = gross;
  split_request.tipper_id = tipper;
  split_request.clip_id = absl::StrCat("clip-of-", creator);
  split_request.creators = {ledger::TipCreator{.user_id = creator, .weight = 1}};
  const ledger::TipSplit split = ledger::SplitTip(split_request, ledger::TipRules{}).value();

  LedgerRequest request;
  request.accounts = {ledger::OpenAccount(WalletOf(tipper), AccountKind::kUserWallet, kWriterUsd),
                      ledger::OpenAccount(FeeRevenue(), AccountKind::kPlatformFeeRevenue, kWriterUsd),
                      ledger::OpenAccount(EarningsOf(creator), AccountKind::kUserEarningsPending, kWriterUsd)};
  request.transfers = ledger::TipTransfers(tip_id, tipper, split, kWriterUsd);
  TipRecord tip;
  tip.tip_id = tip_id;
  tip.sender_id = tipper;
  tip.clip_id = split_request.clip_id;
  tip.amount = gross;
  tip.currency = kWriterUsd;
  tip.rules_version = split.rules_version;
  for (size_t i = 0; i < split.legs.size(); ++i) {
    tip.legs.push_back(TipLegRecord{.leg = split.legs[i], .account_id = request.transfers[i].credit_account_id});
  }
  request.tips = {tip};
  return request;
}

// The tip with a hold on the tipper's one-tip-a-minute allowance at the
// head of its chain.
LedgerRequest RatedTip(const std::string& tip_id, const std::string& tipper, const std::string& creator, Micros gross) {
  LedgerRequest request = Tip(tip_id, tipper, creator, gross);
  request.accounts.push_back(ledger::OpenRateAccount(kOneTipPerMinute, tipper));
  request.transfers.insert(request.transfers.begin(), ledger::RateHold(tip_id, kOneTipPerMinute, tipper, gross));
  return request;
}

// Grants `user` the allowance (and opens the rate accounts).
LedgerRequest GrantAllowance(const std::string& user) {
  LedgerRequest request;
  request.accounts = {
      ledger::OpenAccount(ledger::RateCapacityAccountId(), AccountKind::kRateCapacity, ledger::kRateUnits),
      ledger::OpenRateAccount(kOneTipPerMinute, user)};
  request.transfers = {ledger::RateAllowance(kOneTipPerMinute, user)};
  return request;
}

std::vector<TransferResult> ResultsOf(const LedgerReply& reply) {
  std::vector<TransferResult> results;
  for (const ledger::TransferOutcome& outcome : reply.outcomes) results.push_back(outcome.result);
  return results;
}

MATCHER_P5(IsEntry, account_id, sequence, amount, balance_after, counterparty_account_id,
           absl::StrCat(negation ? "is not" : "is", " entry #", sequence, " of ", account_id, ": ", amount, " to ",
                        balance_after, " against ", counterparty_account_id)) {
  *result_listener << "entry #" << arg.sequence << " of " << arg.account_id << ": " << arg.amount << " to "
                   << arg.balance_after << " against " << arg.counterparty_account_id;
  return arg.account_id == account_id && arg.sequence == sequence && arg.amount == amount &&
         arg.balance_after == balance_after && arg.counterparty_account_id == counterparty_account_id;
}

class LedgerWriterTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_THAT(writer_->Start(), IsOk()); }

  // The books as the store holds them, restored (which checks the ledger's
  // invariants).
  ledger::LedgerBook StoredBook() {
    absl::StatusOr<StoredLedger> stored = store_.LoadLedger();
    EXPECT_THAT(stored, IsOk());
    if (!stored.ok()) return ledger::LedgerBook();
    absl::StatusOr<ledger::LedgerBook> book =
        ledger::LedgerBook::Restore(std::move(stored->accounts), std::move(stored->transfers));
    EXPECT_THAT(book, IsOk());
    return book.ok() ? *std::move(book) : ledger::LedgerBook();
  }

  // The stored posted balance of `account_id`; 0 when it does not exist.
  Micros StoredBalance(const std::string& account_id) {
    const ledger::LedgerBook book = StoredBook();
    const ledger::Account* account = book.FindAccount(account_id);
    return account == nullptr ? 0 : ledger::PostedBalance(*account);
  }

  FakeClock clock_;
  FakeLedgerStore store_;
  std::unique_ptr<LedgerWriter> writer_ = std::make_unique<LedgerWriter>(store_, clock_);
};

TEST_F(LedgerWriterTest, ATipChainCommitsAndTheStoreHoldsIt) {
  ASSERT_OK_AND_ASSIGN(const LedgerReply top_up, writer_->Submit(TopUp("top-up-1", "fan", 10 * kUnit)));
  EXPECT_THAT(ResultsOf(top_up), ElementsAre(TransferResult::kOk));
  EXPECT_EQ(top_up.batch_sequence, 1);

  ASSERT_OK_AND_ASSIGN(const LedgerReply tip, writer_->Submit(Tip("tip-1", "fan", "maker", 2 * kUnit)));
  EXPECT_THAT(ResultsOf(tip), ElementsAre(TransferResult::kOk, TransferResult::kOk));
  EXPECT_THAT(tip.hold_expiries, ElementsAre(std::nullopt, std::nullopt));
  EXPECT_EQ(tip.batch_sequence, 2);
  EXPECT_EQ(writer_->last_batch_sequence(), 2);

  const std::vector<LedgerBatch> batches = store_.batches();
  ASSERT_THAT(batches, SizeIs(2));
  EXPECT_THAT(batches[0].top_ups, SizeIs(1));
  const LedgerBatch& tip_batch = batches[1];
  ASSERT_THAT(tip_batch.tips, SizeIs(1));
  EXPECT_EQ(tip_batch.tips[0].tip_id, "tip-1");
  ASSERT_THAT(tip_batch.transfers, SizeIs(2));
  EXPECT_EQ(tip_batch.transfers[0].transfer.id, "tip-1/0");
  EXPECT_EQ(tip_batch.transfers[1].transfer.id, "tip-1/1");
  EXPECT_EQ(tip_batch.request_count, 1);
  // The wallet existed; the fee and earnings accounts were opened by the tip.
  std::vector<std::string> opened;
  for (const ledger::Account& account : tip_batch.opened_accounts) opened.push_back(account.id);
  EXPECT_THAT(opened, ElementsAre(FeeRevenue(), EarningsOf("maker")));
  EXPECT_THAT(tip_batch.changed_accounts, SizeIs(3));

  EXPECT_EQ(StoredBalance(WalletOf("fan")), 8 * kUnit);
  EXPECT_EQ(StoredBalance(FeeRevenue()), 100'000);
  EXPECT_EQ(StoredBalance(EarningsOf("maker")), 1'900'000);
  EXPECT_THAT(StoredBook().CheckInvariants(), IsEmpty());
  EXPECT_THAT(writer_->CheckInvariants(), IsEmpty());
}

TEST_F(LedgerWriterTest, ARetryReportsExistsAndChangesNothing) {
  ASSERT_THAT(writer_->Submit(TopUp("top-up-1", "fan", 10 * kUnit)), IsOk());
  ASSERT_THAT(writer_->Submit(Tip("tip-1", "fan", "maker", 2 * kUnit)), IsOk());
  const int commits = store_.commit_calls();

  ASSERT_OK_AND_ASSIGN(const LedgerReply retry, writer_->Submit(Tip("tip-1", "fan", "maker", 2 * kUnit)));
  EXPECT_THAT(ResultsOf(retry), ElementsAre(TransferResult::kExists, TransferResult::kExists));
  EXPECT_EQ(retry.batch_sequence, 0);
  ASSERT_OK_AND_ASSIGN(const LedgerReply top_up_retry, writer_->Submit(TopUp("top-up-1", "fan", 10 * kUnit)));
  EXPECT_THAT(ResultsOf(top_up_retry), ElementsAre(TransferResult::kExists));

  EXPECT_EQ(store_.commit_calls(), commits);
  EXPECT_THAT(store_.batches(), SizeIs(2));
  EXPECT_EQ(writer_->last_batch_sequence(), 2);
  EXPECT_EQ(StoredBalance(WalletOf("fan")), 8 * kUnit);
}

TEST_F(LedgerWriterTest, AShortWalletFailsTheWholeChain) {
  ASSERT_THAT(writer_->Submit(TopUp("top-up-1", "fan", kUnit / 2)), IsOk());

  ASSERT_OK_AND_ASSIGN(const LedgerReply tip, writer_->Submit(Tip("tip-1", "fan", "maker", kUnit)));
  // The fee leg fits the wallet, the creator's share does not: neither moves.
  EXPECT_THAT(ResultsOf(tip), ElementsAre(TransferResult::kLinkedEventFailed, TransferResult::kExceedsCredits));
  // No timed hold on the wallet: nothing resets.
  EXPECT_THAT(tip.hold_expiries, ElementsAre(std::nullopt, std::nullopt));

  for (const LedgerBatch& batch : store_.batches()) {
    EXPECT_THAT(batch.tips, IsEmpty());
    for (const ledger::TransferRecord& record : batch.transfers) EXPECT_EQ(record.transfer.id, "top-up-1");
  }
  EXPECT_EQ(StoredBalance(WalletOf("fan")), kUnit / 2);
  EXPECT_EQ(StoredBalance(EarningsOf("maker")), 0);
  EXPECT_THAT(writer_->CheckInvariants(), IsEmpty());
}

TEST_F(LedgerWriterTest, ADifferentAccountUnderATakenIdFailsTheRequest) {
  ASSERT_THAT(writer_->Submit(TopUp("top-up-1", "fan", kUnit)), IsOk());
  LedgerRequest wrong = TopUp("top-up-2", "fan", kUnit);
  wrong.accounts[1] = ledger::OpenAccount(WalletOf("fan"), AccountKind::kUserEarningsAvailable, kWriterUsd);
  EXPECT_THAT(writer_->Submit(std::move(wrong)), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("kind")));
  EXPECT_THAT(store_.batches(), SizeIs(1));

  ASSERT_OK_AND_ASSIGN(const LedgerReply next, writer_->Submit(TopUp("top-up-2", "fan", kUnit)));
  EXPECT_THAT(ResultsOf(next), ElementsAre(TransferResult::kOk));
  EXPECT_EQ(StoredBalance(WalletOf("fan")), 2 * kUnit);
}

TEST_F(LedgerWriterTest, ConcurrentCallersShareBatchesAndTheTotalsAreExact) {
  constexpr int kThreads = 8;
  constexpr int kTipsPerThread = 200;
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_THAT(writer_->Submit(TopUp(absl::StrCat("top-up-", t), absl::StrCat("fan-", t), kTipsPerThread * kUnit)),
                IsOk());
  }
  const size_t batches_before = store_.batches().size();

  std::atomic<int> not_ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &not_ok] {
      for (int k = 0; k < kTipsPerThread; ++k) {
        absl::StatusOr<LedgerReply> reply =
            writer_->Submit(Tip(absl::StrCat("tip-", t, "-", k), absl::StrCat("fan-", t), "maker", kUnit));
        if (!reply.ok() || ResultsOf(*reply) != std::vector<TransferResult>{TransferResult::kOk, TransferResult::kOk}) {
          not_ok.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(not_ok.load(), 0);

  constexpr int kTips = kThreads * kTipsPerThread;
  const std::vector<LedgerBatch> batches = store_.batches();
  const size_t tip_batches = batches.size() - batches_before;
  EXPECT_THAT(tip_batches, Lt(static_cast<size_t>(kTips)));
  int answered = 0;
  int tips = 0;
  for (size_t i = batches_before; i < batches.size(); ++i) {
    answered += batches[i].request_count;
    tips += static_cast<int>(batches[i].tips.size());
  }
  EXPECT_EQ(answered, kTips);
  EXPECT_EQ(tips, kTips);
  EXPECT_EQ(writer_->last_batch_sequence(), static_cast<int64_t>(batches.size()));

  const ledger::LedgerBook stored = StoredBook();
  EXPECT_THAT(stored.CheckInvariants(), IsEmpty());
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(ledger::PostedBalance(*stored.FindAccount(WalletOf(absl::StrCat("fan-", t)))), 0);
  EXPECT_EQ(ledger::PostedBalance(*stored.FindAccount(FeeRevenue())), kTips * 50'000);
  EXPECT_EQ(ledger::PostedBalance(*stored.FindAccount(EarningsOf("maker"))), kTips * 950'000);
  EXPECT_THAT(writer_->CheckInvariants(), IsEmpty());
}

TEST_F(LedgerWriterTest, EntriesCarryRunningBalancesAndPerAccountSequencesAcrossBatches) {
  ASSERT_THAT(writer_->Submit(TopUp("top-up-1", "fan", 10 * kUnit)), IsOk());
  clock_.Advance(absl::Seconds(5));
  ASSERT_THAT(writer_->Submit(Tip("tip-1", "fan", "maker", 2 * kUnit)), IsOk());

  const std::vector<LedgerBatch> batches = store_.batches();
  ASSERT_THAT(batches, SizeIs(2));
  // The clearing account is debit-normal: paying out raises its balance.
  EXPECT_THAT(batches[0].entries, ElementsAre(IsEntry(Clearing(), 1, 10 * kUnit, 10 * kUnit, WalletOf("fan")),
                                              IsEntry(WalletOf("fan"), 1, 10 * kUnit, 10 * kUnit, Clearing())));
  EXPECT_THAT(batches[1].entries, ElementsAre(IsEntry(WalletOf("fan"), 2, -100'000, 9'900'000, FeeRevenue()),
                                              IsEntry(FeeRevenue(), 1, 100'000, 100'000, WalletOf("fan")),
                                              IsEntry(WalletOf("fan"), 3, -1'900'000, 8'000'000, EarningsOf("maker")),
                                              IsEntry(EarningsOf("maker"), 1, 1'900'000, 1'900'000, WalletOf("fan"))));
  EXPECT_EQ(batches[1].entries[0].code, ledger::TransferCode::kTipFee);
  EXPECT_EQ(batches[1].entries[2].code, ledger::TransferCode::kTipCreator);
  EXPECT_EQ(batches[1].entries[2].transfer_id, "tip-1/1");
  for (const LedgerBatch& batch : batches) {
    for (const EntryRecord& entry : batch.entries) EXPECT_EQ(entry.booked_at, batch.committed_at);
  }
  EXPECT_EQ(batches[1].committed_at, clock_.Now());
}

TEST_F(LedgerWriterTest, BatchesFormAHashChain) {
  ASSERT_THAT(writer_->Submit(TopUp("top-up-1", "fan", 10 * kUnit)), IsOk());
  ASSERT_THAT(writer_->Submit(Tip("tip-1", "fan", "maker", 2 * kUnit)), IsOk());
  ASSERT_THAT(writer_->Submit(Tip("tip-2", "fan", "maker", 3 * kUnit)), IsOk());

  const std::vector<LedgerBatch> batches = store_.batches();
  ASSERT_THAT(batches, SizeIs(3));
  EXPECT_EQ(batches[0].previous_hash, "");
  for (size_t i = 0; i < batches.size(); ++i) {
    EXPECT_EQ(batches[i].sequence, static_cast<int64_t>(i + 1));
    EXPECT_EQ(batches[i].epoch, store_.epoch());
    EXPECT_THAT(batches[i].hash, SizeIs(32));
    EXPECT_EQ(LedgerBatchHash(batches[i]), batches[i].hash) << "batch " << i + 1;
    if (i > 0) {
      EXPECT_EQ(batches[i].previous_hash, batches[i - 1].hash) << "batch " << i + 1;
    }
  }
}

TEST_F(LedgerWriterTest, AnUnknownCommitThatWroteIsAcknowledged) {
  ASSERT_THAT(writer_->Submit(TopUp("top-up-1", "fan", 10 * kUnit)), IsOk());
  const int64_t epoch = store_.epoch();
  store_.FailNextCommit(CommitFault::kUnknownAfterWrite);

  ASSERT_OK_AND_ASSIGN(const LedgerReply tip, writer_->Submit(Tip("tip-1", "fan", "maker", 2 * kUnit)));
  EXPECT_THAT(ResultsOf(tip), ElementsAre(TransferResult::kOk, TransferResult::kOk));
  EXPECT_EQ(tip.batch_sequence, 2);
  // The writer took the fence again before asking.
  EXPECT_EQ(store_.epoch(), epoch + 1);
  EXPECT_EQ(writer_->last_batch_sequence(), 2);
  EXPECT_THAT(writer_->CheckInvariants(), IsEmpty());

  // The books equal the store: the tip is known, and the next batch
  // extends the chain under the new epoch.
  ASSERT_OK_AND_ASSIGN(const LedgerReply retry, writer_->Submit(Tip("tip-1", "fan", "maker", 2 * kUnit)));
  EXPECT_THAT(ResultsOf(retry), ElementsAre(TransferResult::kExists, TransferResult::kExists));
  ASSERT_OK_AND_ASSIGN(const LedgerReply next, writer_->Submit(Tip("tip-2", "fan", "maker", kUnit)));
  EXPECT_EQ(next.batch_sequence, 3);
  EXPECT_EQ(store_.batches().back().epoch, epoch + 1);
  EXPECT_EQ(StoredBalance(WalletOf("fan")), 7 * kUnit);
}

// A commit that certainly or provably wrote nothing: the request fails
// UNAVAILABLE, the books forget it, and the same request then succeeds.
class LedgerWriterFailedCommitTest : public LedgerWriterTest, public ::testing::WithParamInterface<CommitFault> {};

TEST_P(LedgerWriterFailedCommitTest, FailsUnavailableAndTheRetrySucceeds) {
  ASSERT_THAT(writer_->Submit(TopUp("top-up-1", "fan", 10 * kUnit)), IsOk());
  store_.FailNextCommit(GetParam());

  EXPECT_THAT(writer_->Submit(Tip("tip-1", "fan", "maker", 2 * kUnit)), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(store_.batches(), SizeIs(1));
  EXPECT_EQ(writer_->last_batch_sequence(), 1);
  EXPECT_THAT(writer_->CheckInvariants(), IsEmpty());
  EXPECT_TRUE(writer_->running());

  // Applied as new (kOk, not kExists): nothing of the failed batch stayed
  // in memory.
  ASSERT_OK_AND_ASSIGN(const LedgerReply retry, writer_->Submit(Tip("tip-1", "fan", "maker", 2 * kUnit)));
  EXPECT_THAT(ResultsOf(retry), ElementsAre(TransferResult::kOk, TransferResult::kOk));
  EXPECT_EQ(retry.batch_sequence, 2);
  EXPECT_EQ(StoredBalance(WalletOf("fan")), 8 * kUnit);
  const std::vector<LedgerBatch> batches = store_.batches();
  ASSERT_THAT(batches, SizeIs(2));
  EXPECT_EQ(batches[1].previous_hash, batches[0].hash);
}

INSTANTIATE_TEST_SUITE_P(Faults, LedgerWriterFailedCommitTest,
                         ::testing::Values(CommitFault::kUnavailable, CommitFault::kUnknownWithoutWrite,
                                           CommitFault::kInternal));

TEST_F(LedgerWriterTest, AFailedReloadKeepsFailingUntilTheStoreIsBack) {
  ASSERT_THAT(writer_->Submit(TopUp("top-up-1", "fan", 10 * kUnit)), IsOk());
  store_.SetLoadFailing(true);
  store_.FailNextCommit(CommitFault::kUnavailable);
  EXPECT_THAT(writer_->Submit(Tip("tip-1", "fan", "maker", 2 * kUnit)), StatusIs(absl::StatusCode::kUnavailable));
  // The books may be ahead of the store: nothing is decided against them.
  EXPECT_THAT(writer_->Submit(Tip("tip-2", "fan", "maker", kUnit)),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("reloaded")));
  EXPECT_EQ(store_.commit_calls(), 2);

  store_.SetLoadFailing(false);
  ASSERT_OK_AND_ASSIGN(const LedgerReply retry, writer_->Submit(Tip("tip-1", "fan", "maker", 2 * kUnit)));
  EXPECT_THAT(ResultsOf(retry), ElementsAre(TransferResult::kOk, TransferResult::kOk));
  EXPECT_EQ(StoredBalance(WalletOf("fan")), 8 * kUnit);
}

TEST_F(LedgerWriterTest, AnUnknownCommitWithTheFenceUnreachableFailsUntilItIsBack) {
  ASSERT_THAT(writer_->Submit(TopUp("top-up-1", "fan", 10 * kUnit)), IsOk());
  store_.SetTakeFenceFailing(true);
  store_.FailNextCommit(CommitFault::kUnknownAfterWrite);
  EXPECT_THAT(writer_->Submit(Tip("tip-1", "fan", "maker", 2 * kUnit)), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(writer_->Submit(Tip("tip-1", "fan", "maker", 2 * kUnit)), StatusIs(absl::StatusCode::kUnavailable));

  store_.SetTakeFenceFailing(false);
  // The first commit did write: the retry finds the tip.
  ASSERT_OK_AND_ASSIGN(const LedgerReply retry, writer_->Submit(Tip("tip-1", "fan", "maker", 2 * kUnit)));
  EXPECT_THAT(ResultsOf(retry), ElementsAre(TransferResult::kExists, TransferResult::kExists));
  EXPECT_EQ(retry.batch_sequence, 0);
  EXPECT_EQ(writer_->last_batch_sequence(), 2);
  EXPECT_EQ(StoredBalance(WalletOf("fan")), 8 * kUnit);
}

TEST_F(LedgerWriterTest, AFencedWriterFailsAndStops) {
  ASSERT_THAT(writer_->Submit(TopUp("top-up-1", "fan", 10 * kUnit)), IsOk());
  store_.TakeFenceAsAnotherWriter();

  EXPECT_THAT(writer_->Submit(Tip("tip-1", "fan", "maker", 2 * kUnit)),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("fenced")));
  EXPECT_FALSE(writer_->running());
  EXPECT_THAT(writer_->Submit(Tip("tip-2", "fan", "maker", kUnit)), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(store_.batches(), SizeIs(1));
  EXPECT_EQ(store_.commit_calls(), 2);
}

TEST_F(LedgerWriterTest, AWriterInDoubtAfterAnotherTookTheFenceStopsRatherThanTakingItBack) {
  ASSERT_THAT(writer_->Submit(TopUp("top-up-1", "fan", 10 * kUnit)), IsOk());
  store_.TakeFenceAsAnotherWriter();
  const int64_t others = store_.epoch();
  store_.FailNextCommit(CommitFault::kUnknownWithoutWrite);

  EXPECT_THAT(writer_->Submit(Tip("tip-1", "fan", "maker", 2 * kUnit)),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("fenced")));
  EXPECT_FALSE(writer_->running());
  // The other writer keeps the fence.
  EXPECT_EQ(store_.epoch(), others);
  EXPECT_THAT(store_.batches(), SizeIs(1));
}

TEST_F(LedgerWriterTest, StopFailsLaterSubmits) {
  ASSERT_THAT(writer_->Submit(TopUp("top-up-1", "fan", 10 * kUnit)), IsOk());
  writer_->Stop();
  writer_->Stop();
  EXPECT_FALSE(writer_->running());
  EXPECT_THAT(writer_->Submit(Tip("tip-1", "fan", "maker", kUnit)), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(store_.batches(), SizeIs(1));
}

TEST_F(LedgerWriterTest, ARateLimitedTipReportsWhenTheLimitResets) {
  ASSERT_THAT(writer_->Submit(TopUp("top-up-1", "fan", 10 * kUnit)), IsOk());
  ASSERT_THAT(writer_->Submit(GrantAllowance("fan")), IsOk());
  const absl::Time first_tip_at = absl::FromUnixMicros(absl::ToUnixMicros(clock_.Now()));
  ASSERT_OK_AND_ASSIGN(const LedgerReply first, writer_->Submit(RatedTip("tip-1", "fan", "maker", kUnit)));
  EXPECT_THAT(ResultsOf(first), Each(TransferResult::kOk));
  const size_t batches = store_.batches().size();

  clock_.Advance(absl::Seconds(10));
  ASSERT_OK_AND_ASSIGN(const LedgerReply second, writer_->Submit(RatedTip("tip-2", "fan", "maker", kUnit)));
  EXPECT_THAT(ResultsOf(second), ElementsAre(TransferResult::kExceedsCredits, TransferResult::kLinkedEventFailed,
                                             TransferResult::kLinkedEventFailed));
  EXPECT_THAT(second.hold_expiries, ElementsAre(std::optional<absl::Time>(first_tip_at + kOneTipPerMinute.window),
                                                std::nullopt, std::nullopt));
  EXPECT_EQ(second.batch_sequence, 0);
  EXPECT_THAT(store_.batches(), SizeIs(batches));
}

TEST_F(LedgerWriterTest, ARateHoldExpiresInALaterBatch) {
  ASSERT_THAT(writer_->Submit(TopUp("top-up-1", "fan", 10 * kUnit)), IsOk());
  ASSERT_THAT(writer_->Submit(GrantAllowance("fan")), IsOk());
  ASSERT_THAT(writer_->Submit(RatedTip("tip-1", "fan", "maker", kUnit)), IsOk());
  const std::string first_hold = ledger::RateHold("tip-1", kOneTipPerMinute, "fan", kUnit).id;
  {
    const std::vector<LedgerBatch> batches = store_.batches();
    EXPECT_EQ(batches.back().transfers.front().transfer.id, first_hold);
    EXPECT_EQ(batches.back().transfers.front().state, ledger::PendingState::kPending);
  }

  clock_.Advance(kOneTipPerMinute.window);
  ASSERT_OK_AND_ASSIGN(const LedgerReply next, writer_->Submit(RatedTip("tip-2", "fan", "maker", kUnit)));
  EXPECT_THAT(ResultsOf(next), Each(TransferResult::kOk));

  const LedgerBatch expiring = store_.batches().back();
  EXPECT_EQ(expiring.sequence, next.batch_sequence);
  EXPECT_THAT(expiring.resolved_pending, ElementsAre(Pair(first_hold, ledger::PendingState::kExpired)));
  std::vector<std::string> changed;
  for (const ledger::Account& account : expiring.changed_accounts) changed.push_back(account.id);
  EXPECT_THAT(changed, Contains(ledger::RateAccountId(kOneTipPerMinute, "fan")));

  const ledger::LedgerBook stored = StoredBook();
  EXPECT_EQ(stored.FindTransfer(first_hold)->state, ledger::PendingState::kExpired);
  EXPECT_EQ(stored.FindAccount(ledger::RateAccountId(kOneTipPerMinute, "fan"))->debits_pending, 1);
  EXPECT_THAT(stored.CheckInvariants(), IsEmpty());
}

TEST_F(LedgerWriterTest, AnExpiryAloneIsCommitted) {
  ASSERT_THAT(writer_->Submit(TopUp("top-up-1", "fan", 10 * kUnit)), IsOk());
  ASSERT_THAT(writer_->Submit(GrantAllowance("fan")), IsOk());
  ASSERT_THAT(writer_->Submit(RatedTip("tip-1", "fan", "maker", kUnit)), IsOk());
  const size_t batches = store_.batches().size();

  clock_.Advance(kOneTipPerMinute.window);
  // A retry changes nothing itself, but its batch releases the hold.
  ASSERT_OK_AND_ASSIGN(const LedgerReply retry, writer_->Submit(TopUp("top-up-1", "fan", 10 * kUnit)));
  EXPECT_THAT(ResultsOf(retry), ElementsAre(TransferResult::kExists));
  EXPECT_EQ(retry.batch_sequence, 0);
  ASSERT_THAT(store_.batches(), SizeIs(batches + 1));
  EXPECT_THAT(store_.batches().back().resolved_pending, SizeIs(1));
  EXPECT_THAT(store_.batches().back().transfers, IsEmpty());
}

TEST_F(LedgerWriterTest, StartContinuesTheStoredChain) {
  ASSERT_THAT(writer_->Submit(TopUp("top-up-1", "fan", 10 * kUnit)), IsOk());
  ASSERT_THAT(writer_->Submit(Tip("tip-1", "fan", "maker", 2 * kUnit)), IsOk());
  writer_->Stop();
  const std::string last_hash = store_.batches().back().hash;

  LedgerWriter next(store_, clock_);
  ASSERT_THAT(next.Start(), IsOk());
  EXPECT_EQ(next.last_batch_sequence(), 2);
  EXPECT_EQ(store_.epoch(), 2);
  EXPECT_THAT(next.CheckInvariants(), IsEmpty());

  ASSERT_OK_AND_ASSIGN(const LedgerReply retry, next.Submit(Tip("tip-1", "fan", "maker", 2 * kUnit)));
  EXPECT_THAT(ResultsOf(retry), Each(TransferResult::kExists));
  ASSERT_OK_AND_ASSIGN(const LedgerReply tip, next.Submit(Tip("tip-2", "fan", "maker", kUnit)));
  EXPECT_EQ(tip.batch_sequence, 3);

  const LedgerBatch batch = store_.batches().back();
  EXPECT_EQ(batch.previous_hash, last_hash);
  EXPECT_EQ(batch.epoch, 2);
  EXPECT_EQ(LedgerBatchHash(batch), batch.hash);
  // The wallet's statement goes on from its third entry; fee revenue's
  // from its first.
  ASSERT_THAT(batch.entries, SizeIs(4));
  EXPECT_THAT(batch.entries[0], IsEntry(WalletOf("fan"), 4, -50'000, 7'950'000, FeeRevenue()));
  EXPECT_THAT(batch.entries[1], IsEntry(FeeRevenue(), 2, 50'000, 150'000, WalletOf("fan")));
}

}  // namespace
}  // namespace ledger_writer_test
}  // namespace clipforge::tipping_service
