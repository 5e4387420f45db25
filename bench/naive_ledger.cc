#include "bench/naive_ledger.h"

#include <pqxx/pqxx>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "ledger/account.h"
#include "ledger/ledger_book.h"
#include "ledger/transfer.h"
#include "ledger/transfer_record.h"
#include "services/kit/outbox.h"
#include "services/kit/pg_array.h"
#include "services/kit/pg_time.h"
#include "services/kit/pg_transaction.h"

namespace clipforge::bench {
// A named namespace rather than an anonymous one: the bench target is built
// as one unity file with tipping_ledger_bench.cc.
namespace naive_ledger_detail {

using tipping_service::EntryRecord;
using tipping_service::LedgerReply;
using tipping_service::LedgerRequest;
using tipping_service::TipRecord;

constexpr char kNaiveLockAccounts[] = "naive_lock_accounts";
constexpr char kNaiveOpenAccounts[] = "naive_open_accounts";
constexpr char kNaiveExistingTransfers[] = "naive_existing_transfers";
constexpr char kNaiveLastEntrySequences[] = "naive_last_entry_sequences";
constexpr char kNaiveUpdateAccount[] = "naive_update_account";
constexpr char kNaiveInsertTransfers[] = "naive_insert_transfers";
constexpr char kNaiveInsertEntries[] = "naive_insert_entries";
constexpr char kNaiveInsertTip[] = "naive_insert_tip";

// The scratch counterparty of the opening records (never stored).
constexpr char kOpeningAccountPrefix[] = "naive_opening::";

ledger::Account NaiveAccountFromRow(const pqxx::row& r) {
  ledger::Account a;
  a.id = r[0].as<std::string>();
  a.kind = static_cast<ledger::AccountKind>(r[1].as<int>());
  const absl::StatusOr<ledger::Currency> currency = ledger::Currency::FromCode(r[2].as<std::string>());
  if (!currency.ok()) throw std::runtime_error("naive ledger: unreadable stored currency");
  a.currency = *currency;
  a.flags = {.debits_must_not_exceed_credits = r[3].as<bool>(),
             .credits_must_not_exceed_debits = r[4].as<bool>(),
             .history = r[5].as<bool>()};
  a.debits_pending = r[6].as<int64_t>();
  a.debits_posted = r[7].as<int64_t>();
  a.credits_pending = r[8].as<int64_t>();
  a.credits_posted = r[9].as<int64_t>();
  return a;
}

// Locks `ids` (sorted) in that order and reads them.
std::vector<ledger::Account> LockAccounts(pqxx::work& txn, const std::string& ids_literal) {
  std::vector<ledger::Account> accounts;
  for (const pqxx::row& r : txn.exec_prepared(kNaiveLockAccounts, ids_literal)) {
    accounts.push_back(NaiveAccountFromRow(r));
  }
  return accounts;
}

void OpenAccounts(pqxx::work& txn, const std::vector<ledger::Account>& accounts) {
  if (accounts.empty()) return;
  using A = ledger::Account;
  txn.exec_prepared(kNaiveOpenAccounts, kit::TextsOf(accounts, [](const A& a) { return absl::string_view(a.id); }),
                    kit::IntsOf(accounts, [](const A& a) { return a.kind; }),
                    kit::TextsOf(accounts, [](const A& a) { return a.currency.code(); }),
                    kit::BoolsOf(accounts, [](const A& a) { return a.flags.debits_must_not_exceed_credits; }),
                    kit::BoolsOf(accounts, [](const A& a) { return a.flags.credits_must_not_exceed_debits; }),
                    kit::BoolsOf(accounts, [](const A& a) { return a.flags.history; }));
}

// One opening record: `amount` on `account`'s debit (or credit) side
// against the scratch account, posted or held.
ledger::TransferRecord Opening(const ledger::Account& account, const std::string& scratch, bool debit,
                               bool pending, ledger::Micros amount) {
  ledger::TransferRecord record;
  record.transfer.id = absl::StrCat("naive_opening/", account.id, debit ? "/d" : "/c", pending ? "p" : "");
  record.transfer.debit_account_id = debit ? account.id : scratch;
  record.transfer.credit_account_id = debit ? scratch : account.id;
  record.transfer.amount = amount;
  record.transfer.currency = account.currency;
  record.transfer.code = ledger::TransferCode::kAdjustment;
  record.transfer.flags.pending = pending;
  record.debit_account_id = record.transfer.debit_account_id;
  record.credit_account_id = record.transfer.credit_account_id;
  record.currency = account.currency;
  record.code = record.transfer.code;
  record.amount = amount;
  record.applied_at = absl::UnixEpoch();
  record.state = pending ? ledger::PendingState::kPending : ledger::PendingState::kNotPending;
  return record;
}

// A book of just `locked`, with the opening records that explain their
// counters (see the header).
absl::StatusOr<ledger::LedgerBook> RestoreLocked(const std::vector<ledger::Account>& locked) {
  std::vector<ledger::Account> accounts = locked;
  std::vector<ledger::TransferRecord> openings;
  std::map<ledger::Currency, ledger::Account> scratch_accounts;
  for (const ledger::Account& account : locked) {
    auto [it, inserted] = scratch_accounts.try_emplace(account.currency);
    ledger::Account& scratch = it->second;
    if (inserted) {
      scratch = ledger::OpenAccount(absl::StrCat(kOpeningAccountPrefix, account.currency.code()),
                                    ledger::AccountKind::kPlatformCapital, account.currency);
    }
    if (account.debits_posted > 0) {
      openings.push_back(Opening(account, scratch.id, /*debit=*/true, /*pending=*/false, account.debits_posted));
      scratch.credits_posted += account.debits_posted;
    }
    if (account.credits_posted > 0) {
      openings.push_back(Opening(account, scratch.id, /*debit=*/false, /*pending=*/false, account.credits_posted));
      scratch.debits_posted += account.credits_posted;
    }
    if (account.debits_pending > 0) {
      openings.push_back(Opening(account, scratch.id, /*debit=*/true, /*pending=*/true, account.debits_pending));
      scratch.credits_pending += account.debits_pending;
    }
    if (account.credits_pending > 0) {
      openings.push_back(Opening(account, scratch.id, /*debit=*/false, /*pending=*/true, account.credits_pending));
      scratch.debits_pending += account.credits_pending;
    }
  }
  for (auto& [currency, scratch] : scratch_accounts) accounts.push_back(std::move(scratch));
  return ledger::LedgerBook::Restore(std::move(accounts), std::move(openings));
}

// The posted money a transfer moved (as the writer books entries).
ledger::Micros NaivePostedAmountOf(const ledger::TransferRecord& record) {
  if (record.transfer.flags.pending || record.transfer.flags.void_pending_transfer) return 0;
  return record.amount;
}

ledger::Micros NaivePostedBalanceChange(const ledger::Account& account, ledger::Micros amount, bool debit_side) {
  return ledger::IsCreditNormal(account.kind) != debit_side ? amount : -amount;
}

std::string NaiveExpiriesOf(const std::vector<ledger::TransferRecord>& transfers) {
  kit::PgArray array;
  for (const ledger::TransferRecord& t : transfers) {
    if (t.expires_at == absl::InfiniteFuture()) {
      array.Null();
    } else {
      array.Int(kit::ToMicros(t.expires_at));
    }
  }
  return array.Literal();
}

void InsertTransfers(pqxx::work& txn, const std::vector<ledger::TransferRecord>& v, int64_t batch_sequence) {
  using T = ledger::TransferRecord;
  txn.exec_prepared(
      kNaiveInsertTransfers, kit::TextsOf(v, [](const T& t) { return absl::string_view(t.transfer.id); }),
      kit::TextsOf(v, [](const T& t) { return absl::string_view(t.transfer.debit_account_id); }),
      kit::TextsOf(v, [](const T& t) { return absl::string_view(t.transfer.credit_account_id); }),
      kit::IntsOf(v, [](const T& t) { return t.transfer.amount; }),
      kit::TextsOf(v, [](const T& t) { return t.transfer.currency.code(); }),
      kit::IntsOf(v, [](const T& t) { return t.transfer.code; }),
      kit::BoolsOf(v, [](const T& t) { return t.transfer.flags.linked; }),
      kit::BoolsOf(v, [](const T& t) { return t.transfer.flags.pending; }),
      kit::BoolsOf(v, [](const T& t) { return t.transfer.flags.post_pending_transfer; }),
      kit::BoolsOf(v, [](const T& t) { return t.transfer.flags.void_pending_transfer; }),
      kit::TextsOf(v, [](const T& t) { return absl::string_view(t.transfer.pending_id); }),
      kit::IntsOf(v, [](const T& t) { return absl::ToInt64Microseconds(t.transfer.timeout); }),
      kit::IntsOf(v, [](const T& t) { return t.transfer.rules_version; }),
      kit::TextsOf(v, [](const T& t) { return absl::string_view(t.debit_account_id); }),
      kit::TextsOf(v, [](const T& t) { return absl::string_view(t.credit_account_id); }),
      kit::TextsOf(v, [](const T& t) { return t.currency.code(); }), kit::IntsOf(v, [](const T& t) { return t.code; }),
      kit::IntsOf(v, [](const T& t) { return t.amount; }),
      kit::IntsOf(v, [](const T& t) { return kit::ToMicros(t.applied_at); }), NaiveExpiriesOf(v),
      kit::IntsOf(v, [](const T& t) { return t.state; }), batch_sequence);
}

void InsertEntries(pqxx::work& txn, const std::vector<EntryRecord>& entries) {
  if (entries.empty()) return;
  using E = EntryRecord;
  txn.exec_prepared(kNaiveInsertEntries,
                    kit::TextsOf(entries, [](const E& e) { return absl::string_view(e.account_id); }),
                    kit::IntsOf(entries, [](const E& e) { return e.sequence; }),
                    kit::TextsOf(entries, [](const E& e) { return absl::string_view(e.transfer_id); }),
                    kit::IntsOf(entries, [](const E& e) { return e.code; }),
                    kit::IntsOf(entries, [](const E& e) { return e.amount; }),
                    kit::IntsOf(entries, [](const E& e) { return e.balance_after; }),
                    kit::TextsOf(entries, [](const E& e) { return absl::string_view(e.counterparty_account_id); }),
                    kit::IntsOf(entries, [](const E& e) { return kit::ToMicros(e.booked_at); }));
}

void InsertTip(pqxx::work& txn, const TipRecord& tip) {
  kit::PgArray kinds, user_ids, clip_ids, depths, amounts, account_ids;
  for (const tipping_service::TipLegRecord& leg : tip.legs) {
    kinds.Int(static_cast<int64_t>(leg.leg.kind));
    user_ids.Text(leg.leg.user_id);
    clip_ids.Text(leg.leg.clip_id);
    depths.Int(leg.leg.depth);
    amounts.Int(leg.leg.amount);
    account_ids.Text(leg.account_id);
  }
  txn.exec_prepared(kNaiveInsertTip, tip.tip_id, tip.sender_id, tip.clip_id, tip.amount,
                    std::string(tip.currency.code()), tip.message, tip.rules_version, kinds.Literal(),
                    user_ids.Literal(), clip_ids.Literal(), depths.Literal(), amounts.Literal(),
                    account_ids.Literal(), kit::ToMicros(tip.created_at));
}

}  // namespace naive_ledger_detail

std::vector<kit::PreparedStatement> NaiveLedger::Statements() {
  std::vector<kit::PreparedStatement> statements = {
      // ORDER BY under FOR UPDATE: the rows are locked in the sorted order.
      {naive_ledger_detail::kNaiveLockAccounts,
       "SELECT account_id, kind, currency, debits_must_not_exceed_credits, credits_must_not_exceed_debits, "
       "history, debits_pending, debits_posted, credits_pending, credits_posted FROM tipping.accounts "
       "WHERE account_id = ANY($1::text[]) ORDER BY account_id FOR UPDATE"},
      {naive_ledger_detail::kNaiveOpenAccounts,
       "INSERT INTO tipping.accounts (account_id, kind, currency, debits_must_not_exceed_credits, "
       "credits_must_not_exceed_debits, history) SELECT * FROM unnest($1::text[], $2::smallint[], $3::text[], "
       "$4::boolean[], $5::boolean[], $6::boolean[]) ON CONFLICT (account_id) DO NOTHING"},
      {naive_ledger_detail::kNaiveExistingTransfers,
       "SELECT transfer_id FROM tipping.transfers WHERE transfer_id = ANY($1::text[])"},
      // One backward index probe per account.
      {naive_ledger_detail::kNaiveLastEntrySequences,
       "SELECT u.id, coalesce((SELECT max(e.sequence) FROM tipping.entries e WHERE e.account_id = u.id), 0) "
       "FROM unnest($1::text[]) AS u(id)"},
      {naive_ledger_detail::kNaiveUpdateAccount,
       "UPDATE tipping.accounts SET debits_pending = $2::bigint, debits_posted = $3::bigint, credits_pending = "
       "$4::bigint, credits_posted = $5::bigint WHERE account_id = $1"},
      {naive_ledger_detail::kNaiveInsertTransfers,
       absl::StrCat("INSERT INTO tipping.transfers (transfer_id, debit_account_id, credit_account_id, amount, "
                    "currency, code, linked, pending, post_pending_transfer, void_pending_transfer, pending_id, "
                    "timeout_micros, rules_version, moved_debit_account_id, moved_credit_account_id, "
                    "moved_currency, moved_code, moved_amount, applied_at, expires_at, state, batch_sequence) "
                    "SELECT t.id, t.debit, t.credit, t.amount, t.currency, t.code, t.linked, t.pending, t.post, "
                    "t.void, t.pending_id, t.timeout, t.rules_version, t.moved_debit, t.moved_credit, "
                    "t.moved_currency, t.moved_code, t.moved_amount, ",
                    kit::SqlTimestampOf("t.applied"), ", ", kit::SqlTimestampOf("t.expires"),
                    ", t.state, $22::bigint FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], "
                    "$5::text[], $6::smallint[], $7::boolean[], $8::boolean[], $9::boolean[], $10::boolean[], "
                    "$11::text[], $12::bigint[], $13::integer[], $14::text[], $15::text[], $16::text[], "
                    "$17::smallint[], $18::bigint[], $19::bigint[], $20::bigint[], $21::smallint[]) AS t(id, "
                    "debit, credit, amount, currency, code, linked, pending, post, void, pending_id, timeout, "
                    "rules_version, moved_debit, moved_credit, moved_currency, moved_code, moved_amount, applied, "
                    "expires, state)")},
      {naive_ledger_detail::kNaiveInsertEntries,
       absl::StrCat("INSERT INTO tipping.entries (account_id, sequence, transfer_id, code, amount, balance_after, "
                    "counterparty_account_id, booked_at) SELECT e.account_id, e.sequence, e.transfer_id, e.code, "
                    "e.amount, e.balance_after, e.counterparty, ",
                    kit::SqlTimestampOf("e.booked"),
                    " FROM unnest($1::text[], $2::bigint[], $3::text[], $4::smallint[], $5::bigint[], "
                    "$6::bigint[], $7::text[], $8::bigint[]) AS e(account_id, sequence, transfer_id, code, amount, "
                    "balance_after, counterparty, booked)")},
      {naive_ledger_detail::kNaiveInsertTip,
       absl::StrCat("INSERT INTO tipping.tips (tip_id, sender_id, clip_id, amount, currency, message, "
                    "rules_version, leg_kinds, leg_user_ids, leg_clip_ids, leg_depths, leg_amounts, "
                    "leg_account_ids, created_at) VALUES ($1::uuid, $2::uuid, $3::uuid, $4::bigint, $5, $6, "
                    "$7::integer, $8::smallint[], $9::text[], $10::text[], $11::integer[], $12::bigint[], "
                    "$13::text[], ",
                    kit::SqlTimestampParam(14), ") ON CONFLICT (tip_id) DO NOTHING")},
  };
  statements.push_back(kit::OutboxWriter::Statement());
  return statements;
}

absl::StatusOr<tipping_service::LedgerReply> NaiveLedger::Submit(const tipping_service::LedgerRequest& request) {
  using namespace naive_ledger_detail;
  // Every account the request names, sorted: the lock order.
  std::vector<std::string> ids;
  for (const ledger::Account& account : request.accounts) ids.push_back(account.id);
  for (const ledger::Transfer& transfer : request.transfers) {
    if (!transfer.debit_account_id.empty()) ids.push_back(transfer.debit_account_id);
    if (!transfer.credit_account_id.empty()) ids.push_back(transfer.credit_account_id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  kit::PgArray ids_array;
  for (const std::string& id : ids) ids_array.Text(id);
  const std::string ids_literal = ids_array.Literal();
  kit::PgArray transfer_ids_array;
  for (const ledger::Transfer& transfer : request.transfers) transfer_ids_array.Text(transfer.id);
  const std::string transfer_ids_literal = transfer_ids_array.Literal();

  LedgerReply reply;
  const absl::Status status = kit::RunInTransaction(pool_, [&](pqxx::work& txn) -> absl::Status {
    reply = LedgerReply{};
    std::vector<ledger::Account> locked = LockAccounts(txn, ids_literal);
    if (locked.size() < ids.size()) {
      // Open what the request asks for and is not stored, then lock again
      // (all of them, in order: what was locked stays locked).
      absl::flat_hash_set<std::string> stored;
      for (const ledger::Account& account : locked) stored.insert(account.id);
      std::vector<ledger::Account> missing;
      absl::flat_hash_set<std::string> seen;
      for (const ledger::Account& account : request.accounts) {
        if (!stored.contains(account.id) && seen.insert(account.id).second) missing.push_back(account);
      }
      std::sort(missing.begin(), missing.end(),
                [](const ledger::Account& a, const ledger::Account& b) { return a.id < b.id; });
      OpenAccounts(txn, missing);
      locked = LockAccounts(txn, ids_literal);
    }

    const pqxx::result existing = txn.exec_prepared(kNaiveExistingTransfers, transfer_ids_literal);
    if (!existing.empty()) {
      if (existing.size() != request.transfers.size()) {
        return absl::InternalError("naive ledger: some of the request's transfers exist, not all");
      }
      reply.outcomes.assign(request.transfers.size(), ledger::TransferOutcome{.result = ledger::TransferResult::kExists});
      reply.hold_expiries.resize(reply.outcomes.size());
      return absl::OkStatus();
    }

    const absl::Time now = absl::FromUnixMicros(absl::ToUnixMicros(clock_.Now()));
    CF_ASSIGN_OR_RETURN(ledger::LedgerBook book, RestoreLocked(locked));
    reply.outcomes = book.Apply(request.transfers, now);
    reply.hold_expiries.resize(reply.outcomes.size());
    std::vector<ledger::TransferRecord> applied;
    for (size_t i = 0; i < reply.outcomes.size(); ++i) {
      if (reply.outcomes[i].ok()) applied.push_back(*book.FindTransfer(request.transfers[i].id));
    }
    // Nothing moved: the transaction commits nothing (it held the locks).
    if (applied.empty()) return absl::OkStatus();

    // Statement entries: one per side of each posted amount, numbered after
    // each account's last, with its posted balance after it.
    absl::flat_hash_map<std::string, int64_t> sequences;
    for (const pqxx::row& r : txn.exec_prepared(kNaiveLastEntrySequences, ids_literal)) {
      sequences[r[0].as<std::string>()] = r[1].as<int64_t>();
    }
    absl::flat_hash_map<std::string, ledger::Micros> balances;
    for (const ledger::Account& account : locked) balances[account.id] = ledger::PostedBalance(account);
    std::vector<EntryRecord> entries;
    for (const ledger::TransferRecord& record : applied) {
      const ledger::Micros moved = NaivePostedAmountOf(record);
      if (moved == 0) continue;
      for (const bool debit : {true, false}) {
        const std::string& id = debit ? record.debit_account_id : record.credit_account_id;
        const ledger::Micros change = NaivePostedBalanceChange(*book.FindAccount(id), moved, debit);
        ledger::Micros& balance = balances[id];
        balance += change;
        entries.push_back(EntryRecord{.sequence = ++sequences[id],
                                      .account_id = id,
                                      .transfer_id = record.transfer.id,
                                      .code = record.code,
                                      .amount = change,
                                      .balance_after = balance,
                                      .counterparty_account_id =
                                          debit ? record.credit_account_id : record.debit_account_id,
                                      .booked_at = now});
      }
    }

    InsertTransfers(txn, applied, batch_sequence_);
    InsertEntries(txn, entries);
    // One UPDATE per account whose counters changed, in lock order.
    for (const ledger::Account& before : locked) {
      const ledger::Account& after = *book.FindAccount(before.id);
      if (after == before) continue;
      const pqxx::result updated = txn.exec_prepared(kNaiveUpdateAccount, after.id, after.debits_pending,
                                                     after.debits_posted, after.credits_pending,
                                                     after.credits_posted);
      if (updated.affected_rows() != 1) return absl::InternalError("naive ledger: an account vanished");
    }
    // The request's rows, when its last chain moved (as the writer does).
    if (reply.outcomes.back().ok()) {
      for (const TipRecord& tip : request.tips) InsertTip(txn, tip);
      for (const v1::EventEnvelope& event : request.events) CF_RETURN_IF_ERROR(kit::OutboxWriter::Append(txn, event));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return reply;
}

}  // namespace clipforge::bench
