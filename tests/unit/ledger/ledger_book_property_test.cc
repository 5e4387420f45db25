// The book against an independent model over random batches (fixed
// seeds, so a failure reproduces): every outcome is the one the model
// predicts (chains all or nothing, retries exists, conflicts naming their
// fields, holds posted, voided and expired), the counters agree with the
// model's, the invariants hold after every batch, and a retried batch of
// what succeeded changes nothing.
//
// The model shares only CheckTransferFields (the stateless rules, tested
// on their own) with the book; the rest it keeps in its own way: plain
// maps, a copy of the accounts to undo a chain.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/account.h"
#include "ledger/ledger_book.h"
#include "ledger/transfer.h"
#include "ledger/transfer_checks.h"
#include "ledger/transfer_result.h"
#include "tests/unit/ledger/ledger_test_util.h"

namespace clipforge::ledger {
namespace {

using testing::kTestEur;
using testing::kTestUsd;
using testing::LedgerTestNow;

constexpr int kLedgerPropertyBooks = 20;
constexpr int kLedgerPropertyBatches = 150;
constexpr WideMicros kLedgerPropertyMax = std::numeric_limits<Micros>::max();

struct LedgerModelHold {
  std::string debit_account_id;
  std::string credit_account_id;
  Currency currency;
  TransferCode code = TransferCode::kUnspecified;
  Micros amount = 0;
  absl::Time expires_at = absl::InfiniteFuture();
  PendingState state = PendingState::kPending;
};

// What the book should do, kept the simple way.
class LedgerModel {
 public:
  void Open(const Account& account) { accounts_[account.id] = account; }

  void BeginChain() {
    accounts_before_ = accounts_;
    hold_states_before_.clear();
    added_ids_.clear();
  }

  void RollbackChain() {
    accounts_ = accounts_before_;
    for (auto it = hold_states_before_.rbegin(); it != hold_states_before_.rend(); ++it) {
      holds_[it->first].state = it->second;
    }
    for (const std::string& id : added_ids_) {
      applied_.erase(id);
      holds_.erase(id);
    }
  }

  // The outcome of `transfer` at `now`, applied to the model when OK.
  TransferOutcome Step(const Transfer& transfer, absl::Time now) {
    if (transfer.id.empty()) return {TransferResult::kIdMustNotBeEmpty, {}};
    if (const auto it = applied_.find(transfer.id); it != applied_.end()) {
      std::vector<std::string> differing = DifferingTransferFields(it->second, transfer);
      if (differing.empty()) return {TransferResult::kExists, {}};
      return {TransferResult::kExistsWithDifferentFields, std::move(differing)};
    }
    TransferResult result = CheckTransferFields(transfer);
    if (result == TransferResult::kOk) {
      result = ResolvesPendingTransfer(transfer) ? StepResolve(transfer, now) : StepNew(transfer, now);
    }
    if (result == TransferResult::kOk) {
      applied_[transfer.id] = transfer;
      added_ids_.push_back(transfer.id);
    }
    return {result, {}};
  }

  // The holds due at `now`, earliest first (then by id), released.
  std::vector<std::string> Expire(absl::Time now) {
    std::vector<std::pair<absl::Time, std::string>> due;
    for (const auto& [id, hold] : holds_) {
      if (hold.state == PendingState::kPending && hold.expires_at <= now) due.emplace_back(hold.expires_at, id);
    }
    std::sort(due.begin(), due.end());
    std::vector<std::string> ids;
    for (const auto& [at, id] : due) {
      LedgerModelHold& hold = holds_[id];
      accounts_[hold.debit_account_id].debits_pending -= hold.amount;
      accounts_[hold.credit_account_id].credits_pending -= hold.amount;
      hold.state = PendingState::kExpired;
      ids.push_back(id);
    }
    return ids;
  }

  void ExpectAgreesWith(const LedgerBook& book) const {
    ASSERT_EQ(book.accounts().size(), accounts_.size());
    for (const auto& [id, expected] : accounts_) {
      const Account* actual = book.FindAccount(id);
      ASSERT_NE(actual, nullptr) << id;
      ASSERT_EQ(*actual, expected) << id;
    }
    ASSERT_EQ(book.transfers().size(), applied_.size());
    for (const auto& [id, transfer] : applied_) {
      const TransferRecord* record = book.FindTransfer(id);
      ASSERT_NE(record, nullptr) << id;
      ASSERT_EQ(record->transfer, transfer) << id;
      if (const auto hold = holds_.find(id); hold != holds_.end()) {
        ASSERT_EQ(record->state, hold->second.state) << id;
      }
    }
  }

 private:
  TransferResult StepNew(const Transfer& transfer, absl::Time now) {
    const auto debit_it = accounts_.find(transfer.debit_account_id);
    if (debit_it == accounts_.end()) return TransferResult::kDebitAccountNotFound;
    const auto credit_it = accounts_.find(transfer.credit_account_id);
    if (credit_it == accounts_.end()) return TransferResult::kCreditAccountNotFound;
    Account& debit = debit_it->second;
    Account& credit = credit_it->second;
    if (debit.currency != credit.currency) return TransferResult::kAccountsMustHaveTheSameCurrency;
    if (transfer.currency != debit.currency) return TransferResult::kTransferMustHaveTheSameCurrencyAsAccounts;
    const WideMicros amount = transfer.amount;
    const bool pending = transfer.flags.pending;
    if (pending && debit.debits_pending + amount > kLedgerPropertyMax) return TransferResult::kOverflowsDebitsPending;
    if (pending && credit.credits_pending + amount > kLedgerPropertyMax) {
      return TransferResult::kOverflowsCreditsPending;
    }
    if (!pending && debit.debits_posted + amount > kLedgerPropertyMax) return TransferResult::kOverflowsDebitsPosted;
    if (!pending && credit.credits_posted + amount > kLedgerPropertyMax) {
      return TransferResult::kOverflowsCreditsPosted;
    }
    const WideMicros debits = amount + debit.debits_pending + debit.debits_posted;
    const WideMicros credits = amount + credit.credits_pending + credit.credits_posted;
    if (debits > kLedgerPropertyMax) return TransferResult::kOverflowsDebits;
    if (credits > kLedgerPropertyMax) return TransferResult::kOverflowsCredits;
    if (debit.flags.debits_must_not_exceed_credits && debits > debit.credits_posted) {
      return TransferResult::kExceedsCredits;
    }
    if (credit.flags.credits_must_not_exceed_debits && credits > credit.debits_posted) {
      return TransferResult::kExceedsDebits;
    }
    const absl::Time expires_at =
        pending && transfer.timeout > absl::ZeroDuration() ? now + transfer.timeout : absl::InfiniteFuture();
    if (pending) {
      debit.debits_pending += transfer.amount;
      credit.credits_pending += transfer.amount;
      holds_[transfer.id] = {transfer.debit_account_id, transfer.credit_account_id, transfer.currency,
                             transfer.code, transfer.amount, expires_at, PendingState::kPending};
    } else {
      debit.debits_posted += transfer.amount;
      credit.credits_posted += transfer.amount;
    }
    return TransferResult::kOk;
  }

  TransferResult StepResolve(const Transfer& transfer, absl::Time now) {
    const auto hold_it = holds_.find(transfer.pending_id);
    if (hold_it == holds_.end()) {
      return applied_.contains(transfer.pending_id) ? TransferResult::kPendingTransferNotPending
                                                    : TransferResult::kPendingTransferNotFound;
    }
    LedgerModelHold& hold = hold_it->second;
    if (!transfer.debit_account_id.empty() && transfer.debit_account_id != hold.debit_account_id) {
      return TransferResult::kPendingTransferHasDifferentDebitAccountId;
    }
    if (!transfer.credit_account_id.empty() && transfer.credit_account_id != hold.credit_account_id) {
      return TransferResult::kPendingTransferHasDifferentCreditAccountId;
    }
    if (!transfer.currency.empty() && transfer.currency != hold.currency) {
      return TransferResult::kPendingTransferHasDifferentCurrency;
    }
    if (transfer.code != TransferCode::kUnspecified && transfer.code != hold.code) {
      return TransferResult::kPendingTransferHasDifferentCode;
    }
    const bool post = transfer.flags.post_pending_transfer;
    if (post && transfer.amount > hold.amount) return TransferResult::kExceedsPendingTransferAmount;
    if (!post && transfer.amount != 0 && transfer.amount != hold.amount) {
      return TransferResult::kPendingTransferHasDifferentAmount;
    }
    if (hold.state == PendingState::kPosted) return TransferResult::kPendingTransferAlreadyPosted;
    if (hold.state == PendingState::kVoided) return TransferResult::kPendingTransferAlreadyVoided;
    if (hold.state == PendingState::kExpired || now >= hold.expires_at) return TransferResult::kPendingTransferExpired;

    Account& debit = accounts_[hold.debit_account_id];
    Account& credit = accounts_[hold.credit_account_id];
    debit.debits_pending -= hold.amount;
    credit.credits_pending -= hold.amount;
    if (post) {
      const Micros posted = transfer.amount == 0 ? hold.amount : transfer.amount;
      debit.debits_posted += posted;
      credit.credits_posted += posted;
    }
    hold_states_before_.emplace_back(transfer.pending_id, hold.state);
    hold.state = post ? PendingState::kPosted : PendingState::kVoided;
    return TransferResult::kOk;
  }

  std::map<std::string, Account> accounts_;
  std::map<std::string, LedgerModelHold> holds_;
  std::map<std::string, Transfer> applied_;
  std::map<std::string, Account> accounts_before_;
  std::vector<std::pair<std::string, PendingState>> hold_states_before_;
  std::vector<std::string> added_ids_;
};

std::vector<Account> LedgerPropertyAccounts() {
  return {OpenAccount("usd-capital", AccountKind::kPlatformCapital, kTestUsd),
          OpenAccount("usd-clearing", AccountKind::kProviderClearing, kTestUsd),
          OpenAccount("usd-w0", AccountKind::kUserWallet, kTestUsd),
          OpenAccount("usd-w1", AccountKind::kUserWallet, kTestUsd),
          OpenAccount("usd-w2", AccountKind::kUserWallet, kTestUsd),
          OpenAccount("usd-w3", AccountKind::kUserWallet, kTestUsd),
          OpenAccount("usd-e0", AccountKind::kUserEarningsAvailable, kTestUsd),
          OpenAccount("usd-e1", AccountKind::kUserEarningsPending, kTestUsd),
          OpenAccount("usd-fees", AccountKind::kPlatformFeeRevenue, kTestUsd),
          OpenAccount("usd-escrow", AccountKind::kCampaignEscrow, kTestUsd),
          OpenAccount("usd-receivable", AccountKind::kUserReceivable, kTestUsd),
          OpenAccount("usd-losses", AccountKind::kChargebackLosses, kTestUsd),
          OpenAccount("eur-capital", AccountKind::kPlatformCapital, kTestEur),
          OpenAccount("eur-w0", AccountKind::kUserWallet, kTestEur),
          OpenAccount("eur-w1", AccountKind::kUserWallet, kTestEur)};
}

// Random transfers of every shape, most of them valid: money flows in from
// the capital accounts and around between the others; some holds, posts
// and voids of earlier holds, retries and conflicting reuses of earlier
// ids, and faults of each kind.
class LedgerPropertyGenerator {
 public:
  explicit LedgerPropertyGenerator(uint64_t seed) : rng_(seed) {
    for (const Account& account : LedgerPropertyAccounts()) {
      accounts_.push_back(account.id);
      currencies_[account.id] = account.currency;
    }
  }

  std::vector<Transfer> NextBatch() {
    std::vector<Transfer> batch(static_cast<size_t>(Uniform(1, 8)));
    for (Transfer& transfer : batch) transfer = NextTransfer();
    return batch;
  }

  // Remembers `batch` for later retries, posts and voids.
  void Submitted(const std::vector<Transfer>& batch) {
    for (const Transfer& transfer : batch) {
      history_.push_back(transfer);
      if (transfer.flags.pending && !transfer.id.empty()) hold_ids_.push_back(transfer.id);
    }
  }

  absl::Duration NextPause() { return absl::Seconds(Uniform(0, 300)); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }

 private:
  int64_t Uniform(int64_t low, int64_t high) { return std::uniform_int_distribution<int64_t>(low, high)(rng_); }
  template <typename T>
  const T& Pick(const std::vector<T>& from) {
    return from[static_cast<size_t>(Uniform(0, static_cast<int64_t>(from.size()) - 1))];
  }

  Transfer NextTransfer() {
    const int64_t shape = Uniform(0, 99);
    Transfer transfer;
    if (shape < 10 && !history_.empty()) {
      // A retry, or now and then the same id with a field changed.
      transfer = Pick(history_);
      if (Chance(0.15)) transfer.rules_version += 1;
      if (Chance(0.15) && transfer.amount < std::numeric_limits<Micros>::max()) transfer.amount += 1;
      return transfer;
    }
    if (shape < 25 && !hold_ids_.empty()) {
      transfer = NextResolution();
    } else {
      transfer = NextMove();
    }
    transfer.id = Chance(0.02) ? "" : absl::StrCat("t", next_id_++);
    transfer.flags.linked = Chance(0.25);
    return transfer;
  }

  Transfer NextResolution() {
    Transfer transfer;
    transfer.pending_id = Pick(hold_ids_);
    if (Chance(0.5)) {
      transfer.flags.post_pending_transfer = true;
      transfer.amount = Chance(0.5) ? 0 : Uniform(1, 60 * kMicrosPerUnit);
    } else {
      transfer.flags.void_pending_transfer = true;
      transfer.amount = Chance(0.9) ? 0 : Uniform(1, 60 * kMicrosPerUnit);
    }
    return transfer;
  }

  Transfer NextMove() {
    Transfer transfer;
    const bool funding = Chance(0.3);
    transfer.debit_account_id = funding ? (Chance(0.8) ? "usd-capital" : "eur-capital") : Pick(accounts_);
    transfer.credit_account_id = Chance(0.04) ? transfer.debit_account_id : Pick(accounts_);
    const int64_t amount_shape = Uniform(0, 99);
    if (amount_shape < 4) {
      transfer.amount = 0;
    } else if (amount_shape < 7) {
      transfer.amount = -Uniform(1, 1'000);
    } else if (amount_shape < 10) {
      // Near INT64_MAX, out of a wallet: an overflow or an overdraft.
      transfer.debit_account_id = Chance(0.5) ? "usd-w0" : "usd-w1";
      transfer.amount = std::numeric_limits<Micros>::max() - Uniform(0, 1'000'000'000);
    } else {
      transfer.amount = Uniform(1, 50 * kMicrosPerUnit);
    }
    transfer.currency = currencies_[transfer.debit_account_id];
    if (Chance(0.05)) transfer.currency = transfer.currency == kTestUsd ? kTestEur : kTestUsd;
    transfer.code = static_cast<TransferCode>(Uniform(1, static_cast<int64_t>(TransferCode::kAdjustment)));
    if (Chance(0.25)) {
      transfer.flags.pending = true;
      transfer.timeout = Chance(0.3) ? absl::ZeroDuration() : absl::Seconds(Uniform(1, 3'600));
    }
    return transfer;
  }

  std::mt19937_64 rng_;
  std::vector<std::string> accounts_;
  std::map<std::string, Currency> currencies_;
  std::vector<Transfer> history_;
  std::vector<std::string> hold_ids_;
  int64_t next_id_ = 0;
};

// Steps `model` through `batch` the way the book applies it, chain by
// chain; the outcomes the book should have reported.
std::vector<TransferOutcome> LedgerPropertyExpected(LedgerModel& model, const std::vector<Transfer>& batch,
                                                    absl::Time now) {
  std::vector<TransferOutcome> expected(batch.size());
  size_t start = 0;
  while (start < batch.size()) {
    size_t end = start;
    while (end < batch.size() && batch[end].flags.linked) ++end;
    if (end == batch.size()) {
      for (size_t i = start; i < batch.size(); ++i) expected[i] = {TransferResult::kLinkedEventFailed, {}};
      expected.back() = {TransferResult::kLinkedEventChainOpen, {}};
      break;
    }
    model.BeginChain();
    size_t failed = end + 1;
    for (size_t i = start; i <= end; ++i) {
      expected[i] = model.Step(batch[i], now);
      if (!expected[i].ok() && expected[i].result != TransferResult::kExists) {
        failed = i;
        break;
      }
    }
    if (failed <= end) {
      model.RollbackChain();
      for (size_t i = start; i <= end; ++i) {
        if (i != failed) expected[i] = {TransferResult::kLinkedEventFailed, {}};
      }
    }
    start = end + 1;
  }
  return expected;
}

// The chains of `batch` that succeeded whole, in order: a batch that,
// applied again, must change nothing.
std::vector<Transfer> LedgerPropertySucceededChains(const std::vector<Transfer>& batch,
                                                    const std::vector<TransferOutcome>& outcomes) {
  std::vector<Transfer> retry;
  size_t start = 0;
  while (start < batch.size()) {
    size_t end = start;
    while (end < batch.size() && batch[end].flags.linked) ++end;
    if (end == batch.size()) break;
    const bool succeeded = std::all_of(outcomes.begin() + static_cast<std::ptrdiff_t>(start),
                                       outcomes.begin() + static_cast<std::ptrdiff_t>(end) + 1,
                                       [](const TransferOutcome& o) {
                                         return o.ok() || o.result == TransferResult::kExists;
                                       });
    if (succeeded) retry.insert(retry.end(), batch.begin() + static_cast<std::ptrdiff_t>(start),
                                batch.begin() + static_cast<std::ptrdiff_t>(end) + 1);
    start = end + 1;
  }
  return retry;
}

TEST(LedgerBookPropertyTest, RandomBatchesMatchTheModelAndKeepTheInvariants) {
  std::set<TransferResult> seen;
  int retried_chains = 0;
  for (int book_index = 0; book_index < kLedgerPropertyBooks; ++book_index) {
    SCOPED_TRACE(absl::StrCat("book ", book_index));
    LedgerBook book;
    LedgerModel model;
    for (const Account& account : LedgerPropertyAccounts()) {
      ASSERT_TRUE(book.CreateAccount(account).ok());
      model.Open(account);
    }
    LedgerPropertyGenerator generator(0x6c6564676572ull + static_cast<uint64_t>(book_index));
    absl::Time now = LedgerTestNow();
    for (int batch_index = 0; batch_index < kLedgerPropertyBatches; ++batch_index) {
      SCOPED_TRACE(absl::StrCat("batch ", batch_index));
      now += generator.NextPause();
      const std::vector<Transfer> batch = generator.NextBatch();
      const std::vector<TransferOutcome> outcomes = book.Apply(batch, now);
      const std::vector<TransferOutcome> expected = LedgerPropertyExpected(model, batch, now);
      ASSERT_EQ(outcomes, expected);
      for (const TransferOutcome& outcome : outcomes) seen.insert(outcome.result);
      generator.Submitted(batch);
      model.ExpectAgreesWith(book);
      if (::testing::Test::HasFatalFailure()) return;
      ASSERT_THAT(book.CheckInvariants(), ::testing::IsEmpty());

      // A retry of everything that succeeded finds it all and moves nothing.
      const std::vector<Transfer> retry = LedgerPropertySucceededChains(batch, outcomes);
      if (!retry.empty() && generator.Chance(0.3)) {
        const AccountTable before = book.accounts();
        for (const TransferOutcome& outcome : book.Apply(retry, now + absl::Seconds(1))) {
          ASSERT_EQ(outcome.result, TransferResult::kExists);
        }
        ASSERT_EQ(book.accounts(), before);
        ++retried_chains;
      }

      if (generator.Chance(0.3)) {
        ASSERT_EQ(book.ExpirePending(now), model.Expire(now));
        model.ExpectAgreesWith(book);
        if (::testing::Test::HasFatalFailure()) return;
        ASSERT_THAT(book.CheckInvariants(), ::testing::IsEmpty());
      }
    }
  }
  // The batches reached every path that matters.
  EXPECT_GT(retried_chains, 100);
  for (const TransferResult result :
       {TransferResult::kOk, TransferResult::kLinkedEventFailed, TransferResult::kLinkedEventChainOpen,
        TransferResult::kIdMustNotBeEmpty, TransferResult::kAccountsMustBeDifferent,
        TransferResult::kAmountMustNotBeZero, TransferResult::kAmountMustNotBeNegative, TransferResult::kExists,
        TransferResult::kExistsWithDifferentFields, TransferResult::kAccountsMustHaveTheSameCurrency,
        TransferResult::kTransferMustHaveTheSameCurrencyAsAccounts, TransferResult::kPendingTransferNotFound,
        TransferResult::kExceedsPendingTransferAmount, TransferResult::kPendingTransferAlreadyPosted,
        TransferResult::kPendingTransferAlreadyVoided, TransferResult::kPendingTransferExpired,
        TransferResult::kExceedsCredits, TransferResult::kExceedsDebits}) {
    EXPECT_TRUE(seen.contains(result)) << TransferResultName(result);
  }
}

}  // namespace
}  // namespace clipforge::ledger
