#include "services/tipping/request_parsing.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"
#include "base/validation.h"
#include "services/kit/proto_time.h"

namespace clipforge::tipping_service {
namespace {

// Every currency this service books has two decimals.
constexpr ledger::Micros kMinorUnitMicros = 10'000;

// Account ids are derived ("user_wallet:<uuid>:USD"); anything much longer
// is not one.
constexpr size_t kMaxAccountIdChars = 128;

absl::StatusOr<std::optional<absl::Time>> OptionalTime(absl::string_view field, bool present,
                                                       const google::protobuf::Timestamp& time) {
  if (!present) return std::nullopt;
  if (!kit::IsValidTimestamp(time)) return absl::InvalidArgumentError(absl::StrCat(field, ": not a valid time"));
  return kit::FromTimestamp(time);
}

}  // namespace

absl::StatusOr<ledger::Micros> ParseClientMoney(absl::string_view field, const v1::Money& money,
                                                ledger::Currency currency) {
  if (money.currency() != currency.code()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".currency: must be ", currency.code(), " (the currency of this instance)"));
  }
  if (money.amount_micros() <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".amount_micros: must be positive"));
  }
  if (money.amount_micros() % kMinorUnitMicros != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".amount_micros: must be a whole number of cents (a multiple of 10000)"));
  }
  return money.amount_micros();
}

absl::StatusOr<SendTipInput> ParseSendTip(const v1::SendTipRequest& request, ledger::Currency currency) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id()).Uuid("clip_id", request.clip_id());
  v.Text("message", request.message(), {.min_chars = 0, .max_chars = kMaxTipMessageChars});
  v.Check(request.has_amount(), "amount", "is required");
  CF_RETURN_IF_ERROR(v.status());
  CF_ASSIGN_OR_RETURN(const ledger::Micros amount, ParseClientMoney("amount", request.amount(), currency));
  return SendTipInput{.tip_id = request.request_id(),
                      .clip_id = request.clip_id(),
                      .amount = amount,
                      .message = request.message()};
}

absl::StatusOr<TopUpInput> ParseCreateTopUp(const v1::CreateTopUpRequest& request, ledger::Currency currency) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id());
  v.Text("provider", request.provider(), {.min_chars = 1, .max_chars = 32});
  v.Text("payment_method_token", request.payment_method_token(), {.min_chars = 1, .max_chars = 256});
  v.Check(request.has_amount(), "amount", "is required");
  CF_RETURN_IF_ERROR(v.status());
  CF_ASSIGN_OR_RETURN(const ledger::Micros amount, ParseClientMoney("amount", request.amount(), currency));
  return TopUpInput{.top_up_id = request.request_id(),
                    .amount = amount,
                    .provider = request.provider(),
                    .payment_method_token = request.payment_method_token()};
}

absl::StatusOr<RefundInput> ParseRefundTopUp(const v1::RefundTopUpRequest& request, ledger::Currency currency) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id()).Uuid("top_up_id", request.top_up_id());
  v.Text("reason", request.reason(), {.min_chars = 0, .max_chars = 500});
  CF_RETURN_IF_ERROR(v.status());
  RefundInput input{.request_id = request.request_id(), .top_up_id = request.top_up_id()};
  if (request.has_amount()) {
    CF_ASSIGN_OR_RETURN(input.amount, ParseClientMoney("amount", request.amount(), currency));
  }
  return input;
}

absl::StatusOr<std::optional<absl::Time>> ParseAsOf(const v1::GetBalanceRequest& request, absl::Time now) {
  base::FieldValidator v;
  v.Uuid("user_id", request.user_id(), /*required=*/false);
  CF_RETURN_IF_ERROR(v.status());
  CF_ASSIGN_OR_RETURN(const std::optional<absl::Time> as_of,
                      OptionalTime("as_of_time", request.has_as_of_time(), request.as_of_time()));
  if (as_of.has_value() && *as_of > now) return absl::InvalidArgumentError("as_of_time: must not be in the future");
  return as_of;
}

std::string EntriesPageToken(absl::string_view account_id, int64_t after_sequence) {
  return absl::WebSafeBase64Escape(absl::StrCat(after_sequence, ":", account_id));
}

absl::StatusOr<StatementQuery> ParseListEntries(const v1::ListEntriesRequest& request) {
  base::FieldValidator v;
  v.Text("account_id", request.account_id(), {.min_chars = 1, .max_chars = kMaxAccountIdChars});
  const int page_size = v.PageSize("page_size", request.page_size(), kDefaultEntriesPageSize, kMaxEntriesPageSize);
  CF_RETURN_IF_ERROR(v.status());
  StatementQuery query{.account_id = request.account_id(), .page_size = page_size};
  CF_ASSIGN_OR_RETURN(const std::optional<absl::Time> start,
                      OptionalTime("start_time", request.has_start_time(), request.start_time()));
  CF_ASSIGN_OR_RETURN(query.end, OptionalTime("end_time", request.has_end_time(), request.end_time()));
  if (start.has_value()) query.start = *start;
  if (query.end.has_value() && *query.end <= query.start) {
    return absl::InvalidArgumentError("end_time: must be after start_time");
  }
  if (!request.page_token().empty()) {
    // The token is a position, not a grant: ListEntries checks the account
    // is the caller's on every page; binding the token to the account only
    // catches a token carried over to another account by mistake.
    std::string decoded;
    const std::vector<std::string> parts =
        absl::WebSafeBase64Unescape(request.page_token(), &decoded)
            ? std::vector<std::string>(absl::StrSplit(decoded, absl::MaxSplits(':', 1)))
            : std::vector<std::string>();
    if (parts.size() != 2 || parts[1] != request.account_id() || !absl::SimpleAtoi(parts[0], &query.after_sequence) ||
        query.after_sequence < 0) {
      return absl::InvalidArgumentError("page_token: not a token of this account's statement");
    }
  }
  return query;
}

}  // namespace clipforge::tipping_service
