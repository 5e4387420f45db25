// How the money commands print: amounts, balances, statements, tips and
// top-ups (TippingService). Pure: no calls, no terminal.
//
// Money is exact. An amount is an integer of micros (a millionth of a unit,
// as the API's Money carries it) and prints as a decimal of the unit with
// its currency, "1.23 USD": two decimals, more only where the amount has
// them ("0.0475 USD", a royalty leg), never rounded. An amount typed on the
// command line is read the other way, digit by digit, never through a
// floating-point number.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/enum_words.h"
#include "cli/output.h"
#include "clipforge/v1/common.pb.h"
#include "clipforge/v1/tipping.pb.h"

namespace clipforge::cli {

inline constexpr absl::string_view kAccountKindPrefix = "ACCOUNT_KIND_";
inline constexpr absl::string_view kTransferKindPrefix = "TRANSFER_KIND_";
inline constexpr absl::string_view kTopUpStatusPrefix = "TOP_UP_STATUS_";
inline constexpr absl::string_view kTipLegKindPrefix = "TIP_LEG_KIND_";
// A user's accounts as `wallet statement --account` names them: wallet,
// pending (ACCOUNT_KIND_EARNINGS_PENDING) and jar (ACCOUNT_KIND_TIP_JAR);
// the long words are accepted too.
inline constexpr ShortWord kAccountKindWords[] = {{v1::ACCOUNT_KIND_EARNINGS_PENDING, "pending"},
                                                  {v1::ACCOUNT_KIND_TIP_JAR, "jar"}};

// The currency of every amount the CLI sends: the instance's.
inline constexpr absl::string_view kMoneyCurrency = "USD";
inline constexpr int64_t kMicrosPerUnit = 1'000'000;
// The smallest amount a client may send: one cent.
inline constexpr int64_t kMicrosPerCent = 10'000;

// An amount typed in units with at most two decimals ("2", "0.10", "12.5")
// as micros: 2'000'000, 100'000, 12'500'000. Digits, then optionally '.'
// and one or two digits; nothing else (no sign, spaces, exponent or
// separators). A UsageError naming `what` (the operand, "AMOUNT") for
// anything else, a third decimal, zero, a negative amount or one too large
// for micros.
absl::StatusOr<int64_t> ParseAmountMicros(absl::string_view what, absl::string_view text);

// "1.23", "-0.0475", "0.00": `micros` in units, exactly.
std::string AmountText(int64_t micros);
// "1.23 USD" ("1.23" for a Money without a currency).
std::string MoneyText(const v1::Money& money);
// As MoneyText with a sign on every amount but zero: "+5.00 USD",
// "-1.00 USD", "0.00 USD" (statement entries).
std::string SignedMoneyText(const v1::Money& money);
// `part` as a percentage of `whole`, rounded once to two decimals, trailing
// zeros dropped: "5%", "4.75%", "2.38%" for 2.375%; "" when `whole` is not
// positive.
std::string ShareText(int64_t part, int64_t whole);

// Who reads: people get a table without ids; scripts (--json) get ids,
// every amount also as an integer of micros (key + "_micros"), and every
// field whatever its value.
enum class MoneyReaders { kPeople, kScripts };

// `wallet`: when the balances are at, then one row per account, wallet,
// pending and jar in that order: its word, balance and, for the tip jar,
// what payouts in progress hold of it.
Record BalancesRecord(const v1::GetBalanceResponse& balances, MoneyReaders readers);

// What `wallet statement` fetched: the entries of one account, oldest
// first, and the balances around them.
struct AccountStatement {
  v1::AccountKind kind = v1::ACCOUNT_KIND_UNSPECIFIED;
  std::string account_id;
  // The balance at the start of the period (the first page's).
  v1::Money opening_balance;
  std::vector<v1::LedgerEntry> entries;
  // The balance at the end of the period (the last page's).
  v1::Money closing_balance;
  // More entries follow the last one fetched (the limit stopped it).
  bool more = false;
};

// A statement for people: the account, a line per entry (time, kind word,
// signed amount, balance after, reference), then the opening and closing
// balances, and when the limit cut it short, a line saying so.
std::string StatementText(const AccountStatement& statement);
// The statement for --json: the account and its id, the opening balance,
// every entry with its ids, the closing balance and `more`.
Record StatementRecord(const AccountStatement& statement);

// `tip` and `tip show`: the tip's id, sender, clip, amount, message and
// time, then a row per leg: its kind word, the user paid, the depth (for a
// royalty: 1 is the parent), the amount and its share of the tip.
Record TipRecord(const v1::Tip& tip, MoneyReaders readers);

// `topup` and `topup refund`: the top-up's id, status word, amount, what
// was refunded (when any; scripts always), provider, the provider's
// reference and why it failed (when it did).
// Never the client secret.
Record TopUpRecord(const v1::TopUp& top_up, MoneyReaders readers);

}  // namespace clipforge::cli
