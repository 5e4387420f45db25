#include "cli/money_views.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/errors.h"
#include "cli/time_format.h"

namespace clipforge::cli {
namespace {

// Named apart from the other views' helpers: the CLI builds as a unity
// build, where file-local names of several .cc files share a translation
// unit.
void AddMoneyTime(Record& record, absl::string_view key, const google::protobuf::Timestamp& time) {
  const std::string text = FormatProtoTime(time);
  if (!text.empty()) record.Str(key, text);
}

// `key`: the amount as text; for scripts also `key`_micros, the integer.
void AddMoney(Record& record, absl::string_view key, const v1::Money& money, MoneyReaders readers) {
  record.Str(key, MoneyText(money));
  if (readers == MoneyReaders::kScripts) record.Int(absl::StrCat(key, "_micros"), money.amount_micros());
}

// For products that may pass 2^63 (a share of an amount in hundredths of a
// percent); __extension__ keeps -Wpedantic quiet about the type.
__extension__ typedef __int128 WideShare;

std::string AccountWord(v1::AccountKind kind) { return EnumWord(kind, kAccountKindPrefix, kAccountKindWords); }

// Wallet, pending, jar, then anything else, as the server sent it.
int AccountRank(v1::AccountKind kind) {
  switch (kind) {
    case v1::ACCOUNT_KIND_WALLET:
      return 0;
    case v1::ACCOUNT_KIND_EARNINGS_PENDING:
      return 1;
    case v1::ACCOUNT_KIND_TIP_JAR:
      return 2;
    default:
      return 3;
  }
}

Record TipLegRow(const v1::TipLeg& leg, int64_t tip_micros, MoneyReaders readers) {
  Record row;
  row.Str("kind", EnumWord(leg.kind(), kTipLegKindPrefix)).Str("user_id", leg.user_id());
  if (readers == MoneyReaders::kScripts) {
    row.Int("depth", leg.depth());
  } else {
    // Only a royalty has a depth.
    row.Str("depth", leg.kind() == v1::TIP_LEG_KIND_ROYALTY ? absl::StrCat(leg.depth()) : "");
  }
  AddMoney(row, "amount", leg.amount(), readers);
  row.Str("share", ShareText(leg.amount().amount_micros(), tip_micros));
  if (readers == MoneyReaders::kScripts) row.Str("clip_id", leg.clip_id()).Str("account_id", leg.account_id());
  return row;
}

Record StatementEntryRow(const v1::LedgerEntry& entry, MoneyReaders readers) {
  Record row;
  row.Str("time", FormatProtoTime(entry.create_time()))
      .Str("kind", EnumWord(entry.kind(), kTransferKindPrefix))
      .Str("amount", SignedMoneyText(entry.amount()));
  if (readers == MoneyReaders::kScripts) row.Int("amount_micros", entry.amount().amount_micros());
  AddMoney(row, "balance_after", entry.balance_after(), readers);
  row.Str("reference", entry.reference_id());
  if (readers == MoneyReaders::kScripts) {
    row.Str("entry_id", entry.entry_id())
        .Str("transfer_id", entry.transfer_id())
        .Str("clip_id", entry.clip_id())
        .Str("counterparty_user_id", entry.counterparty_user_id());
  }
  return row;
}

std::string MoreEntriesLine() {
  return "more entries follow: raise --limit (at most 1000) or narrow --since/--until";
}

}  // namespace

absl::StatusOr<int64_t> ParseAmountMicros(absl::string_view what, absl::string_view text) {
  const auto garbage = [&] {
    return UsageError(absl::StrCat(what, " must be an amount such as 2, 0.10 or 12.5 (at most two decimals), not '",
                                   text, "'"));
  };
  if (!text.empty() && text[0] == '-') {
    return UsageError(absl::StrCat(what, " must be more than 0, not '", text, "'"));
  }
  const size_t dot = text.find('.');
  const absl::string_view units = text.substr(0, dot);
  const absl::string_view decimals = dot == absl::string_view::npos ? absl::string_view() : text.substr(dot + 1);
  const auto all_digits = [](absl::string_view digits) {
    return std::all_of(digits.begin(), digits.end(), [](char c) { return absl::ascii_isdigit(c); });
  };
  if (units.empty() || !all_digits(units) || !all_digits(decimals) ||
      (dot != absl::string_view::npos && decimals.empty())) {
    return garbage();
  }
  if (decimals.size() > 2) {
    return UsageError(absl::StrCat(what, " must be whole cents, at most two decimals, not '", text, "'"));
  }
  const auto too_large = [&] { return UsageError(absl::StrCat(what, " is too large: '", text, "'")); };
  int64_t micros = 0;
  for (const char c : units) {
    if (__builtin_mul_overflow(micros, int64_t{10}, &micros) || __builtin_add_overflow(micros, c - '0', &micros)) {
      return too_large();
    }
  }
  if (__builtin_mul_overflow(micros, kMicrosPerUnit, &micros)) return too_large();
  // "12.5" is 12 units and 50 cents.
  int64_t cents = 0;
  for (size_t i = 0; i < 2; ++i) cents = cents * 10 + (i < decimals.size() ? decimals[i] - '0' : 0);
  if (__builtin_add_overflow(micros, cents * kMicrosPerCent, &micros)) return too_large();
  if (micros == 0) return UsageError(absl::StrCat(what, " must be more than 0, not '", text, "'"));
  return micros;
}

std::string AmountText(int64_t micros) {
  // The magnitude as unsigned, so that the most negative amount has one.
  const uint64_t magnitude = micros < 0 ? uint64_t{0} - static_cast<uint64_t>(micros) : static_cast<uint64_t>(micros);
  const uint64_t per_unit = static_cast<uint64_t>(kMicrosPerUnit);
  std::string fraction = absl::StrFormat("%06d", magnitude % per_unit);
  // Two decimals always; the rest only where they are not zero.
  while (fraction.size() > 2 && fraction.back() == '0') fraction.pop_back();
  return absl::StrCat(micros < 0 ? "-" : "", magnitude / per_unit, ".", fraction);
}

std::string MoneyText(const v1::Money& money) {
  const std::string amount = AmountText(money.amount_micros());
  return money.currency().empty() ? amount : absl::StrCat(amount, " ", money.currency());
}

std::string SignedMoneyText(const v1::Money& money) {
  return absl::StrCat(money.amount_micros() > 0 ? "+" : "", MoneyText(money));
}

std::string ShareText(int64_t part, int64_t whole) {
  if (whole <= 0) return "";
  // Hundredths of a percent, rounded half away from zero, in 128 bits so
  // that no int64 part overflows.
  const WideShare scaled = static_cast<WideShare>(part) * 10'000;
  const WideShare half = whole / 2;
  const WideShare hundredths = scaled >= 0 ? (scaled + half) / whole : -((-scaled + half) / whole);
  const WideShare magnitude = hundredths < 0 ? -hundredths : hundredths;
  const int64_t whole_percent = static_cast<int64_t>(magnitude / 100);
  const int64_t fraction = static_cast<int64_t>(magnitude % 100);
  std::string text = absl::StrCat(hundredths < 0 ? "-" : "", whole_percent);
  if (fraction % 10 != 0) {
    absl::StrAppendFormat(&text, ".%02d", fraction);
  } else if (fraction != 0) {
    absl::StrAppend(&text, ".", fraction / 10);
  }
  return absl::StrCat(text, "%");
}

Record BalancesRecord(const v1::GetBalanceResponse& balances, MoneyReaders readers) {
  std::vector<const v1::AccountBalance*> ordered;
  for (const v1::AccountBalance& balance : balances.balances()) ordered.push_back(&balance);
  std::stable_sort(ordered.begin(), ordered.end(), [](const v1::AccountBalance* a, const v1::AccountBalance* b) {
    return AccountRank(a->kind()) < AccountRank(b->kind());
  });
  std::vector<Record> rows;
  for (const v1::AccountBalance* balance : ordered) {
    Record row;
    row.Str("account", AccountWord(balance->kind()));
    AddMoney(row, "balance", balance->balance(), readers);
    // What payouts hold is a tip jar's only; in the jar's currency even
    // when the server leaves it out of an empty hold.
    const bool jar = balance->kind() == v1::ACCOUNT_KIND_TIP_JAR;
    v1::Money held = balance->held();
    if (held.currency().empty()) held.set_currency(balance->balance().currency());
    if (jar) {
      AddMoney(row, "held", held, readers);
    } else if (readers == MoneyReaders::kPeople) {
      row.Str("held", "");
    }
    if (readers == MoneyReaders::kScripts) row.Str("account_id", balance->account_id());
    rows.push_back(std::move(row));
  }
  Record record;
  AddMoneyTime(record, "as_of", balances.as_of_time());
  record.Table("balances", std::move(rows));
  return record;
}

std::string StatementText(const AccountStatement& statement) {
  Record header;
  header.Str("account", AccountWord(statement.kind)).Str("account_id", statement.account_id);
  std::vector<Record> rows;
  for (const v1::LedgerEntry& entry : statement.entries) rows.push_back(StatementEntryRow(entry, MoneyReaders::kPeople));
  Record entries;
  entries.Table("entries", std::move(rows));
  Record footer;
  footer.Str("opening_balance", MoneyText(statement.opening_balance))
      .Str("closing_balance", MoneyText(statement.closing_balance));
  std::string text = absl::StrCat(RenderHuman(header), "\n", RenderHuman(entries));
  if (statement.more) absl::StrAppend(&text, MoreEntriesLine(), "\n");
  absl::StrAppend(&text, "\n", RenderHuman(footer));
  return text;
}

Record StatementRecord(const AccountStatement& statement) {
  std::vector<Record> rows;
  for (const v1::LedgerEntry& entry : statement.entries) {
    rows.push_back(StatementEntryRow(entry, MoneyReaders::kScripts));
  }
  Record record;
  record.Str("account", AccountWord(statement.kind)).Str("account_id", statement.account_id);
  AddMoney(record, "opening_balance", statement.opening_balance, MoneyReaders::kScripts);
  record.Table("entries", std::move(rows));
  AddMoney(record, "closing_balance", statement.closing_balance, MoneyReaders::kScripts);
  record.Bool("more", statement.more);
  return record;
}

Record TipRecord(const v1::Tip& tip, MoneyReaders readers) {
  std::vector<Record> legs;
  for (const v1::TipLeg& leg : tip.legs()) legs.push_back(TipLegRow(leg, tip.amount().amount_micros(), readers));
  Record record;
  record.Str("tip_id", tip.tip_id()).Str("sender_id", tip.sender_id()).Str("clip_id", tip.clip_id());
  AddMoney(record, "amount", tip.amount(), readers);
  if (readers == MoneyReaders::kScripts || !tip.message().empty()) record.Str("message", tip.message());
  AddMoneyTime(record, "sent", tip.create_time());
  record.Table("legs", std::move(legs));
  return record;
}

Record TopUpRecord(const v1::TopUp& top_up, MoneyReaders readers) {
  Record record;
  record.Str("top_up_id", top_up.top_up_id()).Str("status", EnumWord(top_up.status(), kTopUpStatusPrefix));
  AddMoney(record, "amount", top_up.amount(), readers);
  if (readers == MoneyReaders::kScripts || top_up.refunded_amount().amount_micros() != 0) {
    AddMoney(record, "refunded", top_up.refunded_amount(), readers);
  }
  record.Str("provider", top_up.provider()).Str("reference", top_up.provider_reference());
  if (readers == MoneyReaders::kScripts || !top_up.failure_reason().empty()) {
    record.Str("failure_reason", top_up.failure_reason());
  }
  AddMoneyTime(record, "created", top_up.create_time());
  return record;
}

}  // namespace clipforge::cli
