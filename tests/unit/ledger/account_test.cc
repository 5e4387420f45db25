// The chart of accounts: every kind named and placed on its normal side,
// balance limits on every kind that must never run the wrong way, history
// on user accounts; balances derived from the four counters, pending
// amounts counting against what is available.
#include "ledger/account.h"

#include <string>

#include "absl/container/flat_hash_set.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/currency.h"

namespace clipforge::ledger {
namespace {

TEST(AccountKindTest, EveryKindHasItsOwnStableName) {
  absl::flat_hash_set<std::string> names;
  for (const AccountKind kind : kAllAccountKinds) {
    const std::string name(AccountKindName(kind));
    EXPECT_NE(name, "unknown");
    EXPECT_TRUE(names.insert(name).second) << name;
  }
  EXPECT_EQ(AccountKindName(AccountKind::kUserWallet), "user_wallet");
  EXPECT_EQ(AccountKindName(AccountKind::kPlatformFeeRevenue), "platform_fee_revenue");
  EXPECT_EQ(AccountKindName(AccountKind::kChargebackLosses), "chargeback_losses");
}

TEST(AccountKindTest, AssetsAndExpensesAreDebitNormal) {
  for (const AccountKind kind : kAllAccountKinds) {
    const bool debit_normal = kind == AccountKind::kUserReceivable || kind == AccountKind::kProviderClearing ||
                              kind == AccountKind::kChargebackLosses;
    EXPECT_EQ(IsCreditNormal(kind), !debit_normal) << AccountKindName(kind);
  }
}

TEST(AccountKindTest, DefaultFlagsLimitEveryKindButCapitalClearingAndRateCapacity) {
  for (const AccountKind kind : kAllAccountKinds) {
    const AccountFlags flags = DefaultAccountFlags(kind);
    SCOPED_TRACE(AccountKindName(kind));
    EXPECT_FALSE(flags.debits_must_not_exceed_credits && flags.credits_must_not_exceed_debits);
    EXPECT_EQ(flags.history, IsUserAccount(kind));
    if (kind == AccountKind::kPlatformCapital || kind == AccountKind::kProviderClearing ||
        kind == AccountKind::kRateCapacity) {
      EXPECT_FALSE(flags.debits_must_not_exceed_credits);
      EXPECT_FALSE(flags.credits_must_not_exceed_debits);
    } else {
      EXPECT_EQ(flags.debits_must_not_exceed_credits, IsCreditNormal(kind));
      EXPECT_EQ(flags.credits_must_not_exceed_debits, !IsCreditNormal(kind));
    }
  }
  const AccountFlags wallet = DefaultAccountFlags(AccountKind::kUserWallet);
  EXPECT_TRUE(wallet.debits_must_not_exceed_credits);
  EXPECT_TRUE(wallet.history);
  EXPECT_FALSE(DefaultAccountFlags(AccountKind::kPlatformFeeRevenue).history);
  EXPECT_TRUE(DefaultAccountFlags(AccountKind::kUserReceivable).credits_must_not_exceed_debits);
}

TEST(AccountKindTest, UserAccountsAreTheFourPerUserKinds) {
  EXPECT_TRUE(IsUserAccount(AccountKind::kUserWallet));
  EXPECT_TRUE(IsUserAccount(AccountKind::kUserEarningsPending));
  EXPECT_TRUE(IsUserAccount(AccountKind::kUserEarningsAvailable));
  EXPECT_TRUE(IsUserAccount(AccountKind::kUserReceivable));
  EXPECT_FALSE(IsUserAccount(AccountKind::kCampaignEscrow));
  EXPECT_FALSE(IsUserAccount(AccountKind::kCreatorFund));
}

TEST(AccountTest, OpenAccountStartsEmptyWithTheKindsFlags) {
  const Account account = OpenAccount("wallet-1", AccountKind::kUserWallet, Currency("USD"));
  EXPECT_EQ(account.id, "wallet-1");
  EXPECT_EQ(account.kind, AccountKind::kUserWallet);
  EXPECT_EQ(account.currency, Currency("USD"));
  EXPECT_EQ(account.flags, DefaultAccountFlags(AccountKind::kUserWallet));
  EXPECT_EQ(account.debits_pending, 0);
  EXPECT_EQ(account.debits_posted, 0);
  EXPECT_EQ(account.credits_pending, 0);
  EXPECT_EQ(account.credits_posted, 0);
  EXPECT_EQ(PostedBalance(account), 0);
  EXPECT_EQ(AvailableBalance(account), 0);
}

TEST(AccountTest, CreditNormalBalancesCountPendingDebitsAgainstAvailable) {
  Account wallet = OpenAccount("w", AccountKind::kUserWallet, Currency("USD"));
  wallet.credits_posted = 10'000'000;
  wallet.debits_posted = 3'000'000;
  wallet.debits_pending = 2'000'000;
  // Pending credits are not there yet: they add nothing.
  wallet.credits_pending = 50'000'000;
  EXPECT_EQ(PostedBalance(wallet), 7'000'000);
  EXPECT_EQ(AvailableBalance(wallet), 5'000'000);
}

TEST(AccountTest, DebitNormalBalancesRunTheOtherWay) {
  Account clearing = OpenAccount("c", AccountKind::kProviderClearing, Currency("USD"));
  clearing.debits_posted = 10'000'000;
  clearing.credits_posted = 4'000'000;
  clearing.credits_pending = 1'000'000;
  clearing.debits_pending = 99'000'000;
  EXPECT_EQ(PostedBalance(clearing), 6'000'000);
  EXPECT_EQ(AvailableBalance(clearing), 5'000'000);
  // Without a limit it may run negative.
  clearing.credits_posted = 12'000'000;
  EXPECT_EQ(PostedBalance(clearing), -2'000'000);
}

}  // namespace
}  // namespace clipforge::ledger
