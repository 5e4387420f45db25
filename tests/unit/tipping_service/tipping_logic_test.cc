// The tipping logic over the ledger writer and in-memory fakes: a tip's
// legs and where they land, royalties skipping ineligible ancestors,
// retries and reused request ids, every refusal with its reason (a clip
// that cannot be tipped, self-tips, short wallets, the velocity limit and
// its reset), top-ups through the sandbox provider, who may read which
// tip, balance and statement; and the clip directory kept from events.
#include "services/tipping/tipping_logic.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/error_reason.h"
#include "base/random.h"
#include "base/testing/fake_clock.h"
#include "base/testing/status_matchers.h"
#include "base/uuid.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/tip_transfers.h"
#include "services/kit/event_factory.h"
#include "services/tipping/directory_events.h"
#include "tests/unit/tipping_service/fake_ledger_store.h"
#include "tests/unit/tipping_service/fake_tipping_store.h"
#include "tests/unit/tipping_service/tipping_world.h"

namespace clipforge::tipping_service {
namespace tipping_logic_test {
namespace {

using ::clipforge::base::testing::FakeClock;
using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::StatusIs;
using ::clipforge::tipping_service::testing::FakeLedgerStore;
using ::clipforge::tipping_service::testing::FakeTippingStore;
using ledger::Micros;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr Micros kUnit = ledger::kMicrosPerUnit;

class TippingLogicTest : public ::clipforge::tipping_service::testing::TippingWorldTest {
 protected:
  absl::StatusOr<TopUpRecord> TopUp(const kit::Caller& user, Micros amount, const std::string& token = "tok_visa",
                                    std::string id = "") {
    if (id.empty()) id = ids_.Next();
    return logic_.CreateTopUp(user, {.top_up_id = id, .amount = amount, .provider = "sandbox",
                                     .payment_method_token = token});
  }

  SendTipInput TipOf(const std::string& clip_id, Micros amount, const std::string& message = "") {
    return {.tip_id = ids_.Next(), .clip_id = clip_id, .amount = amount, .message = message};
  }
};

TEST_F(TippingLogicTest, ATipPaysTheFeeEligibleAncestorsAndTheCreatorAndIsAnnounced) {
  const kit::Caller gone_author = User();
  const kit::Caller parent_author = User();
  const kit::Caller creator = User();
  const kit::Caller fan = User();
  const std::string root = Clip(gone_author);
  const std::string parent = Clip(parent_author, root);
  const std::string clip = Clip(creator, parent);
  ASSERT_THAT(store_.MarkUserGone(gone_author.user_id), IsOk());
  ASSERT_THAT(TopUp(fan, 20 * kUnit), IsOk());

  const absl::StatusOr<TipRecord> tip = logic_.SendTip(fan, TipOf(clip, 10 * kUnit, "bravo"));
  ASSERT_THAT(tip, IsOk());
  // The grandparent's author is gone: their 2.5% stays with the creator.
  ASSERT_EQ(tip->legs.size(), 3u);
  EXPECT_EQ(tip->legs[0].leg.kind, ledger::TipLegKind::kPlatformFee);
  EXPECT_EQ(tip->legs[0].leg.amount, 500'000);
  EXPECT_EQ(tip->legs[1].leg.kind, ledger::TipLegKind::kRoyalty);
  EXPECT_EQ(tip->legs[1].leg.user_id, parent_author.user_id);
  EXPECT_EQ(tip->legs[1].leg.amount, 475'000);
  EXPECT_EQ(tip->legs[2].leg.user_id, creator.user_id);
  EXPECT_EQ(tip->legs[2].leg.amount, 10 * kUnit - 500'000 - 475'000);
  EXPECT_EQ(tip->legs[2].account_id, ledger::AccountIdOf(ledger::AccountKind::kUserEarningsPending,
                                                         creator.user_id, ledger::Currency("USD")));

  EXPECT_EQ(Balance(fan, ledger::AccountKind::kUserWallet), 10 * kUnit);
  EXPECT_EQ(Balance(creator, ledger::AccountKind::kUserEarningsPending), tip->legs[2].leg.amount);
  EXPECT_EQ(Balance(parent_author, ledger::AccountKind::kUserEarningsPending), 475'000);
  EXPECT_EQ(Balance(gone_author, ledger::AccountKind::kUserEarningsPending), 0);

  // The tip and its event were committed with its money.
  const LedgerBatch last = ledger_.batches().back();
  ASSERT_EQ(last.tips.size(), 1u);
  EXPECT_EQ(last.tips[0], *tip);
  ASSERT_EQ(last.events.size(), 1u);
  EXPECT_EQ(last.events[0].type(), kTipSentSubject);
  EXPECT_EQ(last.events[0].tip_sent().legs_size(), 3);
  EXPECT_EQ(last.events[0].tip_sent().amount().amount_micros(), 10 * kUnit);
}

TEST_F(TippingLogicTest, ARetryReturnsTheBookedTipAndAReusedIdNamesWhatDiffers) {
  const kit::Caller creator = User();
  const kit::Caller fan = User();
  const std::string clip = Clip(creator);
  ASSERT_THAT(TopUp(fan, 10 * kUnit), IsOk());
  const SendTipInput input = TipOf(clip, 2 * kUnit, "hi");
  const absl::StatusOr<TipRecord> first = logic_.SendTip(fan, input);
  ASSERT_THAT(first, IsOk());
  const size_t batches = ledger_.batches().size();

  clock_.Advance(absl::Seconds(5));
  const absl::StatusOr<TipRecord> again = logic_.SendTip(fan, input);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(*again, *first);
  EXPECT_EQ(ledger_.batches().size(), batches);
  EXPECT_EQ(Balance(fan, ledger::AccountKind::kUserWallet), 8 * kUnit);

  SendTipInput other_amount = input;
  other_amount.amount = 3 * kUnit;
  absl::StatusOr<TipRecord> reused = logic_.SendTip(fan, other_amount);
  EXPECT_THAT(reused, StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("amount")));
  EXPECT_EQ(base::ReasonOf(reused.status()), "REQUEST_ID_REUSED");
  SendTipInput other_message = input;
  other_message.message = "bye";
  EXPECT_THAT(logic_.SendTip(fan, other_message), StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("message")));
  // Another user cannot take over the id either.
  const kit::Caller stranger = User();
  ASSERT_THAT(TopUp(stranger, 10 * kUnit), IsOk());
  EXPECT_THAT(logic_.SendTip(stranger, input), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(Balance(stranger, ledger::AccountKind::kUserWallet), 10 * kUnit);
}

TEST_F(TippingLogicTest, ClipsThatCannotBeTippedAreNotFound) {
  const kit::Caller creator = User();
  const kit::Caller fan = User();
  ASSERT_THAT(TopUp(fan, 10 * kUnit), IsOk());
  EXPECT_THAT(logic_.SendTip(fan, TipOf(ids_.Next(), kUnit)), StatusIs(absl::StatusCode::kNotFound));
  const std::string removed = Clip(creator);
  ASSERT_THAT(store_.RemoveClip(removed), IsOk());
  EXPECT_THAT(logic_.SendTip(fan, TipOf(removed, kUnit)), StatusIs(absl::StatusCode::kNotFound));
  const std::string hidden = Clip(creator);
  ASSERT_THAT(store_.SetClipTippable(hidden, false), IsOk());
  EXPECT_THAT(logic_.SendTip(fan, TipOf(hidden, kUnit)), StatusIs(absl::StatusCode::kNotFound));
  const kit::Caller gone = User();
  const std::string orphan = Clip(gone);
  ASSERT_THAT(store_.MarkUserGone(gone.user_id), IsOk());
  EXPECT_THAT(logic_.SendTip(fan, TipOf(orphan, kUnit)), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(Balance(fan, ledger::AccountKind::kUserWallet), 10 * kUnit);
}

TEST_F(TippingLogicTest, SelfTipsShortWalletsAndTheVelocityLimitAreRefusedWithTheirReasons) {
  const kit::Caller creator = User();
  const kit::Caller fan = User();
  const std::string clip = Clip(creator);
  absl::StatusOr<TipRecord> refused = logic_.SendTip(fan, TipOf(clip, kUnit));
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(base::ReasonOf(refused.status()), "INSUFFICIENT_FUNDS");

  ASSERT_THAT(TopUp(fan, 10 * kUnit), IsOk());
  ASSERT_THAT(TopUp(creator, 10 * kUnit), IsOk());
  refused = logic_.SendTip(creator, TipOf(clip, kUnit));
  EXPECT_EQ(base::ReasonOf(refused.status()), "SELF_TIP");
  refused = logic_.SendTip(fan, TipOf(clip, 11 * kUnit));
  EXPECT_EQ(base::ReasonOf(refused.status()), "INSUFFICIENT_FUNDS");
  EXPECT_THAT(logic_.SendTip(fan, TipOf(clip, 50'000)), StatusIs(absl::StatusCode::kInvalidArgument,
                                                                  HasSubstr("amount")));

  // 30 tips a minute: the first at t0, the rest 1 s apart.
  const absl::Time first = clock_.Now();
  for (int i = 0; i < 30; ++i) {
    ASSERT_THAT(logic_.SendTip(fan, TipOf(clip, 100'000)), IsOk()) << i;
    clock_.Advance(absl::Seconds(1));
  }
  const Micros wallet = Balance(fan, ledger::AccountKind::kUserWallet);
  refused = logic_.SendTip(fan, TipOf(clip, 100'000));
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("tips_per_minute")));
  EXPECT_EQ(base::ReasonOf(refused.status()), "VELOCITY_LIMIT");
  // It resets when the oldest hold expires: a minute after the first tip.
  EXPECT_THAT(refused.status().message(), HasSubstr(absl::FormatTime(absl::RFC3339_sec, first + absl::Minutes(1),
                                                                     absl::UTCTimeZone())));
  EXPECT_EQ(Balance(fan, ledger::AccountKind::kUserWallet), wallet);
  // Another tipper is not held back by the fan's limit.
  const kit::Caller other = User();
  ASSERT_THAT(TopUp(other, 10 * kUnit), IsOk());
  EXPECT_THAT(logic_.SendTip(other, TipOf(clip, 100'000)), IsOk());
  // Once the first hold expired, one more tip fits.
  clock_.Set(first + absl::Minutes(1));
  EXPECT_THAT(logic_.SendTip(fan, TipOf(clip, 100'000)), IsOk());
  EXPECT_THAT(logic_.SendTip(fan, TipOf(clip, 100'000)), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_TRUE(writer_.CheckInvariants().empty());
}

TEST_F(TippingLogicTest, ANewWalletTipsAtMostFiftyADayAnEstablishedOneMore) {
  const kit::Caller creator = User();
  const std::string clip = Clip(creator);
  const kit::Caller fresh = User();
  const kit::Caller established = User();
  ASSERT_THAT(TopUp(established, 200 * kUnit), IsOk());
  clock_.Advance(absl::Hours(24 * 8));
  const absl::Time topped_up = clock_.Now();
  ASSERT_THAT(TopUp(fresh, 200 * kUnit), IsOk());

  ASSERT_THAT(logic_.SendTip(fresh, TipOf(clip, 30 * kUnit)), IsOk());
  ASSERT_THAT(logic_.SendTip(fresh, TipOf(clip, 20 * kUnit)), IsOk());
  const absl::StatusOr<TipRecord> refused = logic_.SendTip(fresh, TipOf(clip, 100'000));
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("new_wallet_tips_per_day")));
  EXPECT_EQ(base::ReasonOf(refused.status()), "VELOCITY_LIMIT");
  // It resets when the day's first tip's hold expires.
  EXPECT_THAT(refused.status().message(), HasSubstr(absl::FormatTime(absl::RFC3339_sec, topped_up + absl::Hours(24),
                                                                     absl::UTCTimeZone())));
  EXPECT_EQ(Balance(fresh, ledger::AccountKind::kUserWallet), 150 * kUnit);
  // A wallet topped up more than a week ago is not held to it.
  ASSERT_THAT(logic_.SendTip(established, TipOf(clip, 60 * kUnit)), IsOk());
  ASSERT_THAT(logic_.SendTip(established, TipOf(clip, 60 * kUnit)), IsOk());
  // A day later the fresh wallet's allowance is back.
  clock_.Set(topped_up + absl::Hours(24));
  EXPECT_THAT(logic_.SendTip(fresh, TipOf(clip, 30 * kUnit)), IsOk());
  EXPECT_TRUE(writer_.CheckInvariants().empty());
}

TEST_F(TippingLogicTest, TopUpsCreditTheWalletOnceAndDeclinesAreKept) {
  const kit::Caller fan = User();
  const std::string id = ids_.Next();
  absl::StatusOr<TopUpRecord> top_up = TopUp(fan, 5 * kUnit, "tok_visa", id);
  ASSERT_THAT(top_up, IsOk());
  EXPECT_EQ(top_up->status, TopUpStatus::kSucceeded);
  EXPECT_FALSE(top_up->client_secret.empty());
  EXPECT_THAT(top_up->provider_reference, HasSubstr("sbx_pi_"));
  // A retry answers the stored top-up and credits nothing more.
  top_up = TopUp(fan, 5 * kUnit, "tok_visa", id);
  ASSERT_THAT(top_up, IsOk());
  EXPECT_EQ(top_up->status, TopUpStatus::kSucceeded);
  EXPECT_EQ(Balance(fan, ledger::AccountKind::kUserWallet), 5 * kUnit);
  EXPECT_THAT(TopUp(fan, 6 * kUnit, "tok_visa", id), StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("amount")));

  const std::string declined_id = ids_.Next();
  top_up = TopUp(fan, 5 * kUnit, "tok_chargeDeclined", declined_id);
  ASSERT_THAT(top_up, IsOk());
  EXPECT_EQ(top_up->status, TopUpStatus::kFailed);
  EXPECT_EQ(top_up->failure_reason, "card_declined");
  // Retrying a declined top-up with a good card does not turn it into money:
  // the id names the declined payment.
  top_up = TopUp(fan, 5 * kUnit, "tok_visa", declined_id);
  ASSERT_THAT(top_up, IsOk());
  EXPECT_EQ(top_up->status, TopUpStatus::kFailed);
  EXPECT_EQ(Balance(fan, ledger::AccountKind::kUserWallet), 5 * kUnit);

  EXPECT_THAT(TopUp(fan, 501 * kUnit), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("amount")));
  EXPECT_THAT(TopUp(fan, 500'000), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("amount")));
  EXPECT_THAT(logic_.CreateTopUp(fan, {.top_up_id = ids_.Next(), .amount = kUnit, .provider = "stripe",
                                       .payment_method_token = "tok_visa"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("provider")));
  EXPECT_THAT(TopUp(fan, kUnit, "4242424242424242"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("payment_method_token")));
}

TEST_F(TippingLogicTest, RefundsPayBackWhatTheWalletStillHoldsOnceAndNeverMoreThanTheTopUp) {
  const kit::Caller fan = User();
  const kit::Caller creator = User();
  const std::string clip = Clip(creator);
  const std::string top_up_id = ids_.Next();
  ASSERT_THAT(TopUp(fan, 10 * kUnit, "tok_visa", top_up_id), IsOk());
  const auto refund = [&](const kit::Caller& who, const std::string& request_id, std::optional<Micros> amount,
                          const std::string& of = "") {
    return logic_.RefundTopUp(who, {.request_id = request_id, .top_up_id = of.empty() ? top_up_id : of,
                                    .amount = amount});
  };

  const std::string first = ids_.Next();
  absl::StatusOr<TopUpRecord> after = refund(fan, first, 4 * kUnit);
  ASSERT_THAT(after, IsOk());
  EXPECT_EQ(after->refunded, 4 * kUnit);
  EXPECT_EQ(after->status, TopUpStatus::kPartiallyRefunded);
  EXPECT_EQ(Balance(fan, ledger::AccountKind::kUserWallet), 6 * kUnit);
  // A retry answers the same refund; the same id for another amount is
  // refused naming it.
  after = refund(fan, first, 4 * kUnit);
  ASSERT_THAT(after, IsOk());
  EXPECT_EQ(after->refunded, 4 * kUnit);
  EXPECT_EQ(Balance(fan, ledger::AccountKind::kUserWallet), 6 * kUnit);
  EXPECT_THAT(refund(fan, first, 5 * kUnit), StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("amount")));

  // Another top-up fills the wallet, so only the first top-up's cap can
  // stop a refund of 7 (the stored row allows up to the top-up's amount).
  ASSERT_THAT(TopUp(fan, 20 * kUnit), IsOk());
  absl::StatusOr<TopUpRecord> refused = refund(fan, ids_.Next(), 7 * kUnit);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(base::ReasonOf(refused.status()), "REFUND_EXCEEDS_TOP_UP");
  EXPECT_EQ(Balance(fan, ledger::AccountKind::kUserWallet), 26 * kUnit);

  // The rest, unset amount: all that is left; its retry still answers it.
  const std::string rest = ids_.Next();
  after = refund(fan, rest, std::nullopt);
  ASSERT_THAT(after, IsOk());
  EXPECT_EQ(after->refunded, 10 * kUnit);
  EXPECT_EQ(after->status, TopUpStatus::kRefunded);
  EXPECT_THAT(refund(fan, rest, std::nullopt), IsOk());
  EXPECT_EQ(Balance(fan, ledger::AccountKind::kUserWallet), 20 * kUnit);
  refused = refund(fan, ids_.Next(), kUnit);
  EXPECT_EQ(base::ReasonOf(refused.status()), "REFUND_EXCEEDS_TOP_UP");

  // Money already tipped away cannot be refunded.
  const std::string spent = ids_.Next();
  ASSERT_THAT(TopUp(fan, 10 * kUnit, "tok_visa", spent), IsOk());
  ASSERT_THAT(logic_.SendTip(fan, TipOf(clip, 25 * kUnit)), IsOk());
  refused = refund(fan, ids_.Next(), std::nullopt, spent);
  EXPECT_EQ(base::ReasonOf(refused.status()), "INSUFFICIENT_FUNDS");
  EXPECT_EQ(Balance(fan, ledger::AccountKind::kUserWallet), 5 * kUnit);
  EXPECT_THAT(refund(fan, ids_.Next(), 5 * kUnit, spent), IsOk());
  EXPECT_EQ(Balance(fan, ledger::AccountKind::kUserWallet), 0);

  // Only the owner (or an admin) refunds; a declined top-up has nothing to
  // refund.
  EXPECT_THAT(refund(User(), ids_.Next(), kUnit, spent), StatusIs(absl::StatusCode::kNotFound));
  const std::string declined = ids_.Next();
  ASSERT_THAT(TopUp(fan, 5 * kUnit, "tok_chargeDeclined", declined), IsOk());
  refused = refund(fan, ids_.Next(), std::nullopt, declined);
  EXPECT_EQ(base::ReasonOf(refused.status()), "NOT_REFUNDABLE");
  EXPECT_TRUE(writer_.CheckInvariants().empty());
}

// The sandbox, unreachable for the first `failures` charges (after it
// charged, as a lost answer would look).
class FlakyProvider final : public PaymentProvider {
 public:
  explicit FlakyProvider(int failures) : failures_(failures) {}
  absl::string_view name() const override { return "flaky"; }
  absl::StatusOr<PaymentIntent> CreateIntent(absl::string_view key, Micros amount, ledger::Currency currency,
                                             absl::string_view token) override {
    absl::StatusOr<PaymentIntent> intent = sandbox_.CreateIntent(key, amount, currency, token);
    if (failures_ > 0) {
      --failures_;
      return absl::UnavailableError("provider: connection reset");
    }
    return intent;
  }
  absl::StatusOr<std::string> Refund(absl::string_view key, absl::string_view reference, Micros amount,
                                     ledger::Currency currency) override {
    return sandbox_.Refund(key, reference, amount, currency);
  }

 private:
  SandboxPaymentProvider sandbox_;
  int failures_;
};

TEST_F(TippingLogicTest, ATopUpIsRecordedPendingBeforeTheProviderIsAskedAndARetryFinishesIt) {
  PaymentProviders flaky;
  flaky.Add(std::make_unique<FlakyProvider>(1));
  TippingLogic logic(store_, writer_, flaky, events_, clock_, TippingConfig{});
  const kit::Caller fan = User();
  const TopUpInput input{.top_up_id = ids_.Next(), .amount = 5 * kUnit, .provider = "flaky",
                         .payment_method_token = "tok_visa"};
  EXPECT_THAT(logic.CreateTopUp(fan, input), StatusIs(absl::StatusCode::kUnavailable));
  // The charge may have happened: the row says so while nothing moved.
  absl::StatusOr<std::optional<TopUpRecord>> stored = store_.GetTopUp(input.top_up_id);
  ASSERT_THAT(stored, IsOk());
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->status, TopUpStatus::kPending);
  EXPECT_EQ(Balance(fan, ledger::AccountKind::kUserWallet), 0);

  const absl::StatusOr<TopUpRecord> retried = logic.CreateTopUp(fan, input);
  ASSERT_THAT(retried, IsOk());
  EXPECT_EQ(retried->status, TopUpStatus::kSucceeded);
  EXPECT_EQ(Balance(fan, ledger::AccountKind::kUserWallet), 5 * kUnit);
  stored = store_.GetTopUp(input.top_up_id);
  ASSERT_THAT(stored, IsOk());
  EXPECT_EQ((*stored)->status, TopUpStatus::kSucceeded);
  EXPECT_EQ((*stored)->created_at, retried->created_at);
}

TEST_F(TippingLogicTest, TipsBalancesAndStatementsAreReadOnlyByThoseInvolved) {
  const kit::Caller creator = User();
  const kit::Caller fan = User();
  const kit::Caller stranger = User();
  const kit::Caller admin{.user_id = ids_.Next(), .roles = {base::Role::kUser, base::Role::kAdmin}};
  const std::string clip = Clip(creator);
  ASSERT_THAT(TopUp(fan, 5 * kUnit), IsOk());
  const absl::Time before_tips = clock_.Now();
  clock_.Advance(absl::Seconds(1));
  const absl::StatusOr<TipRecord> tip = logic_.SendTip(fan, TipOf(clip, kUnit));
  ASSERT_THAT(tip, IsOk());

  EXPECT_THAT(logic_.GetTip(fan, tip->tip_id), IsOk());
  EXPECT_THAT(logic_.GetTip(creator, tip->tip_id), IsOk());
  EXPECT_THAT(logic_.GetTip(admin, tip->tip_id), IsOk());
  EXPECT_THAT(logic_.GetTip(stranger, tip->tip_id), StatusIs(absl::StatusCode::kNotFound));

  EXPECT_THAT(logic_.GetBalance(stranger, fan.user_id, std::nullopt),
              StatusIs(absl::StatusCode::kPermissionDenied));
  absl::StatusOr<std::vector<AccountBalanceView>> balances = logic_.GetBalance(admin, fan.user_id, std::nullopt);
  ASSERT_THAT(balances, IsOk());
  ASSERT_EQ(balances->size(), 3u);
  EXPECT_EQ((*balances)[0].balance, 4 * kUnit);
  // As of before the tip, the wallet held the whole top-up.
  balances = logic_.GetBalance(fan, "", before_tips);
  ASSERT_THAT(balances, IsOk());
  EXPECT_EQ((*balances)[0].balance, 5 * kUnit);

  const std::string wallet = logic_.UserAccountIds(fan.user_id)[0];
  StatementQuery query{.account_id = wallet, .page_size = 1};
  absl::StatusOr<StatementPage> page = logic_.ListEntries(fan, query);
  ASSERT_THAT(page, IsOk());
  ASSERT_EQ(page->entries.size(), 1u);
  EXPECT_EQ(page->entries[0].code, ledger::TransferCode::kTopUp);
  ASSERT_TRUE(page->next_after_sequence.has_value());
  query.after_sequence = *page->next_after_sequence;
  query.page_size = 10;
  page = logic_.ListEntries(fan, query);
  ASSERT_THAT(page, IsOk());
  // The tip's two legs out of the wallet: the fee and the creator's share.
  ASSERT_EQ(page->entries.size(), 2u);
  EXPECT_EQ(page->entries[0].amount + page->entries[1].amount, -kUnit);
  EXPECT_EQ(page->entries[1].balance_after, 4 * kUnit);
  EXPECT_FALSE(page->next_after_sequence.has_value());
  EXPECT_EQ(page->closing_balance, 4 * kUnit);
  // A window after the top-up opens at its balance.
  page = logic_.ListEntries(fan, {.account_id = wallet, .start = before_tips + absl::Microseconds(1)});
  ASSERT_THAT(page, IsOk());
  EXPECT_EQ(page->opening_balance, 5 * kUnit);
  EXPECT_EQ(page->entries.size(), 2u);

  EXPECT_THAT(logic_.ListEntries(stranger, {.account_id = wallet}), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(logic_.ListEntries(fan, {.account_id = "platform_fee_revenue::USD"}),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(logic_.ListEntries(admin, {.account_id = wallet}), IsOk());
}

TEST(UserAccountOwnerTest, NamesTheOwnerOfUserAccountsOnly) {
  const std::optional<AccountOwner> owner = UserAccountOwner("user_wallet:abc:USD");
  ASSERT_TRUE(owner.has_value());
  EXPECT_EQ(owner->kind, ledger::AccountKind::kUserWallet);
  EXPECT_EQ(owner->owner_id, "abc");
  EXPECT_FALSE(UserAccountOwner("platform_fee_revenue::USD").has_value());
  EXPECT_FALSE(UserAccountOwner("user_wallet::USD").has_value());
  EXPECT_FALSE(UserAccountOwner("user_wallet:a:b:USD").has_value());
  EXPECT_FALSE(UserAccountOwner("nonsense").has_value());
}

class DirectoryEventsTest : public ::testing::Test {
 protected:
  v1::EventEnvelope Published(const std::string& clip_id, const std::string& author, v1::Visibility visibility) {
    v1::EventEnvelope event;
    v1::ClipPublishedEvent* e = event.mutable_clip_published();
    e->set_clip_id(clip_id);
    e->set_author_id(author);
    e->set_visibility(visibility);
    return event;
  }

  FakeLedgerStore ledger_;
  FakeTippingStore store_{ledger_};
};

TEST_F(DirectoryEventsTest, ClipsFollowTheirPublicationModerationAndDeletion) {
  ASSERT_THAT(ApplyDirectoryEvent(store_, Published("c1", "alice", v1::VISIBILITY_PUBLIC)), IsOk());
  ASSERT_THAT(ApplyDirectoryEvent(store_, Published("c2", "alice", v1::VISIBILITY_PRIVATE)), IsOk());
  EXPECT_TRUE(store_.GetClip("c1").value()->tippable);
  EXPECT_FALSE(store_.GetClip("c2").value()->tippable);

  // A moderator removes c1, then restores it (an update back to public).
  v1::EventEnvelope removed;
  removed.mutable_clip_removed()->set_clip_id("c1");
  removed.mutable_clip_removed()->set_reason(v1::REMOVAL_REASON_MODERATION);
  ASSERT_THAT(ApplyDirectoryEvent(store_, removed), IsOk());
  EXPECT_FALSE(store_.GetClip("c1").value()->tippable);
  v1::EventEnvelope restored;
  restored.mutable_clip_updated()->set_clip_id("c1");
  restored.mutable_clip_updated()->set_visibility(v1::VISIBILITY_PUBLIC);
  ASSERT_THAT(ApplyDirectoryEvent(store_, restored), IsOk());
  EXPECT_TRUE(store_.GetClip("c1").value()->tippable);

  // Its author deletes it: for good, even if the publish is redelivered.
  removed.mutable_clip_removed()->set_reason(v1::REMOVAL_REASON_DELETED_BY_AUTHOR);
  ASSERT_THAT(ApplyDirectoryEvent(store_, removed), IsOk());
  ASSERT_THAT(ApplyDirectoryEvent(store_, Published("c1", "alice", v1::VISIBILITY_PUBLIC)), IsOk());
  EXPECT_TRUE(store_.GetClip("c1").value()->removed);

  v1::EventEnvelope deleted;
  deleted.mutable_user_deleted()->set_user_id("alice");
  ASSERT_THAT(ApplyDirectoryEvent(store_, deleted), IsOk());
  EXPECT_TRUE(store_.UserGone("alice").value());
  EXPECT_FALSE(store_.UserGone("bob").value());
}

}  // namespace
}  // namespace tipping_logic_test
}  // namespace clipforge::tipping_service
