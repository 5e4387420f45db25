// TippingService over a real Postgres and a real JetStream nats-server, wired
// as `clipforged serve` wires it: clips reach the tipping service's
// directory over the bus as the clips service's events, money enters
// through the sandbox provider, and the ledger writer commits tips in group
// commits. Checked end to end: a tip's legs (fee, royalties up the fork
// lineage, the creator's share) sum to it and land in the right accounts; a
// retry returns the same tip byte for byte and moves nothing; reusing a
// request id for another tip is refused naming the field; self-tips, short
// wallets and the velocity limit are refused with their reasons; many
// tippers at once are booked exactly in fewer commits than tips, each with
// its event in the outbox; statements and balances as of a past time agree
// with the ledger; a second writer fences the first out. SendTips books
// every tip of many streams at once, each outcome matched by request_id (a
// repeated request id answered with the same tip, a bad tip refused alone),
// and ends a stream with more than 256 tips awaiting outcomes
// RESOURCE_EXHAUSTED; GetLedgerHealth is for admins, healthy after tips, and
// names rows tampered with in SQL.
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/role.h"
#include "base/status_macros.h"
#include "base/uuid.h"
#include "ledger/account.h"
#include "ledger/tip_transfers.h"
#include "services/kit/outbox.h"
#include "services/kit/pg_pool.h"
#include "services/kit/pg_transaction.h"
#include "services/kit/proto_time.h"
#include "tests/support/error_reason.h"
#include "tests/support/moderation_test_server.h"

namespace clipforge::testing {
namespace {

using grpc::StatusCode;

constexpr int64_t kUnit = 1'000'000;

ModerationTestServerOptions Options() {
  ModerationTestServerOptions options;
  options.with_tipping = true;
  options.executor_threads = 16;
  return options;
}

struct TestUser {
  std::string id;
  std::string token;
};

v1::Money Usd(int64_t micros) {
  v1::Money money;
  money.set_amount_micros(micros);
  money.set_currency("USD");
  return money;
}

class TippingServiceTest : public ::testing::Test {
 protected:
  TestUser NewUser(base::RoleSet roles = {base::Role::kUser}) {
    TestUser user{.id = ids_.Next()};
    user.token = server_.Token(roles, user.id);
    return user;
  }

  template <typename Request, typename Response, typename Call>
  grpc::Status As(const TestUser& user, Call call, const Request& request, Response* response) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + user.token);
    return ((*tipping_).*call)(&ctx, request, response);
  }

  grpc::Status TopUp(const TestUser& user, int64_t micros, const std::string& token = "tok_visa",
                     v1::TopUp* out = nullptr) {
    v1::CreateTopUpRequest request;
    request.set_request_id(ids_.Next());
    *request.mutable_amount() = Usd(micros);
    request.set_provider("sandbox");
    request.set_payment_method_token(token);
    v1::TopUp top_up;
    const grpc::Status status = As(user, &v1::TippingService::Stub::CreateTopUp, request, &top_up);
    if (out != nullptr) *out = top_up;
    return status;
  }

  v1::SendTipRequest TipRequest(const std::string& clip_id, int64_t micros, const std::string& message = "") {
    v1::SendTipRequest request;
    request.set_request_id(ids_.Next());
    request.set_clip_id(clip_id);
    *request.mutable_amount() = Usd(micros);
    request.set_message(message);
    return request;
  }

  grpc::Status Tip(const TestUser& user, const v1::SendTipRequest& request, v1::Tip* out) {
    return As(user, &v1::TippingService::Stub::SendTip, request, out);
  }

  // The user's balance of `kind` now.
  int64_t Balance(const TestUser& user, v1::AccountKind kind) {
    v1::GetBalanceRequest request;
    v1::GetBalanceResponse response;
    const grpc::Status status = As(user, &v1::TippingService::Stub::GetBalance, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    for (const v1::AccountBalance& balance : response.balances()) {
      if (balance.kind() == kind) return balance.balance().amount_micros();
    }
    ADD_FAILURE() << "no balance of kind " << kind;
    return -1;
  }

  // Publishes a clip as the clips service would (outbox, relay, bus) and
  // waits until the tipping service's directory holds it.
  std::string PublishClip(const std::string& author_id, const std::string& parent_clip_id = "") {
    const std::string clip_id = ids_.Next();
    v1::EventEnvelope event = server_.bus().events().New("clipforge.clip.published", "clip", clip_id);
    v1::ClipPublishedEvent* e = event.mutable_clip_published();
    e->set_clip_id(clip_id);
    e->set_author_id(author_id);
    e->set_parent_clip_id(parent_clip_id);
    e->set_visibility(v1::VISIBILITY_PUBLIC);
    const absl::Status appended =
        kit::RunInTransaction(producer_, [&](pqxx::work& txn) { return kit::OutboxWriter::Append(txn, event); });
    EXPECT_TRUE(appended.ok()) << appended;
    server_.PublishEvents();
    for (int i = 0; i < 800; ++i) {
      const absl::StatusOr<std::optional<tipping_service::ClipRecord>> clip =
          server_.tipping().store().GetClip(clip_id);
      if (clip.ok() && clip->has_value()) return clip_id;
      absl::SleepFor(absl::Milliseconds(25));
    }
    ADD_FAILURE() << "the tipping service never saw clip " << clip_id;
    return clip_id;
  }

  int64_t Scalar(const std::string& sql) { return server_.bus().Scalar(sql); }

  base::SystemClock clock_;
  base::SecureRandom random_;
  base::UuidV7Generator ids_{clock_, random_};
  ModerationTestServer server_{Options()};
  std::unique_ptr<v1::TippingService::Stub> tipping_ = server_.NewTippingStub();
  // Other services' events, appended as a superuser (who may write any
  // subject).
  kit::PgPool producer_{{.dsn = server_.bus().pg().dsn(), .size = 1, .statements = {kit::OutboxWriter::Statement()}}};
};

TEST_F(TippingServiceTest, ATipSplitsIntoFeeRoyaltiesAndTheCreatorsShareAndARetryMovesNothing) {
  const TestUser grandparent_author = NewUser();
  const TestUser parent_author = NewUser();
  const TestUser creator = NewUser();
  const TestUser fan = NewUser();
  const std::string root = PublishClip(grandparent_author.id);
  const std::string parent = PublishClip(parent_author.id, root);
  const std::string clip = PublishClip(creator.id, parent);

  v1::TopUp top_up;
  ASSERT_TRUE(TopUp(fan, 20 * kUnit, "tok_visa", &top_up).ok());
  EXPECT_EQ(top_up.status(), v1::TOP_UP_STATUS_SUCCEEDED);
  EXPECT_FALSE(top_up.client_secret().empty());
  EXPECT_EQ(Balance(fan, v1::ACCOUNT_KIND_WALLET), 20 * kUnit);

  const v1::SendTipRequest request = TipRequest(clip, 10 * kUnit, "lovely");
  v1::Tip tip;
  const grpc::Status sent = Tip(fan, request, &tip);
  ASSERT_TRUE(sent.ok()) << sent.error_message();
  // 10.00: fee 0.50; net 9.50; royalties 5% and 2.5% of the net to the
  // parent's and the grandparent's authors; the creator the rest.
  ASSERT_EQ(tip.legs_size(), 4);
  int64_t sum = 0;
  for (const v1::TipLeg& leg : tip.legs()) sum += leg.amount().amount_micros();
  EXPECT_EQ(sum, 10 * kUnit);
  EXPECT_EQ(tip.legs(0).kind(), v1::TIP_LEG_KIND_PLATFORM_FEE);
  EXPECT_EQ(tip.legs(0).amount().amount_micros(), 500'000);
  EXPECT_EQ(tip.legs(1).kind(), v1::TIP_LEG_KIND_ROYALTY);
  EXPECT_EQ(tip.legs(1).user_id(), parent_author.id);
  EXPECT_EQ(tip.legs(1).depth(), 1);
  EXPECT_EQ(tip.legs(1).amount().amount_micros(), 475'000);
  EXPECT_EQ(tip.legs(2).user_id(), grandparent_author.id);
  EXPECT_EQ(tip.legs(2).amount().amount_micros(), 237'500);
  EXPECT_EQ(tip.legs(3).kind(), v1::TIP_LEG_KIND_CREATOR_SHARE);
  EXPECT_EQ(tip.legs(3).amount().amount_micros(), 10 * kUnit - 500'000 - 475'000 - 237'500);

  EXPECT_EQ(Balance(fan, v1::ACCOUNT_KIND_WALLET), 10 * kUnit);
  EXPECT_EQ(Balance(creator, v1::ACCOUNT_KIND_EARNINGS_PENDING), tip.legs(3).amount().amount_micros());
  EXPECT_EQ(Balance(parent_author, v1::ACCOUNT_KIND_EARNINGS_PENDING), 475'000);
  EXPECT_EQ(Balance(grandparent_author, v1::ACCOUNT_KIND_EARNINGS_PENDING), 237'500);
  // Nothing is available to pay out before the hold window passes.
  EXPECT_EQ(Balance(creator, v1::ACCOUNT_KIND_TIP_JAR), 0);

  // A retry returns the tip as booked, byte for byte, and moves nothing.
  const int64_t batches = server_.tipping().writer().last_batch_sequence();
  v1::Tip again;
  ASSERT_TRUE(Tip(fan, request, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), tip.SerializeAsString());
  EXPECT_EQ(Balance(fan, v1::ACCOUNT_KIND_WALLET), 10 * kUnit);
  EXPECT_EQ(server_.tipping().writer().last_batch_sequence(), batches);

  // The same id for another amount, or another message, is refused naming
  // what differs.
  v1::SendTipRequest changed = request;
  *changed.mutable_amount() = Usd(2 * kUnit);
  grpc::Status reused = Tip(fan, changed, &again);
  EXPECT_EQ(reused.error_code(), StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ReasonOf(reused), "REQUEST_ID_REUSED");
  EXPECT_NE(reused.error_message().find("amount"), std::string::npos) << reused.error_message();
  changed = request;
  changed.set_message("other words");
  reused = Tip(fan, changed, &again);
  EXPECT_EQ(reused.error_code(), StatusCode::ALREADY_EXISTS);
  EXPECT_NE(reused.error_message().find("message"), std::string::npos) << reused.error_message();

  // The tip is the sender's and each recipient's to read, no one else's.
  v1::GetTipRequest get;
  get.set_tip_id(tip.tip_id());
  v1::Tip read;
  ASSERT_TRUE(As(creator, &v1::TippingService::Stub::GetTip, get, &read).ok());
  EXPECT_EQ(read.SerializeAsString(), tip.SerializeAsString());
  ASSERT_TRUE(As(grandparent_author, &v1::TippingService::Stub::GetTip, get, &read).ok());
  EXPECT_EQ(As(NewUser(), &v1::TippingService::Stub::GetTip, get, &read).error_code(), StatusCode::NOT_FOUND);

  // The event is in the outbox, in the tip's commit.
  EXPECT_EQ(Scalar(absl::StrCat("SELECT count(*) FROM bus.outbox WHERE subject = 'clipforge.tip.sent' AND "
                                "aggregate_id = '",
                                tip.tip_id(), "'")),
            1);
}

TEST_F(TippingServiceTest, ARefundPaysBackPartOfATopUpAndRefusesMoreThanIsLeft) {
  const TestUser fan = NewUser();
  v1::TopUp top_up;
  ASSERT_TRUE(TopUp(fan, 10 * kUnit, "tok_visa", &top_up).ok());
  v1::RefundTopUpRequest request;
  request.set_request_id(ids_.Next());
  request.set_top_up_id(top_up.top_up_id());
  *request.mutable_amount() = Usd(3 * kUnit);
  request.set_reason("changed my mind");
  v1::TopUp refunded;
  grpc::Status status = As(fan, &v1::TippingService::Stub::RefundTopUp, request, &refunded);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(refunded.status(), v1::TOP_UP_STATUS_PARTIALLY_REFUNDED);
  EXPECT_EQ(refunded.refunded_amount().amount_micros(), 3 * kUnit);
  EXPECT_EQ(Balance(fan, v1::ACCOUNT_KIND_WALLET), 7 * kUnit);
  // The retry answers the same; the stored row says so.
  ASSERT_TRUE(As(fan, &v1::TippingService::Stub::RefundTopUp, request, &refunded).ok());
  EXPECT_EQ(refunded.refunded_amount().amount_micros(), 3 * kUnit);
  EXPECT_EQ(Scalar(absl::StrCat("SELECT refunded FROM tipping.top_ups WHERE top_up_id = '", top_up.top_up_id(), "'")),
            3 * kUnit);

  request.set_request_id(ids_.Next());
  *request.mutable_amount() = Usd(8 * kUnit);
  status = As(fan, &v1::TippingService::Stub::RefundTopUp, request, &refunded);
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(status), "REFUND_EXCEEDS_TOP_UP");
  EXPECT_EQ(Balance(fan, v1::ACCOUNT_KIND_WALLET), 7 * kUnit);
  request.clear_amount();
  ASSERT_TRUE(As(fan, &v1::TippingService::Stub::RefundTopUp, request, &refunded).ok());
  EXPECT_EQ(refunded.status(), v1::TOP_UP_STATUS_REFUNDED);
  EXPECT_EQ(Balance(fan, v1::ACCOUNT_KIND_WALLET), 0);
  // Someone else's top-up is not theirs to refund.
  request.set_request_id(ids_.Next());
  EXPECT_EQ(As(NewUser(), &v1::TippingService::Stub::RefundTopUp, request, &refunded).error_code(),
            StatusCode::NOT_FOUND);
  EXPECT_TRUE(server_.tipping().writer().CheckInvariants().empty());
}

TEST_F(TippingServiceTest, RefusalsNameTheirReasonsAndMoveNothing) {
  const TestUser creator = NewUser();
  const TestUser fan = NewUser();
  const std::string clip = PublishClip(creator.id);
  v1::Tip tip;

  // No money yet.
  grpc::Status status = Tip(fan, TipRequest(clip, kUnit), &tip);
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(status), "INSUFFICIENT_FUNDS");

  // A declined card credits nothing.
  v1::TopUp declined;
  ASSERT_TRUE(TopUp(fan, 5 * kUnit, "tok_chargeDeclined", &declined).ok());
  EXPECT_EQ(declined.status(), v1::TOP_UP_STATUS_FAILED);
  EXPECT_EQ(declined.failure_reason(), "card_declined");
  EXPECT_EQ(Balance(fan, v1::ACCOUNT_KIND_WALLET), 0);

  ASSERT_TRUE(TopUp(fan, 5 * kUnit).ok());
  // One's own clip.
  status = Tip(creator, TipRequest(clip, kUnit), &tip);
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(status), "SELF_TIP");
  // More than the wallet holds: nothing of it moves.
  status = Tip(fan, TipRequest(clip, 6 * kUnit), &tip);
  EXPECT_EQ(ReasonOf(status), "INSUFFICIENT_FUNDS");
  EXPECT_EQ(Balance(fan, v1::ACCOUNT_KIND_WALLET), 5 * kUnit);
  EXPECT_EQ(Balance(creator, v1::ACCOUNT_KIND_EARNINGS_PENDING), 0);
  // Bad input names its field.
  status = Tip(fan, TipRequest(clip, 5'000), &tip);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("amount"), std::string::npos);
  status = Tip(fan, TipRequest(clip, 501 * kUnit), &tip);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  status = Tip(fan, TipRequest(ids_.Next(), kUnit), &tip);
  EXPECT_EQ(status.error_code(), StatusCode::NOT_FOUND);
  status = Tip(fan, TipRequest(clip, kUnit, std::string(141, 'x')), &tip);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("message"), std::string::npos);

  // The velocity limit: 30 tips a minute; the 31st is refused with when
  // it resets, and moves nothing.
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(Tip(fan, TipRequest(clip, 100'000), &tip).ok()) << i;
  const int64_t wallet = Balance(fan, v1::ACCOUNT_KIND_WALLET);
  status = Tip(fan, TipRequest(clip, 100'000), &tip);
  EXPECT_EQ(status.error_code(), StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ReasonOf(status), "VELOCITY_LIMIT");
  EXPECT_NE(status.error_message().find("tips_per_minute"), std::string::npos) << status.error_message();
  EXPECT_EQ(Balance(fan, v1::ACCOUNT_KIND_WALLET), wallet);
  // Another user's balance is not the fan's to read.
  v1::GetBalanceRequest others;
  others.set_user_id(creator.id);
  v1::GetBalanceResponse response;
  EXPECT_EQ(As(fan, &v1::TippingService::Stub::GetBalance, others, &response).error_code(),
            StatusCode::PERMISSION_DENIED);
}

TEST_F(TippingServiceTest, ManyTippersAtOnceAreBookedExactlyInGroupCommits) {
  const TestUser creator = NewUser();
  const std::string clip = PublishClip(creator.id);
  constexpr int kTippers = 16;
  constexpr int kTipsEach = 25;
  std::vector<TestUser> tippers;
  for (int i = 0; i < kTippers; ++i) {
    tippers.push_back(NewUser());
    ASSERT_TRUE(TopUp(tippers.back(), 10 * kUnit).ok());
  }
  const int64_t batches_before = server_.tipping().writer().last_batch_sequence();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (const TestUser& tipper : tippers) {
    threads.emplace_back([&, tipper] {
      for (int i = 0; i < kTipsEach; ++i) {
        v1::Tip tip;
        if (!Tip(tipper, TipRequest(clip, 200'000), &tip).ok()) failures.fetch_add(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);

  constexpr int kTips = kTippers * kTipsEach;
  // 0.20 each: fee 0.01, the creator 0.19.
  EXPECT_EQ(Balance(creator, v1::ACCOUNT_KIND_EARNINGS_PENDING), kTips * 190'000);
  for (const TestUser& tipper : tippers) EXPECT_EQ(Balance(tipper, v1::ACCOUNT_KIND_WALLET), 5 * kUnit);
  const int64_t batches = server_.tipping().writer().last_batch_sequence() - batches_before;
  EXPECT_LT(batches, kTips) << "every tip took its own commit";
  EXPECT_EQ(Scalar("SELECT count(*) FROM bus.outbox WHERE subject = 'clipforge.tip.sent'"), kTips);
  EXPECT_TRUE(server_.tipping().writer().CheckInvariants().empty());
  // The stored books sum to zero per currency.
  EXPECT_EQ(Scalar("SELECT coalesce(sum(credits_posted - debits_posted), 0) FROM tipping.accounts "
                   "WHERE currency = 'USD'"),
            0);
}

TEST_F(TippingServiceTest, StatementsAndPastBalancesFollowTheEntries) {
  const TestUser creator = NewUser();
  const TestUser fan = NewUser();
  const std::string clip = PublishClip(creator.id);
  ASSERT_TRUE(TopUp(fan, 5 * kUnit).ok());
  const absl::Time after_top_up = absl::Now();
  v1::Tip tip;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Tip(fan, TipRequest(clip, kUnit), &tip).ok());

  const std::string wallet = ledger::AccountIdOf(ledger::AccountKind::kUserWallet, fan.id, ledger::Currency("USD"));
  v1::ListEntriesRequest request;
  request.set_account_id(wallet);
  request.set_page_size(2);
  std::vector<v1::LedgerEntry> entries;
  v1::ListEntriesResponse page;
  ASSERT_TRUE(As(fan, &v1::TippingService::Stub::ListEntries, request, &page).ok());
  entries.insert(entries.end(), page.entries().begin(), page.entries().end());
  EXPECT_EQ(page.opening_balance().amount_micros(), 0);
  ASSERT_FALSE(page.next_page_token().empty());
  for (int pages = 0; !page.next_page_token().empty() && pages < 20; ++pages) {
    request.set_page_token(page.next_page_token());
    ASSERT_TRUE(As(fan, &v1::TippingService::Stub::ListEntries, request, &page).ok());
    entries.insert(entries.end(), page.entries().begin(), page.entries().end());
  }
  // The top-up and two legs per tip (fee, creator), oldest first, each
  // entry's balance the one before plus its amount.
  ASSERT_EQ(entries.size(), 7u);
  EXPECT_EQ(entries[0].kind(), v1::TRANSFER_KIND_TOP_UP);
  EXPECT_EQ(entries[0].amount().amount_micros(), 5 * kUnit);
  int64_t balance = 0;
  for (const v1::LedgerEntry& entry : entries) {
    balance += entry.amount().amount_micros();
    EXPECT_EQ(entry.balance_after().amount_micros(), balance) << entry.entry_id();
  }
  EXPECT_EQ(balance, 2 * kUnit);
  EXPECT_EQ(page.closing_balance().amount_micros(), 2 * kUnit);

  // As of just after the top-up, the wallet held all of it.
  v1::GetBalanceRequest past;
  *past.mutable_as_of_time() = kit::ToTimestamp(after_top_up);
  v1::GetBalanceResponse response;
  ASSERT_TRUE(As(fan, &v1::TippingService::Stub::GetBalance, past, &response).ok());
  ASSERT_GE(response.balances_size(), 1);
  EXPECT_EQ(response.balances(0).kind(), v1::ACCOUNT_KIND_WALLET);
  EXPECT_EQ(response.balances(0).balance().amount_micros(), 5 * kUnit);

  // Another user's account is not the caller's to list; a token of another
  // account is refused.
  EXPECT_EQ(As(creator, &v1::TippingService::Stub::ListEntries, request, &page).error_code(),
            StatusCode::PERMISSION_DENIED);
  request.set_account_id(ledger::AccountIdOf(ledger::AccountKind::kUserEarningsPending, fan.id,
                                             ledger::Currency("USD")));
  EXPECT_EQ(As(fan, &v1::TippingService::Stub::ListEntries, request, &page).error_code(),
            StatusCode::INVALID_ARGUMENT);
}

TEST_F(TippingServiceTest, ASecondWriterFencesTheFirstOutAndContinuesTheChain) {
  const TestUser creator = NewUser();
  const TestUser fan = NewUser();
  const std::string clip = PublishClip(creator.id);
  ASSERT_TRUE(TopUp(fan, 5 * kUnit).ok());
  v1::Tip tip;
  ASSERT_TRUE(Tip(fan, TipRequest(clip, kUnit), &tip).ok());
  const int64_t last = server_.tipping().writer().last_batch_sequence();

  // A second process's writer takes the fence and loads the books.
  std::unique_ptr<tipping_service::TippingComponent> second = server_.NewTippingInstance();
  ASSERT_TRUE(second->AwaitReady(absl::Seconds(30)));
  EXPECT_EQ(second->writer().last_batch_sequence(), last);

  // The first can no longer commit: its next tip fails and moves nothing.
  const grpc::Status fenced = Tip(fan, TipRequest(clip, kUnit), &tip);
  EXPECT_EQ(fenced.error_code(), StatusCode::UNAVAILABLE);
  EXPECT_FALSE(server_.tipping().writer().running());
  // Readiness says so, and the second is ready.
  EXPECT_FALSE(server_.tipping().ready());
  EXPECT_TRUE(second->ready());
  EXPECT_EQ(Balance(fan, v1::ACCOUNT_KIND_WALLET), 4 * kUnit);

  // The second books on, chaining onto the first's last batch.
  tipping_service::LedgerRequest request;
  ledger::Transfer transfer{.id = "test/adjustment",
                            .debit_account_id = ledger::AccountIdOf(ledger::AccountKind::kPlatformCapital, "",
                                                                    ledger::Currency("USD")),
                            .credit_account_id =
                                ledger::AccountIdOf(ledger::AccountKind::kUserWallet, fan.id, ledger::Currency("USD")),
                            .amount = kUnit,
                            .currency = ledger::Currency("USD"),
                            .code = ledger::TransferCode::kAdjustment};
  request.accounts.push_back(ledger::OpenAccount(transfer.debit_account_id, ledger::AccountKind::kPlatformCapital,
                                                 ledger::Currency("USD")));
  request.transfers.push_back(transfer);
  const absl::StatusOr<tipping_service::LedgerReply> reply = second->writer().Submit(request);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_TRUE(reply->outcomes[0].ok());
  EXPECT_EQ(reply->batch_sequence, last + 1);
  EXPECT_EQ(Scalar(absl::StrCat("SELECT count(*) FROM tipping.batches b JOIN tipping.batches p ON p.sequence = ",
                                last, " WHERE b.sequence = ", last + 1, " AND b.previous_hash = p.hash")),
            1);
  EXPECT_EQ(Balance(fan, v1::ACCOUNT_KIND_WALLET), 5 * kUnit);
}

// What one SendTips stream answered.
struct TipStream {
  grpc::Status status;
  int written = 0;
  std::vector<v1::SendTipsResponse> outcomes;
};

// Sends `tips` over one SendTips stream as the holder of `token` (none when
// empty), every one before reading any outcome, half-closes, then reads
// every outcome and the status.
TipStream SendTipsOver(v1::TippingService::Stub& stub, const std::string& token,
                       const std::vector<v1::SendTipRequest>& tips) {
  grpc::ClientContext ctx;
  if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
  std::unique_ptr<grpc::ClientReaderWriter<v1::SendTipsRequest, v1::SendTipsResponse>> stream = stub.SendTips(&ctx);
  TipStream result;
  for (const v1::SendTipRequest& tip : tips) {
    v1::SendTipsRequest request;
    *request.mutable_tip() = tip;
    if (!stream->Write(request)) break;  // the server ended the stream
    ++result.written;
  }
  stream->WritesDone();
  v1::SendTipsResponse outcome;
  while (stream->Read(&outcome)) result.outcomes.push_back(outcome);
  result.status = stream->Finish();
  return result;
}

TEST_F(TippingServiceTest, SendTipsBooksManyStreamsAtOnceAndAnswersEachTipByRequestId) {
  const TestUser creator = NewUser();
  const std::string clip = PublishClip(creator.id);
  // 12 tippers with a stream each: 300 tips, within the velocity limit of 30
  // tips a minute per tipper.
  constexpr int kTippers = 12;
  constexpr int kTipsEach = 25;
  std::vector<TestUser> tippers;
  std::vector<std::vector<v1::SendTipRequest>> streams(kTippers);
  for (int t = 0; t < kTippers; ++t) {
    tippers.push_back(NewUser());
    ASSERT_TRUE(TopUp(tippers.back(), 10 * kUnit).ok());
    for (int i = 0; i < kTipsEach; ++i) streams[t].push_back(TipRequest(clip, 200'000));
  }
  // The first stream also sends one of its tips again (the same request id,
  // while the first may still be in flight), one whose clip id is no UUID
  // and one under the minimum.
  const v1::SendTipRequest repeated = streams[0][3];
  const v1::SendTipRequest bad_clip = TipRequest("not-a-uuid", 200'000);
  const v1::SendTipRequest too_small = TipRequest(clip, 50'000);
  streams[0].insert(streams[0].begin() + 5, repeated);
  streams[0].insert(streams[0].begin() + 10, bad_clip);
  streams[0].push_back(too_small);

  // Without a token the stream ends at once.
  const TipStream anonymous = SendTipsOver(*tipping_, "", {TipRequest(clip, 200'000)});
  EXPECT_EQ(anonymous.status.error_code(), StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(anonymous.outcomes.empty());

  const int64_t batches_before = server_.tipping().writer().last_batch_sequence();
  std::vector<TipStream> results(kTippers);
  std::vector<std::thread> threads;
  for (int t = 0; t < kTippers; ++t) {
    threads.emplace_back([&, t] { results[t] = SendTipsOver(*tipping_, tippers[t].token, streams[t]); });
  }
  for (std::thread& thread : threads) thread.join();

  for (int t = 0; t < kTippers; ++t) {
    const TipStream& result = results[t];
    ASSERT_TRUE(result.status.ok()) << t << ": " << result.status.error_message();
    // One outcome per tip sent, matched by request id.
    ASSERT_EQ(result.outcomes.size(), streams[t].size()) << t;
    std::map<std::string, std::vector<v1::SendTipsResponse>> by_id;
    for (const v1::SendTipsResponse& outcome : result.outcomes) by_id[outcome.request_id()].push_back(outcome);
    for (const v1::SendTipRequest& request : streams[t]) {
      if (request.request_id() == bad_clip.request_id() || request.request_id() == too_small.request_id()) continue;
      const std::vector<v1::SendTipsResponse>& outcomes = by_id[request.request_id()];
      ASSERT_FALSE(outcomes.empty()) << request.request_id();
      for (const v1::SendTipsResponse& outcome : outcomes) {
        EXPECT_EQ(outcome.code(), 0) << outcome.message();
        EXPECT_FALSE(outcome.has_error());
        EXPECT_EQ(outcome.tip().tip_id(), request.request_id());
        EXPECT_EQ(outcome.tip().sender_id(), tippers[t].id);
        EXPECT_EQ(outcome.tip().amount().amount_micros(), 200'000);
        EXPECT_EQ(outcome.tip().legs_size(), 2);
      }
    }
    if (t != 0) continue;
    // The repeated request id is answered twice with the same tip.
    const std::vector<v1::SendTipsResponse>& twice = by_id[repeated.request_id()];
    ASSERT_EQ(twice.size(), 2u);
    EXPECT_EQ(twice[0].tip().SerializeAsString(), twice[1].tip().SerializeAsString());
    // Bad tips get outcomes of their own; the others went through.
    ASSERT_EQ(by_id[bad_clip.request_id()].size(), 1u);
    const v1::SendTipsResponse& refused = by_id[bad_clip.request_id()][0];
    EXPECT_EQ(refused.code(), static_cast<int>(StatusCode::INVALID_ARGUMENT));
    EXPECT_EQ(refused.error().reason(), "INVALID_ARGUMENT");
    EXPECT_NE(refused.message().find("clip_id"), std::string::npos) << refused.message();
    EXPECT_FALSE(refused.has_tip());
    ASSERT_EQ(by_id[too_small.request_id()].size(), 1u);
    const v1::SendTipsResponse& small = by_id[too_small.request_id()][0];
    EXPECT_EQ(small.code(), static_cast<int>(StatusCode::INVALID_ARGUMENT));
    EXPECT_NE(small.message().find("amount"), std::string::npos) << small.message();
  }

  // Exactly the 300 tips moved money, once each: 0.20 each, fee 0.01, the
  // creator 0.19.
  constexpr int kTips = kTippers * kTipsEach;
  for (const TestUser& tipper : tippers) EXPECT_EQ(Balance(tipper, v1::ACCOUNT_KIND_WALLET), 5 * kUnit);
  EXPECT_EQ(Balance(creator, v1::ACCOUNT_KIND_EARNINGS_PENDING), kTips * 190'000);
  EXPECT_EQ(Scalar("SELECT count(*) FROM tipping.tips"), kTips);
  EXPECT_EQ(Scalar("SELECT count(*) FROM bus.outbox WHERE subject = 'clipforge.tip.sent'"), kTips);
  // Tips of one stream on the executor at once share group commits.
  const int64_t batches = server_.tipping().writer().last_batch_sequence() - batches_before;
  EXPECT_LT(batches, kTips) << "every tip took its own commit";

  v1::LedgerHealth health;
  ASSERT_TRUE(As(NewUser({base::Role::kUser, base::Role::kAdmin}), &v1::TippingService::Stub::GetLedgerHealth,
                 v1::GetLedgerHealthRequest(), &health)
                  .ok());
  EXPECT_TRUE(health.healthy()) << health.DebugString();
}

TEST_F(TippingServiceTest, SendTipsEndsAStreamWithMoreThan256TipsAwaitingOutcomes) {
  const TestUser creator = NewUser();
  const TestUser fan = NewUser();
  const std::string clip = PublishClip(creator.id);
  ASSERT_TRUE(TopUp(fan, 10 * kUnit).ok());

  // No batch can commit while the fence's table is locked (a batch reads
  // the fence FOR SHARE), so every tip the stream starts waits in the
  // writer and no outcome is known: the 257th tip read is one too many.
  // The lock is held well within the store's 5 s statement timeout.
  pqxx::connection locker(server_.bus().pg().dsn());
  pqxx::work lock(locker);
  lock.exec("LOCK TABLE tipping.writer_fence IN EXCLUSIVE MODE");
  std::vector<v1::SendTipRequest> tips;
  for (int i = 0; i < 300; ++i) tips.push_back(TipRequest(clip, 100'000));
  const TipStream result = SendTipsOver(*tipping_, fan.token, tips);
  lock.abort();

  EXPECT_EQ(result.status.error_code(), StatusCode::RESOURCE_EXHAUSTED) << result.status.error_message();
  EXPECT_EQ(ReasonOf(result.status), "TOO_MANY_OUTSTANDING_TIPS");
  EXPECT_TRUE(result.outcomes.empty());
  EXPECT_GE(result.written, 256);

  // The tips that were running still book once the writer can commit (at
  // most 16 of a stream run at once; the others never started); the ledger
  // stays whole, and the service answers as before.
  v1::Tip tip;
  const TestUser other = NewUser();
  ASSERT_TRUE(TopUp(other, kUnit).ok());
  ASSERT_TRUE(Tip(other, TipRequest(clip, 100'000), &tip).ok());
  EXPECT_LE(Scalar(absl::StrCat("SELECT count(*) FROM tipping.tips WHERE sender_id = '", fan.id, "'")), 16);
  v1::LedgerHealth health;
  ASSERT_TRUE(As(NewUser({base::Role::kUser, base::Role::kAdmin}), &v1::TippingService::Stub::GetLedgerHealth,
                 v1::GetLedgerHealthRequest(), &health)
                  .ok());
  EXPECT_TRUE(health.healthy()) << health.DebugString();
}

TEST_F(TippingServiceTest, LedgerHealthIsForAdminsAndHealthyAfterTips) {
  const TestUser creator = NewUser();
  const TestUser fan = NewUser();
  const std::string clip = PublishClip(creator.id);
  ASSERT_TRUE(TopUp(fan, 5 * kUnit).ok());
  v1::Tip tip;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Tip(fan, TipRequest(clip, kUnit), &tip).ok());
  // A refused tip leaves nothing behind either.
  EXPECT_EQ(Tip(fan, TipRequest(clip, 3 * kUnit), &tip).error_code(), StatusCode::FAILED_PRECONDITION);

  v1::LedgerHealth health;
  EXPECT_EQ(As(fan, &v1::TippingService::Stub::GetLedgerHealth, v1::GetLedgerHealthRequest(), &health).error_code(),
            StatusCode::PERMISSION_DENIED);
  const TestUser admin = NewUser({base::Role::kUser, base::Role::kAdmin});
  const grpc::Status status = As(admin, &v1::TippingService::Stub::GetLedgerHealth, v1::GetLedgerHealthRequest(),
                                 &health);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(health.healthy()) << health.DebugString();
  EXPECT_EQ(health.problems_size(), 0);
  EXPECT_EQ(health.negative_balance_accounts(), 0);
  EXPECT_EQ(health.unbalanced_transfers(), 0);
  EXPECT_EQ(health.balance_mismatches(), 0);
  EXPECT_EQ(health.accounts_checked(), Scalar("SELECT count(*) FROM tipping.accounts"));
  EXPECT_EQ(health.entries_checked(), Scalar("SELECT count(*) FROM tipping.entries"));
  EXPECT_GT(health.entries_checked(), 0);
  ASSERT_GE(health.totals_size(), 1);
  for (const v1::CurrencyTotal& total : health.totals()) EXPECT_EQ(total.sum_micros(), 0) << total.currency();
  EXPECT_EQ(health.totals(0).currency(), "USD");
  EXPECT_GT(health.check_time().seconds(), 0);
}

TEST_F(TippingServiceTest, LedgerHealthNamesRowsTamperedWithInSql) {
  const TestUser creator = NewUser();
  const TestUser fan = NewUser();
  const std::string clip = PublishClip(creator.id);
  ASSERT_TRUE(TopUp(fan, 5 * kUnit).ok());
  v1::Tip tip;
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(Tip(fan, TipRequest(clip, kUnit), &tip).ok());

  // As a superuser, behind the writer's back: a counter nudged, a tip's fee
  // leg deleted, the last batch's link to its predecessor changed.
  const std::string earnings =
      ledger::AccountIdOf(ledger::AccountKind::kUserEarningsPending, creator.id, ledger::Currency("USD"));
  Scalar(absl::StrCat("UPDATE tipping.accounts SET credits_posted = credits_posted + 1 WHERE account_id = '",
                      earnings, "' RETURNING credits_posted"));
  Scalar(absl::StrCat("DELETE FROM tipping.transfers WHERE transfer_id = '", tip.tip_id(), "/0' RETURNING 1"));
  const int64_t last = Scalar(
      "UPDATE tipping.batches SET previous_hash = '\\x00'::bytea WHERE sequence = (SELECT max(sequence) FROM "
      "tipping.batches) RETURNING sequence");

  v1::LedgerHealth health;
  const grpc::Status status = As(NewUser({base::Role::kUser, base::Role::kAdmin}),
                                 &v1::TippingService::Stub::GetLedgerHealth, v1::GetLedgerHealthRequest(), &health);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(health.healthy());
  ASSERT_GE(health.totals_size(), 1);
  EXPECT_EQ(health.totals(0).currency(), "USD");
  EXPECT_EQ(health.totals(0).sum_micros(), 1);
  // The nudged account's balance no longer follows from its entries; the
  // deleted leg's entries belong to no transfer.
  EXPECT_EQ(health.balance_mismatches(), 1);
  EXPECT_EQ(health.unbalanced_transfers(), 1);
  EXPECT_EQ(health.negative_balance_accounts(), 0);
  std::string problems;
  for (const std::string& problem : health.problems()) absl::StrAppend(&problems, problem, "\n");
  // The nudged account, and the fan's wallet and the fee account, whose
  // counters count the deleted leg.
  EXPECT_NE(problems.find("stored rows: 3 accounts whose counters differ from their transfers"), std::string::npos)
      << problems;
  EXPECT_NE(problems.find(absl::StrCat("account ", earnings, ": credits_posted is ")), std::string::npos) << problems;
  EXPECT_NE(problems.find("USD: credits_posted - debits_posted over all accounts is 0.000001, not 0"),
            std::string::npos)
      << problems;
  EXPECT_NE(problems.find(absl::StrCat("transfer ", tip.tip_id(), "/0: has entries but posted nothing")),
            std::string::npos)
      << problems;
  EXPECT_NE(problems.find(absl::StrCat("tip ", tip.tip_id(), ": leg 0's transfer ", tip.tip_id(), "/0 is missing")),
            std::string::npos)
      << problems;
  EXPECT_NE(problems.find(absl::StrCat("batch ", last, ": previous_hash is not batch ", last - 1, "'s hash")),
            std::string::npos)
      << problems;
}

}  // namespace
}  // namespace clipforge::testing
