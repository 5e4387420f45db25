// TippingService requests' shapes: money in the instance's currency and
// whole cents, ids, message lengths, times, page sizes and page tokens that
// belong to the account they page.
#include "services/tipping/request_parsing.h"

#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/kit/proto_time.h"

namespace clipforge::tipping_service {
namespace request_parsing_test {
namespace {

using ::clipforge::base::testing::IsOk;
using ::clipforge::base::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kId[] = "0190f0a8-1b2c-7d3e-8f40-123456789abc";
const ledger::Currency kUsd("USD");

v1::Money Money(int64_t micros, const std::string& currency = "USD") {
  v1::Money money;
  money.set_amount_micros(micros);
  money.set_currency(currency);
  return money;
}

v1::SendTipRequest Tip(int64_t micros) {
  v1::SendTipRequest request;
  request.set_request_id(kId);
  request.set_clip_id(kId);
  *request.mutable_amount() = Money(micros);
  return request;
}

TEST(ParseSendTipTest, TakesWholeCentsInTheInstancesCurrency) {
  const absl::StatusOr<SendTipInput> input = ParseSendTip(Tip(1'230'000), kUsd);
  ASSERT_THAT(input, IsOk());
  EXPECT_EQ(input->amount, 1'230'000);
  EXPECT_EQ(input->tip_id, kId);
  EXPECT_THAT(ParseSendTip(Tip(1'234'567), kUsd),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("amount.amount_micros")));
  EXPECT_THAT(ParseSendTip(Tip(0), kUsd), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("amount")));
  EXPECT_THAT(ParseSendTip(Tip(-10'000), kUsd), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("amount")));
  v1::SendTipRequest euros = Tip(1'000'000);
  *euros.mutable_amount() = Money(1'000'000, "EUR");
  EXPECT_THAT(ParseSendTip(euros, kUsd), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("amount.currency")));
  v1::SendTipRequest no_amount = Tip(1'000'000);
  no_amount.clear_amount();
  EXPECT_THAT(ParseSendTip(no_amount, kUsd), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("amount")));
}

TEST(ParseSendTipTest, ChecksIdsAndTheMessage) {
  v1::SendTipRequest request = Tip(1'000'000);
  request.set_request_id("not-a-uuid");
  EXPECT_THAT(ParseSendTip(request, kUsd), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request_id")));
  request = Tip(1'000'000);
  request.set_clip_id("");
  EXPECT_THAT(ParseSendTip(request, kUsd), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("clip_id")));
  request = Tip(1'000'000);
  request.set_message(std::string(140, 'a'));
  EXPECT_THAT(ParseSendTip(request, kUsd), IsOk());
  request.set_message(std::string(141, 'a'));
  EXPECT_THAT(ParseSendTip(request, kUsd), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("message")));
}

TEST(ParseCreateTopUpTest, NeedsAProviderAndAToken) {
  v1::CreateTopUpRequest request;
  request.set_request_id(kId);
  *request.mutable_amount() = Money(5'000'000);
  request.set_provider("sandbox");
  request.set_payment_method_token("tok_visa");
  EXPECT_THAT(ParseCreateTopUp(request, kUsd), IsOk());
  request.set_payment_method_token("");
  EXPECT_THAT(ParseCreateTopUp(request, kUsd),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("payment_method_token")));
  request.set_payment_method_token("tok_visa");
  request.set_provider(std::string(33, 'p'));
  EXPECT_THAT(ParseCreateTopUp(request, kUsd), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("provider")));
}

TEST(ParseAsOfTest, RefusesTheFuture) {
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  v1::GetBalanceRequest request;
  EXPECT_FALSE(ParseAsOf(request, now).value().has_value());
  *request.mutable_as_of_time() = kit::ToTimestamp(now - absl::Hours(1));
  EXPECT_EQ(ParseAsOf(request, now).value(), now - absl::Hours(1));
  *request.mutable_as_of_time() = kit::ToTimestamp(now + absl::Seconds(1));
  EXPECT_THAT(ParseAsOf(request, now), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("as_of_time")));
  request.clear_as_of_time();
  request.set_user_id("nobody");
  EXPECT_THAT(ParseAsOf(request, now), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("user_id")));
}

TEST(ParseListEntriesTest, PageTokensBelongToTheirAccount) {
  v1::ListEntriesRequest request;
  request.set_account_id("user_wallet:abc:USD");
  absl::StatusOr<StatementQuery> query = ParseListEntries(request);
  ASSERT_THAT(query, IsOk());
  EXPECT_EQ(query->page_size, kDefaultEntriesPageSize);
  EXPECT_EQ(query->after_sequence, 0);

  request.set_page_token(EntriesPageToken("user_wallet:abc:USD", 42));
  query = ParseListEntries(request);
  ASSERT_THAT(query, IsOk());
  EXPECT_EQ(query->after_sequence, 42);
  request.set_page_token(EntriesPageToken("user_wallet:xyz:USD", 42));
  EXPECT_THAT(ParseListEntries(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  request.set_page_token("!!!");
  EXPECT_THAT(ParseListEntries(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));

  request.clear_page_token();
  request.set_page_size(201);
  EXPECT_THAT(ParseListEntries(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_size")));
  request.set_page_size(10);
  *request.mutable_start_time() = kit::ToTimestamp(absl::FromUnixSeconds(200));
  *request.mutable_end_time() = kit::ToTimestamp(absl::FromUnixSeconds(100));
  EXPECT_THAT(ParseListEntries(request), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("end_time")));
}

}  // namespace
}  // namespace request_parsing_test
}  // namespace clipforge::tipping_service
