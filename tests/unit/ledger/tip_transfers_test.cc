// A tip's transfers applied to a book: the tipper's wallet goes down by the
// gross and every recipient's pending earnings and the fee revenue up by
// their legs, all or nothing; a retry is recognised leg by leg; a wallet
// short of the gross moves nothing.
#include "ledger/tip_transfers.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ledger/ledger_book.h"
#include "ledger/tip_split.h"
#include "tests/unit/ledger/ledger_test_util.h"

namespace clipforge::ledger {
namespace {

using testing::kTestUsd;
using testing::LedgerTestNow;
using testing::MoveMoney;

// A book with the accounts a tip from "tipper" on "creator"'s fork of
// "parent_author"'s clip names, the tipper's wallet holding `funds`.
LedgerBook TipBook(Micros funds) {
  LedgerBook book;
  const std::vector<Account> accounts = {
      OpenAccount("capital", AccountKind::kPlatformCapital, kTestUsd),
      OpenAccount(AccountIdOf(AccountKind::kUserWallet, "tipper", kTestUsd), AccountKind::kUserWallet, kTestUsd),
      OpenAccount(AccountIdOf(AccountKind::kPlatformFeeRevenue, "", kTestUsd), AccountKind::kPlatformFeeRevenue,
                  kTestUsd),
      OpenAccount(AccountIdOf(AccountKind::kUserEarningsPending, "creator", kTestUsd),
                  AccountKind::kUserEarningsPending, kTestUsd),
      OpenAccount(AccountIdOf(AccountKind::kUserEarningsPending, "parent_author", kTestUsd),
                  AccountKind::kUserEarningsPending, kTestUsd)};
  for (const Account& account : accounts) EXPECT_TRUE(book.CreateAccount(account).ok());
  const std::vector<Transfer> top_up = {
      MoveMoney("top-up", "capital", AccountIdOf(AccountKind::kUserWallet, "tipper", kTestUsd), funds)};
  EXPECT_TRUE(book.Apply(top_up, LedgerTestNow())[0].ok());
  return book;
}

TipSplit SplitOf(Micros gross) {
  TipSplitRequest request{.gross = gross,
                          .tipper_id = "tipper",
                          .clip_id = "fork",
                          .creators = {{.user_id = "creator"}},
                          .lineage = {{.clip_id = "parent", .author_id = "parent_author"}}};
  absl::StatusOr<TipSplit> split = SplitTip(request, TipRules{});
  EXPECT_TRUE(split.ok()) << split.status();
  return split.value_or(TipSplit{});
}

Micros Balance(const LedgerBook& book, AccountKind kind, const std::string& owner) {
  const Account* account = book.FindAccount(AccountIdOf(kind, owner, kTestUsd));
  EXPECT_NE(account, nullptr) << owner;
  return account == nullptr ? 0 : PostedBalance(*account);
}

TEST(TipTransfersTest, ATipMovesTheGrossOutOfTheWalletIntoItsLegs) {
  LedgerBook book = TipBook(10 * kMicrosPerUnit);
  const TipSplit split = SplitOf(3 * kMicrosPerUnit);
  const std::vector<Transfer> transfers = TipTransfers("tip-1", "tipper", split, kTestUsd);
  ASSERT_EQ(transfers.size(), split.legs.size());
  for (size_t i = 0; i < transfers.size(); ++i) {
    EXPECT_EQ(transfers[i].id, "tip-1/" + std::to_string(i));
    EXPECT_EQ(transfers[i].rules_version, split.rules_version);
    EXPECT_EQ(transfers[i].flags.linked, i + 1 < transfers.size());
  }
  for (const TransferOutcome& outcome : book.Apply(transfers, LedgerTestNow())) EXPECT_TRUE(outcome.ok());

  EXPECT_EQ(Balance(book, AccountKind::kUserWallet, "tipper"), 7 * kMicrosPerUnit);
  EXPECT_EQ(Balance(book, AccountKind::kPlatformFeeRevenue, ""), split.fee);
  EXPECT_EQ(Balance(book, AccountKind::kUserEarningsPending, "parent_author"), split.royalties);
  EXPECT_EQ(Balance(book, AccountKind::kUserEarningsPending, "creator"), split.creators_share);
  EXPECT_EQ(split.fee + split.royalties + split.creators_share, 3 * kMicrosPerUnit);
  EXPECT_THAT(book.CheckInvariants(), ::testing::IsEmpty());

  // The same tip again: every leg recognised, nothing moves twice.
  for (const TransferOutcome& outcome : book.Apply(transfers, LedgerTestNow())) {
    EXPECT_EQ(outcome.result, TransferResult::kExists);
  }
  EXPECT_EQ(Balance(book, AccountKind::kUserWallet, "tipper"), 7 * kMicrosPerUnit);
}

TEST(TipTransfersTest, AWalletShortOfTheGrossMovesNothing) {
  LedgerBook book = TipBook(3 * kMicrosPerUnit - 1);
  const std::vector<TransferOutcome> outcomes =
      book.Apply(TipTransfers("tip-2", "tipper", SplitOf(3 * kMicrosPerUnit), kTestUsd), LedgerTestNow());
  int exceeded = 0;
  for (const TransferOutcome& outcome : outcomes) {
    EXPECT_FALSE(outcome.ok());
    if (outcome.result == TransferResult::kExceedsCredits) ++exceeded;
  }
  EXPECT_EQ(exceeded, 1);  // the leg that did not fit; the others failed with it
  EXPECT_EQ(Balance(book, AccountKind::kUserWallet, "tipper"), 3 * kMicrosPerUnit - 1);
  EXPECT_EQ(Balance(book, AccountKind::kPlatformFeeRevenue, ""), 0);
  EXPECT_EQ(Balance(book, AccountKind::kUserEarningsPending, "creator"), 0);
  EXPECT_THAT(book.CheckInvariants(), ::testing::IsEmpty());
}

TEST(TipTransfersTest, AccountIdsAreDerivedFromKindOwnerAndCurrency) {
  EXPECT_EQ(AccountIdOf(AccountKind::kUserWallet, "u1", kTestUsd), "user_wallet:u1:USD");
  EXPECT_EQ(AccountIdOf(AccountKind::kPlatformFeeRevenue, "", kTestUsd), "platform_fee_revenue::USD");
  EXPECT_NE(AccountIdOf(AccountKind::kUserWallet, "u1", kTestUsd),
            AccountIdOf(AccountKind::kUserEarningsPending, "u1", kTestUsd));
}

}  // namespace
}  // namespace clipforge::ledger
