// The ledger writer over PgTippingStore and a real Postgres, its
// connections passing through a loopback proxy that cuts one of them at an
// exact point, to make the two in-doubt commits real:
//  - COMMIT reached Postgres and committed, but its answer never came back:
//    the writer must acknowledge the batch (it is stored), exactly once;
//  - the connection died just before COMMIT was sent: Postgres rolled the
//    batch back, and the writer must say UNAVAILABLE, keep no trace of it in
//    memory, and book the same request on a retry, once.
// Either way, the books in memory equal the stored ones afterwards, and a
// new writer continues the stored hash chain. Also here, over the same
// ledger: the earnings release job reading what migration 0029's trigger
// keeps waiting.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "base/testing/fake_clock.h"
#include "base/testing/status_matchers.h"
#include "ledger/account.h"
#include "ledger/tip_split.h"
#include "ledger/tip_transfers.h"
#include "ledger/transfer.h"
#include "services/kit/migrator.h"
#include "services/kit/pg_pool.h"
#include "services/tipping/earnings_release_logic.h"
#include "services/tipping/earnings_store.h"
#include "services/tipping/ledger_writer.h"
#include "services/tipping/store.h"
#include "tests/support/tcp_proxy.h"
#include "tests/support/test_servers.h"

namespace clipforge::tipping_service {
namespace ledger_writer_pgtest {
namespace {

using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::StatusIs;
using ::clipforge::testing::TcpProxy;
using ::clipforge::testing::TestPostgres;

constexpr int64_t kUnit = 1'000'000;
constexpr ledger::Currency kUsd("USD");
constexpr char kFan[] = "0190a000-0000-7000-8000-0000000000f1";
constexpr char kMaker[] = "0190a000-0000-7000-8000-0000000000f2";
// What libpq sends to commit: a simple Query message, "COMMIT".
const std::string kCommitMessage("Q\0\0\0\x0b" "COMMIT\0", 12);

std::string Account(ledger::AccountKind kind, const char* owner) { return ledger::AccountIdOf(kind, owner, kUsd); }

class LedgerWriterPgTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto migrations = kit::LoadMigrations(CF_MIGRATIONS_DIR);
    ASSERT_TRUE(migrations.ok()) << migrations.status();
    ASSERT_TRUE(kit::ApplyMigrations(pg_->dsn(), *migrations).ok());
    ASSERT_THAT(writer_->Start(), IsOk());
    // The fan's wallet gets 10 units.
    LedgerRequest top_up;
    const std::string clearing = Account(ledger::AccountKind::kProviderClearing, "");
    top_up.accounts = {ledger::OpenAccount(clearing, ledger::AccountKind::kProviderClearing, kUsd),
                       ledger::OpenAccount(Wallet(), ledger::AccountKind::kUserWallet, kUsd)};
    top_up.transfers = {{.id = "top_up/1",
                         .debit_account_id = clearing,
                         .credit_account_id = Wallet(),
                         .amount = 10 * kUnit,
                         .currency = kUsd,
                         .code = ledger::TransferCode::kTopUp}};
    const absl::StatusOr<LedgerReply> reply = writer_->Submit(top_up);
    ASSERT_THAT(reply, IsOk());
    ASSERT_TRUE(reply->outcomes[0].ok());
  }

  static std::string Wallet() { return Account(ledger::AccountKind::kUserWallet, kFan); }

  // A 1-unit tip from the fan to the maker's clip: the fee and the maker's
  // share, as one linked chain.
  static LedgerRequest Tip(const std::string& tip_id) {
    ledger::TipSplitRequest split_request{.gross = kUnit, .tipper_id = kFan, .clip_id = "clip"};
    split_request.creators.push_back({.user_id = kMaker});
    const ledger::TipSplit split = ledger::SplitTip(split_request, ledger::TipRules{}).value();
    LedgerRequest request;
    request.transfers = ledger::TipTransfers(tip_id, kFan, split, kUsd);
    request.accounts = {ledger::OpenAccount(Account(ledger::AccountKind::kPlatformFeeRevenue, ""),
                                            ledger::AccountKind::kPlatformFeeRevenue, kUsd),
                        ledger::OpenAccount(Account(ledger::AccountKind::kUserEarningsPending, kMaker),
                                            ledger::AccountKind::kUserEarningsPending, kUsd)};
    return request;
  }

  int64_t Scalar(const std::string& sql) {
    pqxx::connection conn(pg_->dsn());
    pqxx::nontransaction txn(conn);
    return txn.exec1(sql)[0].as<int64_t>();
  }

  int64_t StoredWallet() {
    return Scalar(absl::StrCat("SELECT credits_posted - debits_posted FROM tipping.accounts WHERE account_id = '",
                               Wallet(), "'"));
  }

  std::unique_ptr<TestPostgres> pg_ = TestPostgres::Start();
  TcpProxy proxy_{pg_->port()};
  // Every connection of the store passes through the proxy.
  kit::PgPool pool_{{.dsn = absl::StrCat("postgresql://postgres@127.0.0.1:", proxy_.port(), "/clipforge"),
                     .size = 2,
                     .role = "cf_tipping",
                     .statement_timeout = absl::Seconds(30),
                     .statements = [] {
                       std::vector<kit::PreparedStatement> statements = PgTippingStore::Statements();
                       for (kit::PreparedStatement& s : PgEarningsStore::Statements()) statements.push_back(s);
                       return statements;
                     }()}};
  PgTippingStore store_{pool_};
  PgEarningsStore earnings_{pool_};
  base::testing::FakeClock clock_;
  std::unique_ptr<LedgerWriter> writer_ = std::make_unique<LedgerWriter>(store_, clock_);
};

TEST_F(LedgerWriterPgTest, ACommitWhoseAnswerWasLostIsAcknowledgedExactlyOnce) {
  const int64_t batches = writer_->last_batch_sequence();
  proxy_.CutAfter(kCommitMessage, /*forward_match=*/true);
  const absl::StatusOr<LedgerReply> reply = writer_->Submit(Tip("tip-1"));
  ASSERT_TRUE(proxy_.cut_done()) << "the commit's connection was not cut";
  // In doubt, resolved by retaking the fence and finding the batch stored.
  ASSERT_THAT(reply, IsOk());
  EXPECT_TRUE(reply->outcomes.back().ok());
  EXPECT_EQ(reply->batch_sequence, batches + 1);
  EXPECT_EQ(StoredWallet(), 9 * kUnit);
  EXPECT_EQ(Scalar("SELECT count(*) FROM tipping.transfers WHERE transfer_id LIKE 'tip-1/%'"), 2);
  EXPECT_EQ(Scalar("SELECT epoch FROM tipping.writer_fence"), 2);

  // A retry moves nothing; the next tip chains onto the batch.
  const absl::StatusOr<LedgerReply> retry = writer_->Submit(Tip("tip-1"));
  ASSERT_THAT(retry, IsOk());
  EXPECT_EQ(retry->outcomes.back().result, ledger::TransferResult::kExists);
  ASSERT_THAT(writer_->Submit(Tip("tip-2")), IsOk());
  EXPECT_EQ(StoredWallet(), 8 * kUnit);
  EXPECT_EQ(Scalar("SELECT count(*) FROM tipping.batches b JOIN tipping.batches p ON b.previous_hash = p.hash "
                   "AND p.sequence = b.sequence - 1"),
            writer_->last_batch_sequence() - 1);
  EXPECT_TRUE(writer_->CheckInvariants().empty());
}

TEST_F(LedgerWriterPgTest, ACommitThatNeverReachedPostgresFailsAndTheRetryBooksItOnce) {
  const int64_t batches = writer_->last_batch_sequence();
  proxy_.CutAfter(kCommitMessage, /*forward_match=*/false);
  const absl::StatusOr<LedgerReply> reply = writer_->Submit(Tip("tip-1"));
  ASSERT_TRUE(proxy_.cut_done()) << "the commit's connection was not cut";
  EXPECT_THAT(reply, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(StoredWallet(), 10 * kUnit);
  EXPECT_EQ(Scalar("SELECT count(*) FROM tipping.transfers WHERE transfer_id LIKE 'tip-1/%'"), 0);
  EXPECT_EQ(writer_->last_batch_sequence(), batches);

  // Nothing of it stayed in memory: the retry books it, once.
  const absl::StatusOr<LedgerReply> retry = writer_->Submit(Tip("tip-1"));
  ASSERT_THAT(retry, IsOk());
  EXPECT_TRUE(retry->outcomes.back().ok());
  EXPECT_EQ(retry->batch_sequence, batches + 1);
  EXPECT_EQ(StoredWallet(), 9 * kUnit);
  EXPECT_EQ(Scalar("SELECT count(*) FROM tipping.transfers WHERE transfer_id LIKE 'tip-1/%'"), 2);
  EXPECT_TRUE(writer_->CheckInvariants().empty());

  // A new writer (another process) loads what is stored and chains on.
  writer_->Stop();
  LedgerWriter next(store_, clock_);
  ASSERT_THAT(next.Start(), IsOk());
  EXPECT_EQ(next.last_batch_sequence(), batches + 1);
  const absl::StatusOr<LedgerReply> again = next.Submit(Tip("tip-1"));
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->outcomes.back().result, ledger::TransferResult::kExists);
  ASSERT_THAT(next.Submit(Tip("tip-2")), IsOk());
  EXPECT_EQ(StoredWallet(), 8 * kUnit);
  EXPECT_TRUE(next.CheckInvariants().empty());
}

TEST_F(LedgerWriterPgTest, EarningsWaitOutTheirHoldAndAreReleasedOnce) {
  // The maker's first earning: a new creator's, held 30 days.
  const absl::Time tipped = clock_.Now();
  ASSERT_THAT(writer_->Submit(Tip("tip-1")), IsOk());
  ASSERT_THAT(writer_->Submit(Tip("tip-2")), IsOk());
  EXPECT_EQ(Scalar("SELECT count(*) FROM tipping.unreleased_earnings"), 2);
  EXPECT_EQ(Scalar(absl::StrCat("SELECT count(*) FROM tipping.first_earnings WHERE account_id = '",
                                Account(ledger::AccountKind::kUserEarningsPending, kMaker), "'")),
            1);

  EarningsReleaseLogic release(earnings_, *writer_, kUsd);
  absl::StatusOr<EarningsReleaseRun> run = release.ReleaseDue(tipped + absl::Hours(24 * 7));
  ASSERT_THAT(run, IsOk());
  EXPECT_EQ(run->released, 0);
  run = release.ReleaseDue(tipped + absl::Hours(24 * 30));
  ASSERT_THAT(run, IsOk());
  EXPECT_EQ(run->released, 2);
  EXPECT_EQ(Scalar("SELECT count(*) FROM tipping.unreleased_earnings"), 0);
  const std::string jar = Account(ledger::AccountKind::kUserEarningsAvailable, kMaker);
  // Two shares of 0.95 each.
  EXPECT_EQ(Scalar(absl::StrCat("SELECT credits_posted FROM tipping.accounts WHERE account_id = '", jar, "'")),
            2 * 950'000);
  EXPECT_EQ(Scalar(absl::StrCat("SELECT credits_posted - debits_posted FROM tipping.accounts WHERE account_id = '",
                                Account(ledger::AccountKind::kUserEarningsPending, kMaker), "'")),
            0);
  // Running again moves nothing.
  run = release.ReleaseDue(tipped + absl::Hours(24 * 60));
  ASSERT_THAT(run, IsOk());
  EXPECT_EQ(run->released, 0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM tipping.transfers WHERE transfer_id LIKE '%/release'"), 2);
  EXPECT_TRUE(writer_->CheckInvariants().empty());
}

}  // namespace
}  // namespace ledger_writer_pgtest
}  // namespace clipforge::tipping_service
