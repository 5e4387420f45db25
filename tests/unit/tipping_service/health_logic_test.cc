// GetLedgerHealth's logic over the ledger writer and in-memory fakes: a
// ledger that top-ups and tips (a refused one among them) went through is
// healthy, in memory and in its stored rows, with its totals at zero; a
// stored counter changed behind the writer's back, or a batch whose
// previous_hash no longer links, makes it unhealthy and is named; only admins
// may ask; the problems listed stop at 100.
#include "services/tipping/health_logic.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/random.h"
#include "base/testing/fake_clock.h"
#include "base/testing/status_matchers.h"
#include "base/uuid.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/tip_transfers.h"
#include "services/kit/event_factory.h"
#include "services/tipping/tipping_logic.h"
#include "tests/unit/tipping_service/fake_ledger_store.h"
#include "tests/unit/tipping_service/fake_tipping_store.h"
#include "tests/unit/tipping_service/tipping_world.h"

namespace clipforge::tipping_service {
namespace health_logic_test {
namespace {

using ::clipforge::base::testing::FakeClock;
using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::StatusIs;
using ::clipforge::tipping_service::testing::FakeLedgerStore;
using ::clipforge::tipping_service::testing::FakeTippingStore;
using ledger::AccountKind;
using ledger::Micros;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr Micros kUnit = ledger::kMicrosPerUnit;

class LedgerHealthTest : public ::clipforge::tipping_service::testing::TippingWorldTest {
 protected:
  void SetUp() override {
    TippingWorldTest::SetUp();
    if (HasFatalFailure()) return;
    // A creator tipped by two fans; one more tip than a wallet holds is
    // refused (its chain rolled back, its hold never booked).
    const kit::Caller fan = User();
    const kit::Caller other_fan = User();
    const std::string clip = ids_.Next();
    ASSERT_THAT(store_.PutClip({.clip_id = clip, .author_id = creator_.user_id}), IsOk());
    for (const kit::Caller& tipper : {fan, other_fan}) {
      ASSERT_THAT(logic_.CreateTopUp(tipper, {.top_up_id = ids_.Next(), .amount = 5 * kUnit, .provider = "sandbox",
                                              .payment_method_token = "tok_visa"}),
                  IsOk());
    }
    for (int i = 0; i < 3; ++i) {
      ASSERT_THAT(logic_.SendTip(fan, {.tip_id = ids_.Next(), .clip_id = clip, .amount = kUnit}), IsOk());
    }
    ASSERT_THAT(logic_.SendTip(other_fan, {.tip_id = ids_.Next(), .clip_id = clip, .amount = 2 * kUnit}), IsOk());
    ASSERT_THAT(logic_.SendTip(other_fan, {.tip_id = ids_.Next(), .clip_id = clip, .amount = 4 * kUnit}),
                StatusIs(absl::StatusCode::kFailedPrecondition));
  }
  kit::Caller Admin() { return kit::Caller{.user_id = ids_.Next(), .roles = {base::Role::kUser, base::Role::kAdmin}}; }

  static std::string Problems(const LedgerHealthReport& report) {
    std::string text;
    for (const std::string& problem : report.problems) absl::StrAppend(&text, problem, "\n");
    return text;
  }

  LedgerHealthLogic health_{store_, writer_, clock_};
  const kit::Caller creator_ = User();
};

TEST_F(LedgerHealthTest, ALedgerThatTipsWentThroughIsHealthy) {
  const absl::StatusOr<LedgerHealthReport> report = health_.Check(Admin());
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->healthy) << Problems(*report);
  EXPECT_THAT(report->problems, SizeIs(0));
  EXPECT_EQ(report->negative_balance_accounts, 0);
  EXPECT_EQ(report->unbalanced_transfers, 0);
  EXPECT_EQ(report->balance_mismatches, 0);
  // Wallets, pending earnings, fee revenue, provider clearing, the rate
  // accounts: every one checked, and every entry.
  EXPECT_GE(report->accounts_checked, 7);
  int64_t entries = 0;
  for (const LedgerBatch& batch : ledger_.batches()) entries += static_cast<int64_t>(batch.entries.size());
  EXPECT_GT(entries, 0);
  EXPECT_EQ(report->entries_checked, entries);
  // The money and the velocity limits' rate units each sum to zero.
  ASSERT_THAT(report->totals, SizeIs(2));
  for (const LedgerHealthReport::CurrencyTotal& total : report->totals) EXPECT_EQ(total.sum, 0) << total.currency;
  EXPECT_EQ(report->totals[0].currency, "USD");
  EXPECT_EQ(report->check_time, clock_.Now());
}

TEST_F(LedgerHealthTest, OnlyAdminsMayAsk) {
  EXPECT_THAT(health_.Check(User()), StatusIs(absl::StatusCode::kPermissionDenied));
  kit::Caller moderator = User();
  moderator.roles = {base::Role::kModerator};
  EXPECT_THAT(health_.Check(moderator), StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_F(LedgerHealthTest, AStoredCounterChangedBehindTheWritersBackIsFound) {
  const std::string earnings = ledger::AccountIdOf(AccountKind::kUserEarningsPending, creator_.user_id,
                                                   ledger::Currency("USD"));
  store_.TamperAccount(earnings, [](ledger::Account& account) { account.credits_posted += 1; });

  const absl::StatusOr<LedgerHealthReport> report = health_.Check(Admin());
  ASSERT_THAT(report, IsOk());
  EXPECT_FALSE(report->healthy);
  // The books no longer balance, the account's counters no longer follow
  // from its transfers, and its balance no longer from its entries.
  ASSERT_FALSE(report->totals.empty());
  EXPECT_EQ(report->totals[0].currency, "USD");
  EXPECT_EQ(report->totals[0].sum, 1);
  EXPECT_EQ(report->balance_mismatches, 1);
  EXPECT_EQ(report->negative_balance_accounts, 0);
  EXPECT_EQ(report->unbalanced_transfers, 0);
  const std::string problems = Problems(*report);
  EXPECT_THAT(problems, HasSubstr("accounts whose counters differ from their transfers"));
  EXPECT_THAT(problems, HasSubstr(absl::StrCat("account ", earnings, ": counters differ")));
  EXPECT_THAT(problems, HasSubstr("USD: credits_posted - debits_posted over all accounts is 0.000001, not 0"));
}

TEST_F(LedgerHealthTest, ABatchThatNoLongerLinksBreaksTheChain) {
  ASSERT_GE(ledger_.batches().size(), 3u);
  store_.TamperPreviousHash(2, std::string(32, 'x'));

  const absl::StatusOr<LedgerHealthReport> report = health_.Check(Admin());
  ASSERT_THAT(report, IsOk());
  EXPECT_FALSE(report->healthy);
  EXPECT_THAT(report->problems, Contains("stored rows: 1 batches that break the hash chain"));
  EXPECT_THAT(report->problems, Contains("  batch 2: breaks the chain"));
  // Nothing else is wrong.
  EXPECT_EQ(report->balance_mismatches, 0);
  for (const LedgerHealthReport::CurrencyTotal& total : report->totals) EXPECT_EQ(total.sum, 0);
}

TEST_F(LedgerHealthTest, AtMostAHundredProblemsAreListed) {
  for (int i = 0; i < 150; ++i) {
    store_.TamperAccount(absl::StrCat("phantom:", i, ":USD"), [](ledger::Account& account) {
      account.currency = ledger::Currency("USD");
      account.kind = AccountKind::kPlatformCapital;
      account.credits_posted = 1;
    });
  }
  const absl::StatusOr<LedgerHealthReport> report = health_.Check(Admin());
  ASSERT_THAT(report, IsOk());
  EXPECT_FALSE(report->healthy);
  EXPECT_EQ(report->balance_mismatches, 150);
  ASSERT_THAT(report->problems, SizeIs(kMaxLedgerHealthProblems));
  EXPECT_THAT(report->problems.back(), HasSubstr("more"));
}

}  // namespace
}  // namespace health_logic_test
}  // namespace clipforge::tipping_service
