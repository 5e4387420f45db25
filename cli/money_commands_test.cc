// wallet, wallet statement, topup, topup refund, tip and tip show end to
// end against an in-process fake TippingService on a free port: the
// requests sent (the amount typed as exact micros in USD, fresh UUID request
// ids, the statement's account from GetBalance and its page tokens up to
// --limit), what they print, and amount and flag mistakes caught before any
// call.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "base/validation.h"
#include "cli/errors.h"
#include "cli/test_util.h"
#include "clipforge/v1/tipping.grpc.pb.h"

namespace clipforge::cli {
namespace {

constexpr char kMoneyAccessToken[] = "AT-money-alice";
constexpr char kWalletAccountId[] = "user_wallet:u-1:USD";
constexpr char kPendingAccountId[] = "user_earnings_pending:u-1:USD";
constexpr char kJarAccountId[] = "user_earnings_available:u-1:USD";
constexpr int64_t kMoneyNow = 1714564800;  // 2024-05-01T12:00:00Z
// The fake's statement: seven top-ups of 1.00, 2.00, ... 7.00, an hour
// apart, served at most two to a page.
constexpr int kStatementEntryCount = 7;
constexpr int kStatementPageCap = 2;
// Every top-up the fake refunds is of 20.00.
constexpr int64_t kRefundableTopUpMicros = 20'000'000;

grpc::Status MoneyUnauthenticated() { return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no token"); }

// FAILED_PRECONDITION with the server's ErrorDetail reason.
grpc::Status MoneyRefused(grpc::ServerContext* ctx, const std::string& reason, const std::string& message) {
  v1::ErrorDetail detail;
  detail.set_reason(reason);
  ctx->AddTrailingMetadata("clipforge-error-bin", detail.SerializeAsString());
  return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, message);
}

v1::Money TippingUsd(int64_t micros) {
  v1::Money money;
  money.set_amount_micros(micros);
  money.set_currency("USD");
  return money;
}

// Keeps every request. GetBalance answers with the jar, the wallet and
// pending earnings, in that order; ListEntries serves the statement above
// (the same for every account), its page token the index of the next
// entry; SendTip splits a tip 5% fee, 5% of the rest to id-bob as a depth-1
// royalty, the rest to the creator id-dan, and keeps it for GetTip; a tip
// of "clip-broke" is refused for want of money. CreateTopUp succeeds with
// tok_visa, fails with tok_chargeDeclined and stays pending with
// tok_pending. RefundTopUp refunds any top-up id as one of 20.00 (what is
// left when the amount is unset), keeping what each has had refunded;
// "tu-spent" is refused for want of money in the wallet (INSUFFICIENT_FUNDS),
// "tu-declined" as never succeeded (NOT_REFUNDABLE), and more than is left
// with REFUND_EXCEEDS_TOP_UP.
class FakeTipping final : public v1::TippingService::Service {
 public:
  absl::Mutex mu;
  std::vector<v1::GetBalanceRequest> balance_reads ABSL_GUARDED_BY(mu);
  std::vector<v1::ListEntriesRequest> entry_lists ABSL_GUARDED_BY(mu);
  std::vector<v1::SendTipRequest> tips_sent ABSL_GUARDED_BY(mu);
  std::vector<v1::GetTipRequest> tip_reads ABSL_GUARDED_BY(mu);
  std::vector<v1::CreateTopUpRequest> top_ups ABSL_GUARDED_BY(mu);
  std::vector<v1::RefundTopUpRequest> refunds ABSL_GUARDED_BY(mu);
  std::map<std::string, int64_t> refunded_micros ABSL_GUARDED_BY(mu);
  std::map<std::string, v1::Tip> tips ABSL_GUARDED_BY(mu);

  int Calls() {
    absl::MutexLock lock(&mu);
    return static_cast<int>(balance_reads.size() + entry_lists.size() + tips_sent.size() + tip_reads.size() +
                            top_ups.size() + refunds.size());
  }

  static bool SignedIn(grpc::ServerContext* ctx) {
    const auto& md = ctx->client_metadata();
    const auto auth = md.find("authorization");
    return auth != md.end() &&
           std::string(auth->second.data(), auth->second.size()) == absl::StrCat("Bearer ", kMoneyAccessToken);
  }

  grpc::Status GetBalance(grpc::ServerContext* ctx, const v1::GetBalanceRequest* req,
                          v1::GetBalanceResponse* resp) override {
    if (!SignedIn(ctx)) return MoneyUnauthenticated();
    absl::MutexLock lock(&mu);
    balance_reads.push_back(*req);
    const auto add = [&](const char* id, v1::AccountKind kind, int64_t micros) -> v1::AccountBalance& {
      v1::AccountBalance& balance = *resp->add_balances();
      balance.set_account_id(id);
      balance.set_kind(kind);
      *balance.mutable_balance() = TippingUsd(micros);
      *balance.mutable_held() = TippingUsd(0);
      return balance;
    };
    *add(kJarAccountId, v1::ACCOUNT_KIND_TIP_JAR, 30'000'000).mutable_held() = TippingUsd(10'000'000);
    add(kWalletAccountId, v1::ACCOUNT_KIND_WALLET, 12'500'000);
    add(kPendingAccountId, v1::ACCOUNT_KIND_EARNINGS_PENDING, 950'000);
    resp->mutable_as_of_time()->set_seconds(req->has_as_of_time() ? req->as_of_time().seconds() : kMoneyNow);
    return grpc::Status::OK;
  }

  grpc::Status ListEntries(grpc::ServerContext* ctx, const v1::ListEntriesRequest* req,
                           v1::ListEntriesResponse* resp) override {
    if (!SignedIn(ctx)) return MoneyUnauthenticated();
    absl::MutexLock lock(&mu);
    entry_lists.push_back(*req);
    int first = 0;
    if (!req->page_token().empty() && !absl::SimpleAtoi(req->page_token(), &first)) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "page_token: not a token");
    }
    const int count = std::min({req->page_size() > 0 ? req->page_size() : 50, kStatementPageCap,
                                kStatementEntryCount - first});
    int64_t balance = 0;
    for (int i = 0; i < first; ++i) balance += (i + 1) * 1'000'000;
    for (int i = first; i < first + count; ++i) {
      balance += (i + 1) * 1'000'000;
      v1::LedgerEntry& entry = *resp->add_entries();
      entry.set_entry_id(absl::StrCat(req->account_id(), "#", i + 1));
      entry.set_transfer_id(absl::StrCat("tr-", i + 1));
      entry.set_account_id(req->account_id());
      entry.set_kind(v1::TRANSFER_KIND_TOP_UP);
      *entry.mutable_amount() = TippingUsd((i + 1) * 1'000'000);
      *entry.mutable_balance_after() = TippingUsd(balance);
      entry.set_reference_id(absl::StrCat("ref-", i + 1));
      entry.mutable_create_time()->set_seconds(kMoneyNow + i * 3600);
    }
    if (first + count < kStatementEntryCount) resp->set_next_page_token(absl::StrCat(first + count));
    *resp->mutable_opening_balance() = TippingUsd(0);
    *resp->mutable_closing_balance() = TippingUsd(28'000'000);
    return grpc::Status::OK;
  }

  grpc::Status SendTip(grpc::ServerContext* ctx, const v1::SendTipRequest* req, v1::Tip* resp) override {
    if (!SignedIn(ctx)) return MoneyUnauthenticated();
    absl::MutexLock lock(&mu);
    tips_sent.push_back(*req);
    if (req->clip_id() == "clip-broke") {
      v1::ErrorDetail detail;
      detail.set_reason("INSUFFICIENT_FUNDS");
      ctx->AddTrailingMetadata("clipforge-error-bin", detail.SerializeAsString());
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "amount: more than your wallet holds");
    }
    const int64_t amount = req->amount().amount_micros();
    const int64_t fee = amount / 20;
    const int64_t royalty = (amount - fee) / 20;
    resp->set_tip_id(req->request_id());
    resp->set_sender_id("id-alice");
    resp->set_clip_id(req->clip_id());
    *resp->mutable_amount() = req->amount();
    resp->set_message(req->message());
    resp->mutable_create_time()->set_seconds(kMoneyNow);
    const auto leg = [&](v1::TipLegKind kind, const char* user, int32_t depth, int64_t micros, const char* clip) {
      v1::TipLeg& l = *resp->add_legs();
      l.set_kind(kind);
      l.set_user_id(user);
      l.set_depth(depth);
      *l.mutable_amount() = TippingUsd(micros);
      l.set_clip_id(clip);
    };
    leg(v1::TIP_LEG_KIND_PLATFORM_FEE, "", 0, fee, "");
    leg(v1::TIP_LEG_KIND_ROYALTY, "id-bob", 1, royalty, "clip-0");
    leg(v1::TIP_LEG_KIND_CREATOR_SHARE, "id-dan", 0, amount - fee - royalty, "clip-1");
    tips[resp->tip_id()] = *resp;
    return grpc::Status::OK;
  }

  grpc::Status GetTip(grpc::ServerContext* ctx, const v1::GetTipRequest* req, v1::Tip* resp) override {
    if (!SignedIn(ctx)) return MoneyUnauthenticated();
    absl::MutexLock lock(&mu);
    tip_reads.push_back(*req);
    const auto it = tips.find(req->tip_id());
    if (it == tips.end()) return grpc::Status(grpc::StatusCode::NOT_FOUND, "tip_id: no such tip");
    *resp = it->second;
    return grpc::Status::OK;
  }

  grpc::Status CreateTopUp(grpc::ServerContext* ctx, const v1::CreateTopUpRequest* req, v1::TopUp* resp) override {
    if (!SignedIn(ctx)) return MoneyUnauthenticated();
    absl::MutexLock lock(&mu);
    top_ups.push_back(*req);
    resp->set_top_up_id(req->request_id());
    resp->set_user_id("u-1");
    *resp->mutable_amount() = req->amount();
    *resp->mutable_refunded_amount() = TippingUsd(0);
    resp->set_provider(req->provider());
    resp->set_provider_reference("sbx_pi_1");
    resp->set_client_secret("sbx_pi_1_secret");
    resp->mutable_create_time()->set_seconds(kMoneyNow);
    if (req->payment_method_token() == "tok_chargeDeclined") {
      resp->set_status(v1::TOP_UP_STATUS_FAILED);
      resp->set_failure_reason("card_declined");
    } else if (req->payment_method_token() == "tok_pending") {
      resp->set_status(v1::TOP_UP_STATUS_PENDING);
    } else {
      resp->set_status(v1::TOP_UP_STATUS_SUCCEEDED);
    }
    return grpc::Status::OK;
  }

  grpc::Status RefundTopUp(grpc::ServerContext* ctx, const v1::RefundTopUpRequest* req, v1::TopUp* resp) override {
    if (!SignedIn(ctx)) return MoneyUnauthenticated();
    absl::MutexLock lock(&mu);
    refunds.push_back(*req);
    if (req->top_up_id() == "tu-spent") {
      return MoneyRefused(ctx, "INSUFFICIENT_FUNDS", "amount: more than your wallet holds");
    }
    if (req->top_up_id() == "tu-declined") {
      return MoneyRefused(ctx, "NOT_REFUNDABLE", "top_up_id: the top-up did not succeed");
    }
    int64_t& refunded = refunded_micros[req->top_up_id()];
    const int64_t left = kRefundableTopUpMicros - refunded;
    const int64_t amount = req->has_amount() ? req->amount().amount_micros() : left;
    if (amount > left) {
      return MoneyRefused(ctx, "REFUND_EXCEEDS_TOP_UP", "amount: more than is left of the top-up");
    }
    refunded += amount;
    resp->set_top_up_id(req->top_up_id());
    resp->set_user_id("u-1");
    *resp->mutable_amount() = TippingUsd(kRefundableTopUpMicros);
    *resp->mutable_refunded_amount() = TippingUsd(refunded);
    resp->set_status(refunded == kRefundableTopUpMicros ? v1::TOP_UP_STATUS_REFUNDED
                                                        : v1::TOP_UP_STATUS_PARTIALLY_REFUNDED);
    resp->set_provider("sandbox");
    resp->set_provider_reference("sbx_pi_1");
    resp->mutable_create_time()->set_seconds(kMoneyNow);
    resp->mutable_update_time()->set_seconds(kMoneyNow + 60);
    return grpc::Status::OK;
  }
};

class MoneyCommandsTest : public ::testing::Test {
 protected:
  testing::CliResult Cli(std::vector<std::string> args) { return cli_.Run(std::move(args)); }

  FakeTipping tipping_;
  testing::LoggedInCli cli_{{&tipping_}, kMoneyAccessToken};
};

TEST_F(MoneyCommandsTest, TipSendsTheAmountInMicrosWithAFreshRequestIdAndPrintsEachLeg) {
  testing::CliResult r = Cli({"tip", "clip-1", "2.5", "--message", "nice fork"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::string tip_id;
  {
    absl::MutexLock lock(&tipping_.mu);
    ASSERT_EQ(tipping_.tips_sent.size(), 1u);
    const v1::SendTipRequest& sent = tipping_.tips_sent[0];
    tip_id = sent.request_id();
    EXPECT_TRUE(base::IsCanonicalUuid(tip_id)) << tip_id;
    EXPECT_EQ(sent.clip_id(), "clip-1");
    EXPECT_EQ(sent.amount().amount_micros(), 2'500'000);
    EXPECT_EQ(sent.amount().currency(), "USD");
    EXPECT_EQ(sent.message(), "nice fork");
  }
  EXPECT_EQ(r.out,
            "tip id:    " + tip_id +
                "\n"
                "sender id: id-alice\n"
                "clip id:   clip-1\n"
                "amount:    2.50 USD\n"
                "message:   nice fork\n"
                "sent:      2024-05-01T12:00:00Z\n"
                "\n"
                "KIND           USER ID  DEPTH  AMOUNT       SHARE\n"
                "platform-fee   -        -      0.125 USD    5%\n"
                "royalty        id-bob   1      0.11875 USD  4.75%\n"
                "creator-share  id-dan   -      2.25625 USD  90.25%\n");
  const std::string sent_out = r.out;

  // The smallest tip, exactly; each tip its own request id.
  r = Cli({"--json", "tip", "clip-1", "0.10"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"amount\":\"0.10 USD\",\"amount_micros\":100000,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("{\"kind\":\"royalty\",\"user_id\":\"id-bob\",\"depth\":1,\"amount\":\"0.00475 USD\","
                       "\"amount_micros\":4750,\"share\":\"4.75%\""),
            std::string::npos)
      << r.out;

  // `tip show` prints the same view.
  const testing::CliResult shown = Cli({"tip", "show", tip_id});
  ASSERT_EQ(shown.code, 0) << shown.err;
  {
    absl::MutexLock lock(&tipping_.mu);
    ASSERT_EQ(tipping_.tips_sent.size(), 2u);
    EXPECT_EQ(tipping_.tips_sent[1].amount().amount_micros(), 100'000);
    EXPECT_TRUE(base::IsCanonicalUuid(tipping_.tips_sent[1].request_id()));
    EXPECT_NE(tipping_.tips_sent[1].request_id(), tip_id);
    ASSERT_EQ(tipping_.tip_reads.size(), 1u);
    EXPECT_EQ(tipping_.tip_reads[0].tip_id(), tip_id);
  }
  EXPECT_EQ(shown.out, sent_out);
}

TEST_F(MoneyCommandsTest, ATipRefusedForWantOfMoneySaysHowToTopUp) {
  const testing::CliResult r = Cli({"tip", "clip-broke", "5"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_NE(r.err.find("more than your wallet holds"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("`clipforge topup AMOUNT` adds money to your wallet"), std::string::npos) << r.err;
}

TEST_F(MoneyCommandsTest, WalletPrintsTheThreeBalances) {
  testing::CliResult r = Cli({"wallet"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "as of: 2024-05-01T12:00:00Z\n"
            "\n"
            "ACCOUNT  BALANCE    HELD\n"
            "wallet   12.50 USD  -\n"
            "pending  0.95 USD   -\n"
            "jar      30.00 USD  10.00 USD\n");
  r = Cli({"--json", "wallet", "--as-of=2024-04-30T00:00:00Z"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"as_of\":\"2024-04-30T00:00:00Z\",\"balances\":["
            "{\"account\":\"wallet\",\"balance\":\"12.50 USD\",\"balance_micros\":12500000,"
            "\"account_id\":\"user_wallet:u-1:USD\"},"
            "{\"account\":\"pending\",\"balance\":\"0.95 USD\",\"balance_micros\":950000,"
            "\"account_id\":\"user_earnings_pending:u-1:USD\"},"
            "{\"account\":\"jar\",\"balance\":\"30.00 USD\",\"balance_micros\":30000000,\"held\":\"10.00 USD\","
            "\"held_micros\":10000000,\"account_id\":\"user_earnings_available:u-1:USD\"}]}\n");

  absl::MutexLock lock(&tipping_.mu);
  ASSERT_EQ(tipping_.balance_reads.size(), 2u);
  EXPECT_FALSE(tipping_.balance_reads[0].has_as_of_time());
  EXPECT_EQ(tipping_.balance_reads[1].as_of_time().seconds(), 1714435200);
  EXPECT_EQ(tipping_.balance_reads[1].user_id(), "");
}

TEST_F(MoneyCommandsTest, StatementFollowsPageTokensUpToTheLimit) {
  testing::CliResult r = Cli({"wallet", "statement", "--limit=5"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "account:    wallet\n"
            "account id: user_wallet:u-1:USD\n"
            "\n"
            "TIME                  KIND    AMOUNT     BALANCE AFTER  REFERENCE\n"
            "2024-05-01T12:00:00Z  top-up  +1.00 USD  1.00 USD       ref-1\n"
            "2024-05-01T13:00:00Z  top-up  +2.00 USD  3.00 USD       ref-2\n"
            "2024-05-01T14:00:00Z  top-up  +3.00 USD  6.00 USD       ref-3\n"
            "2024-05-01T15:00:00Z  top-up  +4.00 USD  10.00 USD      ref-4\n"
            "2024-05-01T16:00:00Z  top-up  +5.00 USD  15.00 USD      ref-5\n"
            "more entries follow: raise --limit (at most 1000) or narrow --since/--until\n"
            "\n"
            "opening balance: 0.00 USD\n"
            "closing balance: 28.00 USD\n");
  {
    absl::MutexLock lock(&tipping_.mu);
    ASSERT_EQ(tipping_.balance_reads.size(), 1u);
    ASSERT_EQ(tipping_.entry_lists.size(), 3u);
    const std::vector<std::string> tokens = {"", "2", "4"};
    const std::vector<int32_t> sizes = {5, 3, 1};
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(tipping_.entry_lists[i].account_id(), kWalletAccountId) << i;
      EXPECT_EQ(tipping_.entry_lists[i].page_token(), tokens[i]) << i;
      EXPECT_EQ(tipping_.entry_lists[i].page_size(), sizes[i]) << i;
      EXPECT_FALSE(tipping_.entry_lists[i].has_start_time());
      EXPECT_FALSE(tipping_.entry_lists[i].has_end_time());
    }
  }

  // The tip jar, for a day, to the end: every page, nothing more to say.
  r = Cli({"wallet", "statement", "--account=jar", "--since=2024-05-01T00:00:00Z", "--until", "2024-05-02T00:00:00Z"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("account:    jar\naccount id: user_earnings_available:u-1:USD\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("2024-05-01T18:00:00Z  top-up  +7.00 USD  28.00 USD      ref-7\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("more entries follow"), std::string::npos) << r.out;
  {
    absl::MutexLock lock(&tipping_.mu);
    ASSERT_EQ(tipping_.entry_lists.size(), 3u + 4u);
    const std::vector<std::string> tokens = {"", "2", "4", "6"};
    const std::vector<int32_t> sizes = {50, 48, 46, 44};
    for (size_t i = 0; i < 4; ++i) {
      const v1::ListEntriesRequest& sent = tipping_.entry_lists[3 + i];
      EXPECT_EQ(sent.account_id(), kJarAccountId) << i;
      EXPECT_EQ(sent.page_token(), tokens[i]) << i;
      EXPECT_EQ(sent.page_size(), sizes[i]) << i;
      EXPECT_EQ(sent.start_time().seconds(), 1714521600) << i;
      EXPECT_EQ(sent.end_time().seconds(), 1714608000) << i;
    }
  }

  // Pending earnings; --json says whether more follow.
  r = Cli({"--json", "wallet", "statement", "--account=pending", "--limit=1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("{\"account\":\"pending\",\"account_id\":\"user_earnings_pending:u-1:USD\","
                        "\"opening_balance\":\"0.00 USD\",\"opening_balance_micros\":0,\"entries\":[{",
                        0),
            0u)
      << r.out;
  EXPECT_NE(r.out.find("\"reference\":\"ref-1\""), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("ref-2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(",\"closing_balance\":\"28.00 USD\",\"closing_balance_micros\":28000000,\"more\":true}\n"),
            std::string::npos)
      << r.out;
  absl::MutexLock lock(&tipping_.mu);
  ASSERT_EQ(tipping_.entry_lists.size(), 8u);
  EXPECT_EQ(tipping_.entry_lists[7].account_id(), kPendingAccountId);
  EXPECT_EQ(tipping_.entry_lists[7].page_size(), 1);
}

TEST_F(MoneyCommandsTest, TopUpSendsTheSandboxDefaultsAndPrintsWhyOneFailed) {
  testing::CliResult r = Cli({"topup", "20"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::string first_id;
  {
    absl::MutexLock lock(&tipping_.mu);
    ASSERT_EQ(tipping_.top_ups.size(), 1u);
    const v1::CreateTopUpRequest& sent = tipping_.top_ups[0];
    first_id = sent.request_id();
    EXPECT_TRUE(base::IsCanonicalUuid(first_id)) << first_id;
    EXPECT_EQ(sent.amount().amount_micros(), 20'000'000);
    EXPECT_EQ(sent.amount().currency(), "USD");
    EXPECT_EQ(sent.provider(), "sandbox");
    EXPECT_EQ(sent.payment_method_token(), "tok_visa");
  }
  EXPECT_EQ(r.out,
            "top up id: " + first_id +
                "\n"
                "status:    succeeded\n"
                "amount:    20.00 USD\n"
                "provider:  sandbox\n"
                "reference: sbx_pi_1\n"
                "created:   2024-05-01T12:00:00Z\n");
  EXPECT_EQ(r.out.find("secret"), std::string::npos);

  // Declined: the top-up with its reason, and exit 1.
  r = Cli({"topup", "12.50", "--token=tok_chargeDeclined", "--provider", "sandbox"});
  EXPECT_EQ(r.code, kExitFailure) << r.err;
  std::string failed_id;
  {
    absl::MutexLock lock(&tipping_.mu);
    ASSERT_EQ(tipping_.top_ups.size(), 2u);
    failed_id = tipping_.top_ups[1].request_id();
    EXPECT_NE(failed_id, first_id);
    EXPECT_EQ(tipping_.top_ups[1].amount().amount_micros(), 12'500'000);
    EXPECT_EQ(tipping_.top_ups[1].payment_method_token(), "tok_chargeDeclined");
  }
  EXPECT_EQ(r.out,
            "top up id:      " + failed_id +
                "\n"
                "status:         failed\n"
                "amount:         12.50 USD\n"
                "provider:       sandbox\n"
                "reference:      sbx_pi_1\n"
                "failure reason: card_declined\n"
                "created:        2024-05-01T12:00:00Z\n");
  EXPECT_NE(r.err.find(absl::StrCat("top-up ", failed_id, " failed: card_declined")), std::string::npos) << r.err;

  // --json: one object, the error, with the reason.
  r = Cli({"--json", "topup", "5", "--token=tok_chargeDeclined"});
  EXPECT_EQ(r.code, kExitFailure) << r.err;
  EXPECT_EQ(r.out.rfind("{\"error\":{\"code\":\"ABORTED\",\"message\":\"top-up ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find(" failed: card_declined\",\"reason\":\"TOP_UP_FAILED\""), std::string::npos) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;

  // Pending: printed, with what happens next.
  r = Cli({"topup", "1", "--token=tok_pending"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("status:    pending\n"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("has not confirmed it yet"), std::string::npos) << r.err;
}

TEST_F(MoneyCommandsTest, TopUpRefundSendsTheIdTheMicrosAndTheReasonAndPrintsWhatWasRefunded) {
  testing::CliResult r = Cli({"topup", "refund", "tu-1", "5", "--reason=changed my mind"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::string first_id;
  {
    absl::MutexLock lock(&tipping_.mu);
    ASSERT_EQ(tipping_.refunds.size(), 1u);
    const v1::RefundTopUpRequest& sent = tipping_.refunds[0];
    first_id = sent.request_id();
    EXPECT_TRUE(base::IsCanonicalUuid(first_id)) << first_id;
    EXPECT_EQ(sent.top_up_id(), "tu-1");
    ASSERT_TRUE(sent.has_amount());
    EXPECT_EQ(sent.amount().amount_micros(), 5'000'000);
    EXPECT_EQ(sent.amount().currency(), "USD");
    EXPECT_EQ(sent.reason(), "changed my mind");
  }
  EXPECT_EQ(r.out,
            "top up id: tu-1\n"
            "status:    partially-refunded\n"
            "amount:    20.00 USD\n"
            "refunded:  5.00 USD\n"
            "provider:  sandbox\n"
            "reference: sbx_pi_1\n"
            "created:   2024-05-01T12:00:00Z\n");

  // Without AMOUNT: no amount sent, the server refunds all that is left.
  r = Cli({"topup", "refund", "tu-1"});
  ASSERT_EQ(r.code, 0) << r.err;
  {
    absl::MutexLock lock(&tipping_.mu);
    ASSERT_EQ(tipping_.refunds.size(), 2u);
    const v1::RefundTopUpRequest& sent = tipping_.refunds[1];
    EXPECT_TRUE(base::IsCanonicalUuid(sent.request_id())) << sent.request_id();
    EXPECT_NE(sent.request_id(), first_id);
    EXPECT_EQ(sent.top_up_id(), "tu-1");
    EXPECT_FALSE(sent.has_amount());
    EXPECT_EQ(sent.reason(), "");
  }
  EXPECT_NE(r.out.find("status:    refunded\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("refunded:  20.00 USD\n"), std::string::npos) << r.out;

  // Any whole number of cents, exactly; --json has the micros too.
  r = Cli({"--json", "topup", "refund", "tu-2", "0.01"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"refunded\":\"0.01 USD\",\"refunded_micros\":10000,"), std::string::npos) << r.out;
  absl::MutexLock lock(&tipping_.mu);
  ASSERT_EQ(tipping_.refunds.size(), 3u);
  EXPECT_EQ(tipping_.refunds[2].amount().amount_micros(), 10'000);
}

TEST_F(MoneyCommandsTest, ARefusedRefundPrintsTheServersReasonAndOnlyWantOfMoneyGetsAHint) {
  testing::CliResult r = Cli({"topup", "refund", "tu-spent", "5"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_NE(r.err.find("clipforge: not possible right now: amount: more than your wallet holds (only money still "
                       "in your wallet can be refunded)\n"),
            std::string::npos)
      << r.err;
  r = Cli({"--json", "topup", "refund", "tu-spent"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_NE(r.out.find("\"code\":\"FAILED_PRECONDITION\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"reason\":\"INSUFFICIENT_FUNDS\""), std::string::npos) << r.out;

  r = Cli({"topup", "refund", "tu-1", "20.01"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_NE(r.err.find("clipforge: not possible right now: amount: more than is left of the top-up\n"),
            std::string::npos)
      << r.err;
  r = Cli({"--json", "topup", "refund", "tu-1", "20.01"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_NE(r.out.find("\"reason\":\"REFUND_EXCEEDS_TOP_UP\""), std::string::npos) << r.out;

  r = Cli({"topup", "refund", "tu-declined"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_NE(r.err.find("clipforge: not possible right now: top_up_id: the top-up did not succeed\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("only money still in your wallet"), std::string::npos) << r.err;
  r = Cli({"--json", "topup", "refund", "tu-declined"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_NE(r.out.find("\"reason\":\"NOT_REFUNDABLE\""), std::string::npos) << r.out;
}

TEST_F(MoneyCommandsTest, BadAmountsAndFlagsAreUsageErrorsWithoutAnyCall) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"tip", "clip-1", "1.234"}, "AMOUNT must be whole cents, at most two decimals, not '1.234'"},
      {{"tip", "clip-1", "--", "-1"}, "AMOUNT must be more than 0, not '-1'"},
      {{"tip", "clip-1", "0"}, "AMOUNT must be more than 0"},
      {{"tip", "clip-1", "0.00"}, "AMOUNT must be more than 0"},
      {{"tip", "clip-1", "ten"}, "AMOUNT must be an amount such as 2, 0.10 or 12.5 (at most two decimals), not 'ten'"},
      {{"tip", "clip-1", "1,50"}, "AMOUNT must be an amount such as"},
      {{"tip", "clip-1", "99999999999999999999"}, "AMOUNT is too large"},
      {{"tip", "clip-1", "0.09"}, "AMOUNT must be from 0.10 to 500.00 USD"},
      {{"tip", "clip-1", "500.01"}, "AMOUNT must be from 0.10 to 500.00 USD"},
      {{"tip", "", "1"}, "CLIP_ID must not be empty"},
      {{"tip", "clip-1"}, "`clipforge tip` needs CLIP_ID AMOUNT"},
      {{"tip", "clip-1", "1", "--message=" + std::string(141, 'x')}, "--message: must be at most 140 characters"},
      {{"tip", "show", ""}, "TIP_ID must not be empty"},
      {{"topup", "0.99"}, "AMOUNT must be from 1.00 to 500.00 USD"},
      {{"topup", "1.005"}, "AMOUNT must be whole cents"},
      {{"topup", "--", "-20"}, "AMOUNT must be more than 0"},
      {{"topup", "20", "--provider="}, "--provider: is required"},
      {{"topup", "20", "--token="}, "--token: is required"},
      {{"topup"}, "`clipforge topup` needs AMOUNT"},
      {{"topup", "refund"}, "`clipforge topup refund` needs TOP_UP_ID [AMOUNT]"},
      {{"topup", "refund", ""}, "TOP_UP_ID must not be empty"},
      {{"topup", "refund", "", "5"}, "TOP_UP_ID must not be empty"},
      {{"topup", "refund", "tu-1", "five"}, "AMOUNT must be an amount such as 2, 0.10 or 12.5"},
      {{"topup", "refund", "tu-1", "0"}, "AMOUNT must be more than 0"},
      {{"topup", "refund", "tu-1", "1.005"}, "AMOUNT must be whole cents"},
      {{"topup", "refund", "tu-1", "--", "-5"}, "AMOUNT must be more than 0"},
      {{"topup", "refund", "tu-1", "500.01"}, "AMOUNT must be from 0.01 to 500.00 USD"},
      {{"topup", "refund", "tu-1", ""}, "AMOUNT must be an amount such as"},
      {{"topup", "refund", "tu-1", "5", "6"}, "unexpected argument '6'"},
      {{"topup", "refund", "tu-1", "--reason=" + std::string(501, 'x')}, "--reason: must be at most 500 characters"},
      {{"wallet", "statement", "--account=savings"}, "--account must be one of: wallet, pending, jar"},
      {{"wallet", "statement", "--account=platform-fees"}, "--account must be one of: wallet, pending, jar"},
      {{"wallet", "statement", "--limit=0"}, "--limit must be a whole number from 1 to 1000"},
      {{"wallet", "statement", "--limit=1001"}, "--limit must be a whole number from 1 to 1000"},
      {{"wallet", "statement", "--since=yesterday"}, "--since must be an RFC 3339 time"},
      {{"wallet", "statement", "--since=2024-05-02T00:00:00Z", "--until=2024-05-01T00:00:00Z"},
       "--until must be after --since"},
      {{"wallet", "--as-of=now"}, "--as-of must be an RFC 3339 time"},
      {{"wallet", "extra"}, "unexpected argument 'extra'"},
  };
  for (const auto& [args, message] : cases) {
    const testing::CliResult r = Cli(args);
    EXPECT_EQ(r.code, kExitUsage) << absl::StrJoin(args, " ") << ": " << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << absl::StrJoin(args, " ") << ": " << r.err;
  }
  EXPECT_EQ(tipping_.Calls(), 0);
}

}  // namespace
}  // namespace clipforge::cli
