#include "cli/money_views.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "cli/errors.h"
#include "cli/output.h"

namespace clipforge::cli {
namespace {

v1::Money UsdOf(int64_t micros) {
  v1::Money money;
  money.set_amount_micros(micros);
  money.set_currency("USD");
  return money;
}

google::protobuf::Timestamp TimestampAt(int64_t seconds) {
  google::protobuf::Timestamp time;
  time.set_seconds(seconds);
  return time;
}

void AddTipLeg(v1::Tip& tip, v1::TipLegKind kind, std::string user_id, int32_t depth, int64_t micros,
               std::string clip_id, std::string account_id) {
  v1::TipLeg& leg = *tip.add_legs();
  leg.set_kind(kind);
  leg.set_user_id(std::move(user_id));
  leg.set_depth(depth);
  *leg.mutable_amount() = UsdOf(micros);
  leg.set_clip_id(std::move(clip_id));
  leg.set_account_id(std::move(account_id));
}

// A 1.00 tip on a fork two deep: 5% fee, royalties of 5% and 2.5% of the
// net to the parent's and the root's authors, the rest to the creator; the
// royalties have more than two decimals.
v1::Tip TipWithRoyalties() {
  v1::Tip tip;
  tip.set_tip_id("tip-1");
  tip.set_sender_id("id-alice");
  tip.set_clip_id("clip-1");
  *tip.mutable_amount() = UsdOf(1'000'000);
  tip.set_message("great remix");
  *tip.mutable_create_time() = TimestampAt(1714564800);  // 2024-05-01T12:00:00Z
  AddTipLeg(tip, v1::TIP_LEG_KIND_PLATFORM_FEE, "", 0, 50'000, "", "platform_fees:USD");
  AddTipLeg(tip, v1::TIP_LEG_KIND_ROYALTY, "id-bob", 1, 47'500, "clip-0", "user_earnings_pending:id-bob:USD");
  AddTipLeg(tip, v1::TIP_LEG_KIND_ROYALTY, "id-cat", 2, 23'750, "clip-root", "user_earnings_pending:id-cat:USD");
  AddTipLeg(tip, v1::TIP_LEG_KIND_CREATOR_SHARE, "id-dan", 0, 878'750, "clip-1", "user_earnings_pending:id-dan:USD");
  return tip;
}

void AddLedgerEntry(AccountStatement& statement, int64_t seconds, v1::TransferKind kind, int64_t micros,
                    int64_t balance_after, std::string reference, std::string clip_id = "",
                    std::string counterparty = "") {
  v1::LedgerEntry& entry = statement.entries.emplace_back();
  const std::string n = std::to_string(statement.entries.size());
  entry.set_entry_id(statement.account_id + "#" + n);
  entry.set_transfer_id("tr-" + n);
  entry.set_account_id(statement.account_id);
  entry.set_kind(kind);
  *entry.mutable_amount() = UsdOf(micros);
  *entry.mutable_balance_after() = UsdOf(balance_after);
  entry.set_reference_id(std::move(reference));
  entry.set_clip_id(std::move(clip_id));
  entry.set_counterparty_user_id(std::move(counterparty));
  *entry.mutable_create_time() = TimestampAt(seconds);
}

// A wallet topped up with 20.00, tipping 1.00, then charged back 5.00.
AccountStatement ThreeEntryStatement() {
  AccountStatement statement;
  statement.kind = v1::ACCOUNT_KIND_WALLET;
  statement.account_id = "user_wallet:u-1:USD";
  statement.opening_balance = UsdOf(0);
  AddLedgerEntry(statement, 1714564800, v1::TRANSFER_KIND_TOP_UP, 20'000'000, 20'000'000, "tu-1");
  AddLedgerEntry(statement, 1714568400, v1::TRANSFER_KIND_TIP, -1'000'000, 19'000'000, "tip-1", "clip-1", "id-dan");
  AddLedgerEntry(statement, 1714642200, v1::TRANSFER_KIND_CHARGEBACK, -5'000'000, 14'000'000, "tu-2");
  statement.closing_balance = UsdOf(14'000'000);
  return statement;
}

TEST(MoneyViewsTest, AmountsParseExactlyIntoMicros) {
  const std::pair<const char*, int64_t> good[] = {
      {"2", 2'000'000},
      {"0.10", 100'000},
      {"0.1", 100'000},
      {"12.5", 12'500'000},
      {"12.50", 12'500'000},
      {"0.01", 10'000},
      {"007", 7'000'000},
      {"500.00", 500'000'000},
      // 0.29 is not a double: read as text, it is still 290,000 micros.
      {"0.29", 290'000},
      {"19.99", 19'990'000},
      // The largest amount micros can hold in whole cents.
      {"9223372036854.77", 9'223'372'036'854'770'000},
  };
  for (const auto& [text, micros] : good) {
    const absl::StatusOr<int64_t> parsed = ParseAmountMicros("AMOUNT", text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status();
    EXPECT_EQ(*parsed, micros) << text;
  }
  const std::pair<const char*, const char*> bad[] = {
      {"", "AMOUNT must be an amount such as 2, 0.10 or 12.5 (at most two decimals), not ''"},
      {"abc", "AMOUNT must be an amount such as 2, 0.10 or 12.5 (at most two decimals), not 'abc'"},
      {"1.", "must be an amount such as"},
      {".5", "must be an amount such as"},
      {"1.2.3", "must be an amount such as"},
      {"+1", "must be an amount such as"},
      {" 1", "must be an amount such as"},
      {"1 ", "must be an amount such as"},
      {"1,000", "must be an amount such as"},
      {"1e3", "must be an amount such as"},
      {"0x10", "must be an amount such as"},
      {"$5", "must be an amount such as"},
      {"5 USD", "must be an amount such as"},
      {"1.2a", "must be an amount such as"},
      {"1.234", "AMOUNT must be whole cents, at most two decimals, not '1.234'"},
      {"0.001", "must be whole cents"},
      {"1.000", "must be whole cents"},
      {"-1", "AMOUNT must be more than 0, not '-1'"},
      {"-0.10", "must be more than 0"},
      {"0", "AMOUNT must be more than 0, not '0'"},
      {"0.00", "must be more than 0"},
      {"9223372036855", "AMOUNT is too large: '9223372036855'"},
      {"9223372036854.78", "is too large"},
      {"99999999999999999999", "is too large"},
  };
  for (const auto& [text, message] : bad) {
    const absl::StatusOr<int64_t> parsed = ParseAmountMicros("AMOUNT", text);
    ASSERT_FALSE(parsed.ok()) << text << " parsed as " << *parsed;
    EXPECT_EQ(ExitCodeOf(parsed.status()), kExitUsage) << text;
    EXPECT_NE(parsed.status().message().find(message), absl::string_view::npos)
        << text << ": " << parsed.status().message();
  }
}

TEST(MoneyViewsTest, AmountsPrintExactlyWithTwoDecimalsOrMore) {
  EXPECT_EQ(AmountText(0), "0.00");
  EXPECT_EQ(AmountText(10'000), "0.01");
  EXPECT_EQ(AmountText(100'000), "0.10");
  EXPECT_EQ(AmountText(1'230'000), "1.23");
  EXPECT_EQ(AmountText(12'500'000), "12.50");
  // Sub-cent amounts (royalty legs) are never rounded.
  EXPECT_EQ(AmountText(47'500), "0.0475");
  EXPECT_EQ(AmountText(1), "0.000001");
  EXPECT_EQ(AmountText(12'345'678), "12.345678");
  EXPECT_EQ(AmountText(-1'000'000), "-1.00");
  EXPECT_EQ(AmountText(-23'750), "-0.02375");
  EXPECT_EQ(AmountText(std::numeric_limits<int64_t>::max()), "9223372036854.775807");
  EXPECT_EQ(AmountText(std::numeric_limits<int64_t>::min()), "-9223372036854.775808");

  EXPECT_EQ(MoneyText(UsdOf(1'230'000)), "1.23 USD");
  EXPECT_EQ(MoneyText(v1::Money()), "0.00");
  EXPECT_EQ(SignedMoneyText(UsdOf(5'000'000)), "+5.00 USD");
  EXPECT_EQ(SignedMoneyText(UsdOf(-1'000'000)), "-1.00 USD");
  EXPECT_EQ(SignedMoneyText(UsdOf(0)), "0.00 USD");

  EXPECT_EQ(ShareText(50'000, 1'000'000), "5%");
  EXPECT_EQ(ShareText(47'500, 1'000'000), "4.75%");
  EXPECT_EQ(ShareText(23'750, 1'000'000), "2.38%");  // 2.375%, rounded once
  EXPECT_EQ(ShareText(1, 8), "12.5%");
  EXPECT_EQ(ShareText(1, 3), "33.33%");
  EXPECT_EQ(ShareText(2, 3), "66.67%");
  EXPECT_EQ(ShareText(5, 5), "100%");
  EXPECT_EQ(ShareText(0, 5), "0%");
  EXPECT_EQ(ShareText(1, 0), "");
  EXPECT_EQ(ShareText(std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::max()), "100%");
}

TEST(MoneyViewsTest, ATipShowsEachLegWithItsShare) {
  EXPECT_EQ(RenderHuman(TipRecord(TipWithRoyalties(), MoneyReaders::kPeople)),
            "tip id:    tip-1\n"
            "sender id: id-alice\n"
            "clip id:   clip-1\n"
            "amount:    1.00 USD\n"
            "message:   great remix\n"
            "sent:      2024-05-01T12:00:00Z\n"
            "\n"
            "KIND           USER ID  DEPTH  AMOUNT       SHARE\n"
            "platform-fee   -        -      0.05 USD     5%\n"
            "royalty        id-bob   1      0.0475 USD   4.75%\n"
            "royalty        id-cat   2      0.02375 USD  2.38%\n"
            "creator-share  id-dan   -      0.87875 USD  87.88%\n");
  EXPECT_EQ(RenderJson(TipRecord(TipWithRoyalties(), MoneyReaders::kScripts)),
            "{\"tip_id\":\"tip-1\",\"sender_id\":\"id-alice\",\"clip_id\":\"clip-1\",\"amount\":\"1.00 USD\","
            "\"amount_micros\":1000000,\"message\":\"great remix\",\"sent\":\"2024-05-01T12:00:00Z\",\"legs\":["
            "{\"kind\":\"platform-fee\",\"user_id\":\"\",\"depth\":0,\"amount\":\"0.05 USD\",\"amount_micros\":50000,"
            "\"share\":\"5%\",\"clip_id\":\"\",\"account_id\":\"platform_fees:USD\"},"
            "{\"kind\":\"royalty\",\"user_id\":\"id-bob\",\"depth\":1,\"amount\":\"0.0475 USD\",\"amount_micros\":47500,"
            "\"share\":\"4.75%\",\"clip_id\":\"clip-0\",\"account_id\":\"user_earnings_pending:id-bob:USD\"},"
            "{\"kind\":\"royalty\",\"user_id\":\"id-cat\",\"depth\":2,\"amount\":\"0.02375 USD\","
            "\"amount_micros\":23750,\"share\":\"2.38%\",\"clip_id\":\"clip-root\","
            "\"account_id\":\"user_earnings_pending:id-cat:USD\"},"
            "{\"kind\":\"creator-share\",\"user_id\":\"id-dan\",\"depth\":0,\"amount\":\"0.87875 USD\","
            "\"amount_micros\":878750,\"share\":\"87.88%\",\"clip_id\":\"clip-1\","
            "\"account_id\":\"user_earnings_pending:id-dan:USD\"}]}\n");
  // Without a message, people see no message line.
  v1::Tip quiet = TipWithRoyalties();
  quiet.clear_message();
  EXPECT_EQ(RenderHuman(TipRecord(quiet, MoneyReaders::kPeople)).find("message"), std::string::npos);
}

TEST(MoneyViewsTest, AStatementListsEachEntrySignedBetweenItsBalances) {
  EXPECT_EQ(StatementText(ThreeEntryStatement()),
            "account:    wallet\n"
            "account id: user_wallet:u-1:USD\n"
            "\n"
            "TIME                  KIND        AMOUNT      BALANCE AFTER  REFERENCE\n"
            "2024-05-01T12:00:00Z  top-up      +20.00 USD  20.00 USD      tu-1\n"
            "2024-05-01T13:00:00Z  tip         -1.00 USD   19.00 USD      tip-1\n"
            "2024-05-02T09:30:00Z  chargeback  -5.00 USD   14.00 USD      tu-2\n"
            "\n"
            "opening balance: 0.00 USD\n"
            "closing balance: 14.00 USD\n");
  EXPECT_EQ(RenderJson(StatementRecord(ThreeEntryStatement())),
            "{\"account\":\"wallet\",\"account_id\":\"user_wallet:u-1:USD\",\"opening_balance\":\"0.00 USD\","
            "\"opening_balance_micros\":0,\"entries\":["
            "{\"time\":\"2024-05-01T12:00:00Z\",\"kind\":\"top-up\",\"amount\":\"+20.00 USD\","
            "\"amount_micros\":20000000,\"balance_after\":\"20.00 USD\",\"balance_after_micros\":20000000,"
            "\"reference\":\"tu-1\",\"entry_id\":\"user_wallet:u-1:USD#1\",\"transfer_id\":\"tr-1\",\"clip_id\":\"\","
            "\"counterparty_user_id\":\"\"},"
            "{\"time\":\"2024-05-01T13:00:00Z\",\"kind\":\"tip\",\"amount\":\"-1.00 USD\",\"amount_micros\":-1000000,"
            "\"balance_after\":\"19.00 USD\",\"balance_after_micros\":19000000,\"reference\":\"tip-1\","
            "\"entry_id\":\"user_wallet:u-1:USD#2\",\"transfer_id\":\"tr-2\",\"clip_id\":\"clip-1\","
            "\"counterparty_user_id\":\"id-dan\"},"
            "{\"time\":\"2024-05-02T09:30:00Z\",\"kind\":\"chargeback\",\"amount\":\"-5.00 USD\","
            "\"amount_micros\":-5000000,\"balance_after\":\"14.00 USD\",\"balance_after_micros\":14000000,"
            "\"reference\":\"tu-2\",\"entry_id\":\"user_wallet:u-1:USD#3\",\"transfer_id\":\"tr-3\",\"clip_id\":\"\","
            "\"counterparty_user_id\":\"\"}],"
            "\"closing_balance\":\"14.00 USD\",\"closing_balance_micros\":14000000,\"more\":false}\n");

  // Cut short by the limit: it says so; an account without entries says
  // that.
  AccountStatement cut = ThreeEntryStatement();
  cut.kind = v1::ACCOUNT_KIND_EARNINGS_PENDING;
  cut.entries.clear();
  cut.more = true;
  EXPECT_EQ(StatementText(cut),
            "account:    pending\n"
            "account id: user_wallet:u-1:USD\n"
            "\n"
            "entries: none\n"
            "more entries follow: raise --limit (at most 1000) or narrow --since/--until\n"
            "\n"
            "opening balance: 0.00 USD\n"
            "closing balance: 14.00 USD\n");
}

TEST(MoneyViewsTest, KindsReadAsWords) {
  EXPECT_EQ(EnumWord(v1::ACCOUNT_KIND_WALLET, kAccountKindPrefix, kAccountKindWords), "wallet");
  EXPECT_EQ(EnumWord(v1::ACCOUNT_KIND_EARNINGS_PENDING, kAccountKindPrefix, kAccountKindWords), "pending");
  EXPECT_EQ(EnumWord(v1::ACCOUNT_KIND_TIP_JAR, kAccountKindPrefix, kAccountKindWords), "jar");
  EXPECT_EQ(EnumWord(v1::TRANSFER_KIND_EARNINGS_RELEASE, kTransferKindPrefix), "earnings-release");
  EXPECT_EQ(EnumWord(v1::TRANSFER_KIND_CHARGEBACK, kTransferKindPrefix), "chargeback");
  EXPECT_EQ(EnumWord(v1::TRANSFER_KIND_TOP_UP_REFUND, kTransferKindPrefix), "top-up-refund");
  EXPECT_EQ(EnumWord(v1::TOP_UP_STATUS_PARTIALLY_REFUNDED, kTopUpStatusPrefix), "partially-refunded");
  EXPECT_EQ(EnumWord(v1::TIP_LEG_KIND_CO_AUTHOR_SHARE, kTipLegKindPrefix), "co-author-share");
  // The long words are accepted too.
  EXPECT_EQ(*ParseEnumWord<v1::AccountKind>("--account", "earnings-pending", kAccountKindPrefix, kAccountKindWords),
            v1::ACCOUNT_KIND_EARNINGS_PENDING);
  EXPECT_EQ(*ParseEnumWord<v1::AccountKind>("--account", "jar", kAccountKindPrefix, kAccountKindWords),
            v1::ACCOUNT_KIND_TIP_JAR);
}

TEST(MoneyViewsTest, BalancesListWalletPendingAndJarWithWhatIsHeld) {
  v1::GetBalanceResponse balances;
  *balances.mutable_as_of_time() = TimestampAt(1714564800);
  v1::AccountBalance& jar = *balances.add_balances();
  jar.set_account_id("user_earnings_available:u-1:USD");
  jar.set_kind(v1::ACCOUNT_KIND_TIP_JAR);
  *jar.mutable_balance() = UsdOf(30'000'000);
  *jar.mutable_held() = UsdOf(10'000'000);
  v1::AccountBalance& wallet = *balances.add_balances();
  wallet.set_account_id("user_wallet:u-1:USD");
  wallet.set_kind(v1::ACCOUNT_KIND_WALLET);
  *wallet.mutable_balance() = UsdOf(12'500'000);
  v1::AccountBalance& pending = *balances.add_balances();
  pending.set_account_id("user_earnings_pending:u-1:USD");
  pending.set_kind(v1::ACCOUNT_KIND_EARNINGS_PENDING);
  *pending.mutable_balance() = UsdOf(950'000);

  EXPECT_EQ(RenderHuman(BalancesRecord(balances, MoneyReaders::kPeople)),
            "as of: 2024-05-01T12:00:00Z\n"
            "\n"
            "ACCOUNT  BALANCE    HELD\n"
            "wallet   12.50 USD  -\n"
            "pending  0.95 USD   -\n"
            "jar      30.00 USD  10.00 USD\n");
  EXPECT_EQ(RenderJson(BalancesRecord(balances, MoneyReaders::kScripts)),
            "{\"as_of\":\"2024-05-01T12:00:00Z\",\"balances\":["
            "{\"account\":\"wallet\",\"balance\":\"12.50 USD\",\"balance_micros\":12500000,"
            "\"account_id\":\"user_wallet:u-1:USD\"},"
            "{\"account\":\"pending\",\"balance\":\"0.95 USD\",\"balance_micros\":950000,"
            "\"account_id\":\"user_earnings_pending:u-1:USD\"},"
            "{\"account\":\"jar\",\"balance\":\"30.00 USD\",\"balance_micros\":30000000,\"held\":\"10.00 USD\","
            "\"held_micros\":10000000,\"account_id\":\"user_earnings_available:u-1:USD\"}]}\n");
  // Nothing held: the jar's currency all the same.
  balances.mutable_balances(0)->clear_held();
  EXPECT_NE(RenderHuman(BalancesRecord(balances, MoneyReaders::kPeople)).find("jar      30.00 USD  0.00 USD\n"),
            std::string::npos);
}

TEST(MoneyViewsTest, ATopUpShowsItsStatusReferenceAndWhyItFailed) {
  v1::TopUp top_up;
  top_up.set_top_up_id("tu-9");
  top_up.set_user_id("u-1");
  *top_up.mutable_amount() = UsdOf(20'000'000);
  *top_up.mutable_refunded_amount() = UsdOf(0);
  top_up.set_status(v1::TOP_UP_STATUS_FAILED);
  top_up.set_provider("sandbox");
  top_up.set_provider_reference("sbx_pi_1");
  top_up.set_client_secret("sbx_pi_1_secret");
  top_up.set_failure_reason("card_declined");
  *top_up.mutable_create_time() = TimestampAt(1714564800);
  EXPECT_EQ(RenderHuman(TopUpRecord(top_up, MoneyReaders::kPeople)),
            "top up id:      tu-9\n"
            "status:         failed\n"
            "amount:         20.00 USD\n"
            "provider:       sandbox\n"
            "reference:      sbx_pi_1\n"
            "failure reason: card_declined\n"
            "created:        2024-05-01T12:00:00Z\n");
  const std::string json = RenderJson(TopUpRecord(top_up, MoneyReaders::kScripts));
  EXPECT_EQ(json,
            "{\"top_up_id\":\"tu-9\",\"status\":\"failed\",\"amount\":\"20.00 USD\",\"amount_micros\":20000000,"
            "\"refunded\":\"0.00 USD\",\"refunded_micros\":0,\"provider\":\"sandbox\",\"reference\":\"sbx_pi_1\","
            "\"failure_reason\":\"card_declined\",\"created\":\"2024-05-01T12:00:00Z\"}\n");
  // The client secret is for the provider's SDK, never printed.
  EXPECT_EQ(json.find("secret"), std::string::npos);
}

}  // namespace
}  // namespace clipforge::cli
