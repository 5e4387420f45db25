// Velocity limits as expiring holds: the 31st tip in a minute fails whole
// and uses nothing, the allowance comes back when the oldest hold expires
// (the reset time the refusal names), a new wallet's daily amount is a hard
// cap to the micro, and a tip refused for a short wallet takes its holds
// back.
#include "ledger/velocity_limit.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "base/error_reason.h"
#include "base/testing/status_matchers.h"
#include "ledger/ledger_book.h"
#include "ledger/tip_split.h"
#include "ledger/tip_transfers.h"
#include "tests/unit/ledger/ledger_test_util.h"

namespace clipforge::ledger {
namespace {

using base::testing::StatusIs;
using ::testing::HasSubstr;
using testing::kTestUsd;
using testing::LedgerTestNow;
using testing::MoveMoney;

class VelocityLimitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const Account& account :
         {OpenAccount("capital", AccountKind::kPlatformCapital, kTestUsd),
          OpenAccount(AccountIdOf(AccountKind::kUserWallet, "tipper", kTestUsd), AccountKind::kUserWallet, kTestUsd),
          OpenAccount(AccountIdOf(AccountKind::kPlatformFeeRevenue, "", kTestUsd), AccountKind::kPlatformFeeRevenue,
                      kTestUsd),
          OpenAccount(AccountIdOf(AccountKind::kUserEarningsPending, "creator", kTestUsd),
                      AccountKind::kUserEarningsPending, kTestUsd),
          OpenAccount(RateCapacityAccountId(), AccountKind::kRateCapacity, kRateUnits),
          OpenRateAccount(kTipsPerMinute, "tipper"), OpenRateAccount(kNewWalletTipsPerDay, "tipper")}) {
      ASSERT_TRUE(book_.CreateAccount(account).ok()) << account.id;
    }
    const std::vector<Transfer> setup = {
        MoveMoney("top-up", "capital", AccountIdOf(AccountKind::kUserWallet, "tipper", kTestUsd),
                  1'000 * kMicrosPerUnit),
        RateAllowance(kTipsPerMinute, "tipper"), RateAllowance(kNewWalletTipsPerDay, "tipper")};
    for (const TransferOutcome& outcome : book_.Apply(setup, now_)) ASSERT_TRUE(outcome.ok());
  }

  // A tip of `gross` under `limits`: their holds, then the split's legs,
  // one chain. True when it went through.
  bool Tip(Micros gross, std::vector<VelocityLimit> limits) {
    const std::string tip_id = absl::StrCat("tip-", ++tips_);
    const TipSplitRequest request{
        .gross = gross, .tipper_id = "tipper", .clip_id = "clip", .creators = {{.user_id = "creator"}}};
    std::vector<Transfer> chain;
    for (const VelocityLimit& limit : limits) chain.push_back(RateHold(tip_id, limit, "tipper", gross));
    for (Transfer& leg : TipTransfers(tip_id, "tipper", SplitTip(request, TipRules{}).value(), kTestUsd)) {
      chain.push_back(std::move(leg));
    }
    last_ = book_.Apply(chain, now_);
    for (const TransferOutcome& outcome : last_) {
      if (!outcome.ok()) return false;
    }
    return true;
  }

  Micros Wallet() const {
    return PostedBalance(*book_.FindAccount(AccountIdOf(AccountKind::kUserWallet, "tipper", kTestUsd)));
  }

  LedgerBook book_;
  absl::Time now_ = LedgerTestNow();
  int tips_ = 0;
  std::vector<TransferOutcome> last_;
};

TEST_F(VelocityLimitTest, TheThirtyFirstTipInAMinuteFailsWholeUntilTheOldestHoldExpires) {
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(Tip(kMicrosPerUnit, {kTipsPerMinute})) << i;
    now_ += absl::Seconds(1);
  }
  const Micros before = Wallet();
  EXPECT_FALSE(Tip(kMicrosPerUnit, {kTipsPerMinute}));
  EXPECT_EQ(last_.front().result, TransferResult::kExceedsCredits);  // its hold
  for (size_t i = 1; i < last_.size(); ++i) EXPECT_EQ(last_[i].result, TransferResult::kLinkedEventFailed);
  EXPECT_EQ(Wallet(), before);

  // The refusal names the limit and when the first tip's hold expires.
  const std::optional<absl::Time> reset = book_.EarliestHoldExpiry(RateAccountId(kTipsPerMinute, "tipper"));
  ASSERT_TRUE(reset.has_value());
  EXPECT_EQ(*reset, LedgerTestNow() + absl::Minutes(1));
  const absl::Status refused = VelocityLimitExceeded(kTipsPerMinute, *reset);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("tips_per_minute")));
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("30 tips")));
  EXPECT_EQ(base::ReasonOf(refused), "VELOCITY_LIMIT");

  // At the reset the oldest hold is released: one more tip fits, not two.
  now_ = *reset;
  book_.ExpirePending(now_);
  EXPECT_TRUE(Tip(kMicrosPerUnit, {kTipsPerMinute}));
  EXPECT_FALSE(Tip(kMicrosPerUnit, {kTipsPerMinute}));
  EXPECT_THAT(book_.CheckInvariants(), ::testing::IsEmpty());
}

TEST_F(VelocityLimitTest, ANewWalletsDailyAmountIsAHardCapToTheMicro) {
  ASSERT_TRUE(Tip(30 * kMicrosPerUnit, {kTipsPerMinute, kNewWalletTipsPerDay}));
  ASSERT_TRUE(Tip(20 * kMicrosPerUnit, {kTipsPerMinute, kNewWalletTipsPerDay}));  // exactly 50
  const Micros before = Wallet();
  EXPECT_FALSE(Tip(kMicrosPerUnit / 10, {kTipsPerMinute, kNewWalletTipsPerDay}));
  EXPECT_EQ(last_[0].result, TransferResult::kLinkedEventFailed);  // the count hold fit...
  EXPECT_EQ(last_[1].result, TransferResult::kExceedsCredits);     // ...the amount did not
  EXPECT_EQ(Wallet(), before);
  // The count allowance was not used by the refused tip: 28 left.
  const Account* per_minute = book_.FindAccount(RateAccountId(kTipsPerMinute, "tipper"));
  EXPECT_EQ(per_minute->debits_pending, 2);
  // A day later the amount is back.
  now_ += absl::Hours(24);
  book_.ExpirePending(now_);
  EXPECT_TRUE(Tip(50 * kMicrosPerUnit, {kNewWalletTipsPerDay}));
}

TEST_F(VelocityLimitTest, ATipRefusedForAShortWalletUsesNoAllowance) {
  ASSERT_TRUE(Tip(400 * kMicrosPerUnit, {kTipsPerMinute}));
  ASSERT_TRUE(Tip(400 * kMicrosPerUnit, {kTipsPerMinute}));
  EXPECT_FALSE(Tip(400 * kMicrosPerUnit, {kTipsPerMinute}));  // 200 left in the wallet
  EXPECT_EQ(last_.front().result, TransferResult::kLinkedEventFailed);  // the hold fit, the tip did not
  EXPECT_EQ(book_.FindAccount(RateAccountId(kTipsPerMinute, "tipper"))->debits_pending, 2);
  EXPECT_EQ(Wallet(), 200 * kMicrosPerUnit);
  // Granting the allowance again is recognised, not doubled.
  const std::vector<Transfer> again = {RateAllowance(kTipsPerMinute, "tipper")};
  EXPECT_EQ(book_.Apply(again, now_)[0].result, TransferResult::kExists);
}

}  // namespace
}  // namespace clipforge::ledger
