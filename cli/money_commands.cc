// wallet, wallet statement, topup, topup refund, tip, tip show: money from
// the command line (TippingService). What they print is money_views' (pure,
// unit tested); this file checks the operands and flags, calls and picks
// the output.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/validation.h"
#include "cli/commands.h"
#include "cli/errors.h"
#include "cli/money_views.h"
#include "cli/status_message.h"
#include "cli/time_format.h"

namespace clipforge::cli {
namespace {

using TippingStub = v1::TippingService::StubInterface;

// The limits in tipping.proto, checked before any call.
constexpr int64_t kMinTipMicros = 100'000;        // 0.10
constexpr int64_t kMaxTipMicros = 500'000'000;    // 500.00
constexpr int64_t kMinTopUpMicros = 1'000'000;    // 1.00
constexpr int64_t kMaxTopUpMicros = 500'000'000;  // 500.00
// A refund: any whole number of cents up to 500.00 (the server checks it
// against what is left of the top-up and what the wallet holds).
constexpr int64_t kMinRefundMicros = kMicrosPerCent;  // 0.01
constexpr int64_t kMaxRefundMicros = 500'000'000;     // 500.00
constexpr size_t kMaxTipMessageChars = 140;
constexpr size_t kMaxTopUpProviderChars = 32;
constexpr size_t kMaxPaymentTokenChars = 256;
constexpr size_t kMaxRefundReasonChars = 500;
constexpr int32_t kMaxEntriesPerPage = 200;
// `wallet statement --limit`.
constexpr int32_t kDefaultStatementEntries = 50;
constexpr int32_t kMaxStatementEntries = 1000;
// `topup` without --provider and --token: the sandbox's test card, which
// succeeds.
constexpr absl::string_view kDefaultTopUpProvider = "sandbox";
constexpr absl::string_view kDefaultPaymentToken = "tok_visa";

MoneyReaders MoneyReadersFor(CommandContext& ctx) {
  return ctx.out().json() ? MoneyReaders::kScripts : MoneyReaders::kPeople;
}

// The operand at `index`, an amount in [min, max] micros as the API's Money
// in the instance's currency; a UsageError naming AMOUNT otherwise.
absl::StatusOr<v1::Money> AmountOperand(const Invocation& inv, size_t index, int64_t min, int64_t max) {
  CF_ASSIGN_OR_RETURN(const int64_t micros, ParseAmountMicros("AMOUNT", inv.Operand(index)));
  if (micros < min || micros > max) {
    return UsageError(
        absl::StrCat("AMOUNT must be from ", AmountText(min), " to ", AmountText(max), " ", kMoneyCurrency));
  }
  v1::Money money;
  money.set_amount_micros(micros);
  money.set_currency(std::string(kMoneyCurrency));
  return money;
}

// The operand at `index`, named `what` in the error when it is empty.
absl::StatusOr<std::string> MoneyIdOperand(const Invocation& inv, size_t index, absl::string_view what) {
  std::string id = inv.Operand(index);
  if (id.empty()) return UsageError(absl::StrCat(what, " must not be empty"));
  return id;
}

// --flag as a time, when given; a UsageError naming the format otherwise.
absl::StatusOr<std::optional<google::protobuf::Timestamp>> MoneyTimeFlag(const Invocation& inv,
                                                                         absl::string_view flag) {
  const std::optional<std::string> text = inv.Get(flag);
  if (!text) return std::optional<google::protobuf::Timestamp>();
  const absl::StatusOr<absl::Time> time = ParseRfc3339(*text);
  if (!time.ok()) return UsageError(absl::StrCat("--", flag, " must be an RFC 3339 time, e.g. 2024-07-01T00:00:00Z"));
  return std::optional<google::protobuf::Timestamp>(ToProto(*time));
}

// --account: wallet (the default), pending or jar.
absl::StatusOr<v1::AccountKind> StatementAccountFlag(const Invocation& inv) {
  const std::optional<std::string> text = inv.Get("account");
  if (!text) return v1::ACCOUNT_KIND_WALLET;
  const absl::StatusOr<v1::AccountKind> kind =
      ParseEnumWord<v1::AccountKind>("--account", *text, kAccountKindPrefix, kAccountKindWords);
  if (!kind.ok() || (*kind != v1::ACCOUNT_KIND_WALLET && *kind != v1::ACCOUNT_KIND_EARNINGS_PENDING &&
                     *kind != v1::ACCOUNT_KIND_TIP_JAR)) {
    return UsageError("--account must be one of: wallet, pending, jar");
  }
  return *kind;
}

// The caller's account of `kind` among `balances`, in the instance's
// currency when there are several; null when there is none.
const v1::AccountBalance* FindUserAccount(const v1::GetBalanceResponse& balances, v1::AccountKind kind) {
  const v1::AccountBalance* found = nullptr;
  for (const v1::AccountBalance& balance : balances.balances()) {
    if (balance.kind() != kind) continue;
    if (balance.balance().currency() == kMoneyCurrency) return &balance;
    if (found == nullptr) found = &balance;
  }
  return found;
}

// A refusal for want of money says where money comes from.
absl::Status WithTopUpHint(const absl::Status& status) {
  if (ReasonOf(status) != "INSUFFICIENT_FUNDS") return status;
  return WithMessageSuffix(status, " (`clipforge topup AMOUNT` adds money to your wallet)");
}

// A refund refused for want of money says which money can go back; the
// other refusals (REFUND_EXCEEDS_TOP_UP, NOT_REFUNDABLE) read as the server
// words them.
absl::Status WithRefundHint(const absl::Status& status) {
  if (ReasonOf(status) != "INSUFFICIENT_FUNDS") return status;
  return WithMessageSuffix(status, " (only money still in your wallet can be refunded)");
}

}  // namespace

absl::Status RunWallet(CommandContext& ctx) {
  CF_ASSIGN_OR_RETURN(const std::optional<google::protobuf::Timestamp> as_of,
                      MoneyTimeFlag(ctx.invocation(), "as-of"));
  v1::GetBalanceRequest request;
  if (as_of) *request.mutable_as_of_time() = *as_of;
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  v1::GetBalanceResponse balances;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &TippingStub::GetBalance, request, balances));
  ctx.out().Result(BalancesRecord(balances, MoneyReadersFor(ctx)));
  return absl::OkStatus();
}

absl::Status RunWalletStatement(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  CF_ASSIGN_OR_RETURN(const v1::AccountKind kind, StatementAccountFlag(inv));
  CF_ASSIGN_OR_RETURN(const std::optional<google::protobuf::Timestamp> since, MoneyTimeFlag(inv, "since"));
  CF_ASSIGN_OR_RETURN(const std::optional<google::protobuf::Timestamp> until, MoneyTimeFlag(inv, "until"));
  if (since && until && FromProto(*until) <= FromProto(*since)) return UsageError("--until must be after --since");
  CF_ASSIGN_OR_RETURN(const std::optional<int32_t> limit_flag, inv.IntFlag("limit", 1, kMaxStatementEntries));
  const size_t limit = static_cast<size_t>(limit_flag.value_or(kDefaultStatementEntries));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());

  // The account's id, as GetBalance names it.
  v1::GetBalanceRequest balance_request;
  v1::GetBalanceResponse balances;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &TippingStub::GetBalance, balance_request, balances));
  const v1::AccountBalance* const account = FindUserAccount(balances, kind);
  if (account == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("the server lists no ", EnumWord(kind, kAccountKindPrefix, kAccountKindWords), " account of yours"));
  }

  AccountStatement statement;
  statement.kind = kind;
  statement.account_id = account->account_id();
  v1::ListEntriesRequest request;
  request.set_account_id(account->account_id());
  if (since) *request.mutable_start_time() = *since;
  if (until) *request.mutable_end_time() = *until;
  absl::flat_hash_set<std::string> seen_tokens;
  for (bool first = true;; first = false) {
    request.set_page_size(static_cast<int32_t>(
        std::min<size_t>(limit - statement.entries.size(), static_cast<size_t>(kMaxEntriesPerPage))));
    v1::ListEntriesResponse page;
    CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &TippingStub::ListEntries, request, page));
    if (first) statement.opening_balance = page.opening_balance();
    statement.closing_balance = page.closing_balance();
    for (const v1::LedgerEntry& entry : page.entries()) {
      if (statement.entries.size() == limit) {
        statement.more = true;
        break;
      }
      statement.entries.push_back(entry);
    }
    const std::string& next = page.next_page_token();
    if (next.empty()) break;
    if (statement.entries.size() >= limit) {
      statement.more = true;
      break;
    }
    if (!seen_tokens.insert(next).second) return absl::InternalError("the server repeated a page token; stopping");
    request.set_page_token(next);
  }
  if (ctx.out().json()) {
    ctx.out().Result(StatementRecord(statement));
  } else {
    ctx.out().Text(StatementText(statement));
  }
  return absl::OkStatus();
}

absl::Status RunTopUp(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::CreateTopUpRequest request;
  CF_ASSIGN_OR_RETURN(*request.mutable_amount(), AmountOperand(inv, 0, kMinTopUpMicros, kMaxTopUpMicros));
  request.set_provider(inv.Get("provider").value_or(std::string(kDefaultTopUpProvider)));
  request.set_payment_method_token(inv.Get("token").value_or(std::string(kDefaultPaymentToken)));
  // As the server checks them.
  base::FieldValidator v;
  v.Text("--provider", request.provider(), {.min_chars = 1, .max_chars = kMaxTopUpProviderChars});
  v.Text("--token", request.payment_method_token(), {.min_chars = 1, .max_chars = kMaxPaymentTokenChars});
  if (!v.ok()) return UsageError(absl::StrCat("invalid input: ", v.status().message()));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::TopUp top_up;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &TippingStub::CreateTopUp, request, top_up));
  switch (top_up.status()) {
    case v1::TOP_UP_STATUS_FAILED: {
      // People see the top-up, then why it failed; --json prints one
      // object, the error, which says the same.
      if (!ctx.out().json()) ctx.out().Result(TopUpRecord(top_up, MoneyReaders::kPeople));
      std::string message = absl::StrCat("top-up ", top_up.top_up_id(), " failed");
      if (!top_up.failure_reason().empty()) absl::StrAppend(&message, ": ", top_up.failure_reason());
      return WithReason(absl::AbortedError(message), "TOP_UP_FAILED");
    }
    case v1::TOP_UP_STATUS_PENDING:
      ctx.out().Result(TopUpRecord(top_up, MoneyReadersFor(ctx)));
      ctx.out().Note("The provider has not confirmed it yet: your wallet is credited when it does (`clipforge "
                     "wallet` shows it).");
      return absl::OkStatus();
    default:
      ctx.out().Result(TopUpRecord(top_up, MoneyReadersFor(ctx)));
      return absl::OkStatus();
  }
}

absl::Status RunTopUpRefund(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::RefundTopUpRequest request;
  CF_ASSIGN_OR_RETURN(*request.mutable_top_up_id(), MoneyIdOperand(inv, 0, "TOP_UP_ID"));
  // Without AMOUNT the amount stays unset: all that is left unrefunded.
  if (inv.operands.size() > 1) {
    CF_ASSIGN_OR_RETURN(*request.mutable_amount(), AmountOperand(inv, 1, kMinRefundMicros, kMaxRefundMicros));
  }
  request.set_reason(inv.Get("reason").value_or(""));
  // As the server checks it.
  base::FieldValidator v;
  v.Text("--reason", request.reason(), {.max_chars = kMaxRefundReasonChars});
  if (!v.ok()) return UsageError(absl::StrCat("invalid input: ", v.status().message()));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::TopUp top_up;
  CF_RETURN_IF_ERROR(WithRefundHint(CallAuthed(ctx, *session, &TippingStub::RefundTopUp, request, top_up)));
  ctx.out().Result(TopUpRecord(top_up, MoneyReadersFor(ctx)));
  return absl::OkStatus();
}

absl::Status RunTip(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::SendTipRequest request;
  CF_ASSIGN_OR_RETURN(*request.mutable_clip_id(), MoneyIdOperand(inv, 0, "CLIP_ID"));
  CF_ASSIGN_OR_RETURN(*request.mutable_amount(), AmountOperand(inv, 1, kMinTipMicros, kMaxTipMicros));
  request.set_message(inv.Get("message").value_or(""));
  // As the server checks it: code points, valid UTF-8, no control
  // characters but line breaks and tabs.
  base::FieldValidator v;
  v.Text("--message", request.message(), {.max_chars = kMaxTipMessageChars});
  if (!v.ok()) return UsageError(absl::StrCat("invalid input: ", v.status().message()));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::Tip tip;
  CF_RETURN_IF_ERROR(WithTopUpHint(CallAuthed(ctx, *session, &TippingStub::SendTip, request, tip)));
  ctx.out().Result(TipRecord(tip, MoneyReadersFor(ctx)));
  return absl::OkStatus();
}

absl::Status RunTipShow(CommandContext& ctx) {
  v1::GetTipRequest request;
  CF_ASSIGN_OR_RETURN(*request.mutable_tip_id(), MoneyIdOperand(ctx.invocation(), 0, "TIP_ID"));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  v1::Tip tip;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &TippingStub::GetTip, request, tip));
  ctx.out().Result(TipRecord(tip, MoneyReadersFor(ctx)));
  return absl::OkStatus();
}

}  // namespace clipforge::cli
