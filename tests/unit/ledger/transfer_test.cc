// Transfers as values: every reason code and result code has its own
// stable name, and an idempotency conflict names exactly the fields that
// differ, in declaration order.
#include "ledger/transfer.h"

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/transfer_result.h"

namespace clipforge::ledger {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Transfer TransferTestSample() {
  Transfer transfer;
  transfer.id = "01890a5d-ac96-774b-bcce-b302099a8057";
  transfer.debit_account_id = "wallet";
  transfer.credit_account_id = "jar";
  transfer.amount = 1'000'000;
  transfer.currency = Currency("USD");
  transfer.code = TransferCode::kTipCreator;
  transfer.rules_version = 1;
  return transfer;
}

TEST(TransferCodeTest, EveryCodeHasItsOwnStableName) {
  absl::flat_hash_set<std::string> names;
  for (int value = 0; value <= static_cast<int>(TransferCode::kRateHold); ++value) {
    const std::string name(TransferCodeName(static_cast<TransferCode>(value)));
    EXPECT_NE(name, "unknown") << value;
    EXPECT_TRUE(names.insert(name).second) << name;
  }
  EXPECT_EQ(TransferCodeName(TransferCode::kTipFee), "tip_fee");
  EXPECT_EQ(TransferCodeName(TransferCode::kTopUp), "top_up");
  EXPECT_EQ(TransferCodeName(TransferCode::kFundPayout), "fund_payout");
}

TEST(TransferResultTest, EveryResultHasItsOwnTigerBeetleName) {
  absl::flat_hash_set<std::string> names;
  for (int value = 0; value <= static_cast<int>(TransferResult::kExceedsDebits); ++value) {
    const std::string name(TransferResultName(static_cast<TransferResult>(value)));
    EXPECT_NE(name, "unknown") << value;
    EXPECT_TRUE(names.insert(name).second) << name;
  }
  EXPECT_EQ(TransferResultName(TransferResult::kOk), "ok");
  EXPECT_EQ(TransferResultName(TransferResult::kLinkedEventFailed), "linked_event_failed");
  EXPECT_EQ(TransferResultName(TransferResult::kExceedsCredits), "exceeds_credits");
  EXPECT_EQ(TransferResultName(TransferResult::kExistsWithDifferentFields), "exists_with_different_fields");
  EXPECT_EQ(TransferResultName(TransferResult::kPendingTransferAlreadyPosted), "pending_transfer_already_posted");
}

TEST(TransferTest, PostsAndVoidsResolveAPendingTransfer) {
  Transfer transfer = TransferTestSample();
  EXPECT_FALSE(ResolvesPendingTransfer(transfer));
  transfer.flags.pending = true;
  EXPECT_FALSE(ResolvesPendingTransfer(transfer));
  transfer.flags = {};
  transfer.flags.post_pending_transfer = true;
  EXPECT_TRUE(ResolvesPendingTransfer(transfer));
  transfer.flags = {};
  transfer.flags.void_pending_transfer = true;
  EXPECT_TRUE(ResolvesPendingTransfer(transfer));
}

TEST(DifferingTransferFieldsTest, EqualTransfersDifferInNothing) {
  EXPECT_THAT(DifferingTransferFields(TransferTestSample(), TransferTestSample()), IsEmpty());
}

TEST(DifferingTransferFieldsTest, NamesEachChangedField) {
  const Transfer base = TransferTestSample();
  const auto differing = [&base](void (*change)(Transfer&)) {
    Transfer changed = base;
    change(changed);
    return DifferingTransferFields(base, changed);
  };
  EXPECT_THAT(differing([](Transfer& t) { t.id = "other"; }), ElementsAre("id"));
  EXPECT_THAT(differing([](Transfer& t) { t.debit_account_id = "x"; }), ElementsAre("debit_account_id"));
  EXPECT_THAT(differing([](Transfer& t) { t.credit_account_id = "x"; }), ElementsAre("credit_account_id"));
  EXPECT_THAT(differing([](Transfer& t) { t.amount += 1; }), ElementsAre("amount"));
  EXPECT_THAT(differing([](Transfer& t) { t.currency = Currency("EUR"); }), ElementsAre("currency"));
  EXPECT_THAT(differing([](Transfer& t) { t.code = TransferCode::kTipFee; }), ElementsAre("code"));
  EXPECT_THAT(differing([](Transfer& t) { t.flags.linked = true; }), ElementsAre("flags.linked"));
  EXPECT_THAT(differing([](Transfer& t) { t.flags.pending = true; }), ElementsAre("flags.pending"));
  EXPECT_THAT(differing([](Transfer& t) { t.flags.post_pending_transfer = true; }),
              ElementsAre("flags.post_pending_transfer"));
  EXPECT_THAT(differing([](Transfer& t) { t.flags.void_pending_transfer = true; }),
              ElementsAre("flags.void_pending_transfer"));
  EXPECT_THAT(differing([](Transfer& t) { t.pending_id = "p"; }), ElementsAre("pending_id"));
  EXPECT_THAT(differing([](Transfer& t) { t.timeout = absl::Seconds(1); }), ElementsAre("timeout"));
  EXPECT_THAT(differing([](Transfer& t) { t.rules_version = 2; }), ElementsAre("rules_version"));
}

TEST(DifferingTransferFieldsTest, NamesSeveralInDeclarationOrder) {
  Transfer changed = TransferTestSample();
  changed.rules_version = 7;
  changed.amount = 1;
  changed.credit_account_id = "someone-else";
  EXPECT_THAT(DifferingTransferFields(TransferTestSample(), changed),
              ElementsAre("credit_account_id", "amount", "rules_version"));
}

}  // namespace
}  // namespace clipforge::ledger
