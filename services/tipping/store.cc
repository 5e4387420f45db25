#include "services/tipping/store.h"

#include <pqxx/pqxx>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "base/error_reason.h"
#include "base/status_macros.h"
#include "base/validation.h"
#include "ledger/account.h"
#include "ledger/money.h"
#include "ledger/transfer_record.h"
#include "services/kit/outbox.h"
#include "services/kit/pg_array.h"
#include "services/kit/pg_time.h"
#include "services/kit/pg_transaction.h"

namespace clipforge::tipping_service {
namespace {

using kit::SqlMicros;
using kit::SqlTimestampParam;
using kit::TimeFromMicros;
using kit::ToMicros;

constexpr char kTakeFence[] = "tipping_take_fence";
constexpr char kRetakeFence[] = "tipping_retake_fence";
constexpr char kHoldFence[] = "tipping_hold_fence";
constexpr char kInsertBatch[] = "tipping_insert_batch";
constexpr char kInsertAccounts[] = "tipping_insert_accounts";
constexpr char kUpdateAccounts[] = "tipping_update_accounts";
constexpr char kInsertTransfers[] = "tipping_insert_transfers";
constexpr char kResolvePending[] = "tipping_resolve_pending";
constexpr char kInsertEntries[] = "tipping_insert_entries";
constexpr char kInsertTips[] = "tipping_insert_tips";
constexpr char kInsertTopUps[] = "tipping_insert_top_ups";
constexpr char kRefundTopUps[] = "tipping_refund_top_ups";
constexpr char kStoredTransferAmount[] = "tipping_stored_transfer_amount";
constexpr char kFirstTopUpTime[] = "tipping_first_top_up_time";
constexpr char kBatchCommitted[] = "tipping_batch_committed";
constexpr char kAllAccounts[] = "tipping_all_accounts";
constexpr char kAllTransfers[] = "tipping_all_transfers";
constexpr char kLastBatch[] = "tipping_last_batch";
constexpr char kLastEntrySequences[] = "tipping_last_entry_sequences";
constexpr char kPutClip[] = "tipping_put_clip";
constexpr char kRemoveClip[] = "tipping_remove_clip";
constexpr char kSetClipTippable[] = "tipping_set_clip_tippable";
constexpr char kMarkUserGone[] = "tipping_mark_user_gone";
constexpr char kGetClip[] = "tipping_get_clip";
constexpr char kLineage[] = "tipping_lineage";
constexpr char kUserGone[] = "tipping_user_gone";
constexpr char kGetTip[] = "tipping_get_tip";
constexpr char kGetTopUp[] = "tipping_get_top_up";
constexpr char kRecordTopUp[] = "tipping_record_top_up";
constexpr char kGetAccounts[] = "tipping_get_accounts";
constexpr char kBalanceAsOf[] = "tipping_balance_as_of";
constexpr char kListEntries[] = "tipping_list_entries";
constexpr char kAuditCounts[] = "tipping_audit_counts";
constexpr char kAuditTotals[] = "tipping_audit_totals";
constexpr char kAuditLimits[] = "tipping_audit_limits";
constexpr char kAuditCounters[] = "tipping_audit_counters";
constexpr char kAuditUnbalanced[] = "tipping_audit_unbalanced";
constexpr char kAuditBalances[] = "tipping_audit_balances";
constexpr char kAuditChain[] = "tipping_audit_chain";
constexpr char kAuditTips[] = "tipping_audit_tips";

// --- Values across the boundary ---

using kit::BoolsOf;
using kit::IntsOf;
using kit::PgArray;
using kit::SqlTimestampOf;
using kit::TextsOf;

// A query bound clamped into timestamptz's range (years 1 to 9999 here):
// Postgres refuses a timestamp past 294276 AD, and a caller may ask up to
// absl::InfiniteFuture.
int64_t BoundMicros(absl::Time t) {
  constexpr int64_t kMinMicros = -62'135'596'800'000'000;  // 0001-01-01
  constexpr int64_t kMaxMicros = 253'402'300'799'999'999;  // 9999-12-31 23:59:59.999999
  return std::clamp(ToMicros(t), kMinMicros, kMaxMicros);
}

// A stored currency: '' is no currency (a post or void may leave it empty).
// A corrupt value throws, which the caller's CatchPqxx turns into INTERNAL.
ledger::Currency CurrencyFromField(const pqxx::field& f) {
  const std::string code = f.as<std::string>();
  if (code.empty()) return ledger::Currency();
  absl::StatusOr<ledger::Currency> currency = ledger::Currency::FromCode(code);
  if (!currency.ok()) throw std::runtime_error("tipping: unreadable stored currency");
  return *currency;
}

std::string Hex(absl::string_view bytes) { return absl::BytesToHexString(bytes); }
std::string Unhex(const pqxx::field& f) { return absl::HexStringToBytes(f.as<std::string>()); }

// Ids of uuid columns. The interfaces carry them as strings, and a string
// that is not one would make the cast fail as an SQL error: reads treat it
// as not found, writes refuse it.
bool IsUuid(absl::string_view id) { return base::IsCanonicalUuid(id); }
bool IsUuidOrEmpty(absl::string_view id) { return id.empty() || IsUuid(id); }
absl::Status RequireUuid(absl::string_view field, absl::string_view id) {
  if (IsUuid(id)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("tipping store: ", field, " is not a UUID"));
}

// --- Rows ---

// Every account query names tipping.accounts `a`.
constexpr char kAccountColumns[] =
    "a.account_id, a.kind, a.currency, a.debits_must_not_exceed_credits, a.credits_must_not_exceed_debits, "
    "a.history, a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted";

ledger::Account AccountFromRow(const pqxx::row& r) {
  ledger::Account a;
  a.id = r[0].as<std::string>();
  a.kind = static_cast<ledger::AccountKind>(r[1].as<int>());
  a.currency = CurrencyFromField(r[2]);
  a.flags = {.debits_must_not_exceed_credits = r[3].as<bool>(),
             .credits_must_not_exceed_debits = r[4].as<bool>(),
             .history = r[5].as<bool>()};
  a.debits_pending = r[6].as<int64_t>();
  a.debits_posted = r[7].as<int64_t>();
  a.credits_pending = r[8].as<int64_t>();
  a.credits_posted = r[9].as<int64_t>();
  return a;
}

// Every transfer query names tipping.transfers `t`: the submitted transfer,
// then what it moved. A NULL expiry reads as 0 behind a flag.
const std::string kTransferColumns = absl::StrCat(
    "t.transfer_id, t.debit_account_id, t.credit_account_id, t.amount, t.currency, t.code, t.linked, t.pending, "
    "t.post_pending_transfer, t.void_pending_transfer, t.pending_id, t.timeout_micros, t.rules_version, "
    "t.moved_debit_account_id, t.moved_credit_account_id, t.moved_currency, t.moved_code, t.moved_amount, ",
    SqlMicros("t.applied_at"), ", t.expires_at IS NOT NULL, coalesce(", SqlMicros("t.expires_at"), ", 0), t.state");

ledger::Transfer SubmittedTransferFromRow(const pqxx::row& r) {
  ledger::Transfer t;
  t.id = r[0].as<std::string>();
  t.debit_account_id = r[1].as<std::string>();
  t.credit_account_id = r[2].as<std::string>();
  t.amount = r[3].as<int64_t>();
  t.currency = CurrencyFromField(r[4]);
  t.code = static_cast<ledger::TransferCode>(r[5].as<int>());
  t.flags = {.linked = r[6].as<bool>(),
             .pending = r[7].as<bool>(),
             .post_pending_transfer = r[8].as<bool>(),
             .void_pending_transfer = r[9].as<bool>()};
  t.pending_id = r[10].as<std::string>();
  t.timeout = absl::Microseconds(r[11].as<int64_t>());
  t.rules_version = r[12].as<int>();
  return t;
}

ledger::TransferRecord TransferRecordFromRow(const pqxx::row& r) {
  ledger::TransferRecord record;
  record.transfer = SubmittedTransferFromRow(r);
  record.debit_account_id = r[13].as<std::string>();
  record.credit_account_id = r[14].as<std::string>();
  record.currency = CurrencyFromField(r[15]);
  record.code = static_cast<ledger::TransferCode>(r[16].as<int>());
  record.amount = r[17].as<int64_t>();
  record.applied_at = TimeFromMicros(r[18]);
  record.expires_at = r[19].as<bool>() ? TimeFromMicros(r[20]) : absl::InfiniteFuture();
  record.state = static_cast<ledger::PendingState>(r[21].as<int>());
  return record;
}

// Every entry query names tipping.entries `e`.
const std::string kEntryColumns =
    absl::StrCat("e.account_id, e.sequence, e.transfer_id, e.code, e.amount, e.balance_after, ",
                 "e.counterparty_account_id, ", SqlMicros("e.booked_at"));

EntryRecord EntryFromRow(const pqxx::row& r) {
  return EntryRecord{.sequence = r[1].as<int64_t>(),
                     .account_id = r[0].as<std::string>(),
                     .transfer_id = r[2].as<std::string>(),
                     .code = static_cast<ledger::TransferCode>(r[3].as<int>()),
                     .amount = r[4].as<int64_t>(),
                     .balance_after = r[5].as<int64_t>(),
                     .counterparty_account_id = r[6].as<std::string>(),
                     .booked_at = TimeFromMicros(r[7])};
}

// A tip reads as one row per leg (LEFT JOIN LATERAL unnest of its parallel
// arrays, in leg order); a tip without legs as one row whose leg columns
// are NULL.
const std::string kTipQuery = absl::StrCat(
    "SELECT t.tip_id::text, t.sender_id::text, t.clip_id::text, t.amount, t.currency, t.message, t.rules_version, ",
    SqlMicros("t.created_at"),
    ", l.i IS NOT NULL, l.kind, l.user_id, l.clip_id, l.depth, l.amount, l.account_id FROM tipping.tips t "
    "LEFT JOIN LATERAL unnest(t.leg_kinds, t.leg_user_ids, t.leg_clip_ids, t.leg_depths, t.leg_amounts, "
    "t.leg_account_ids) WITH ORDINALITY AS l(kind, user_id, clip_id, depth, amount, account_id, i) ON true "
    "WHERE t.tip_id = $1::uuid ORDER BY l.i");

TipRecord TipFromRows(const pqxx::result& rows) {
  const pqxx::row& r = rows[0];
  TipRecord tip{.tip_id = r[0].as<std::string>(),
                .sender_id = r[1].as<std::string>(),
                .clip_id = r[2].as<std::string>(),
                .amount = r[3].as<int64_t>(),
                .currency = CurrencyFromField(r[4]),
                .message = r[5].as<std::string>(),
                .rules_version = r[6].as<int>(),
                .created_at = TimeFromMicros(r[7])};
  for (const pqxx::row& leg : rows) {
    if (!leg[8].as<bool>()) continue;
    tip.legs.push_back(TipLegRecord{.leg = {.kind = static_cast<ledger::TipLegKind>(leg[9].as<int>()),
                                            .user_id = leg[10].as<std::string>(),
                                            .clip_id = leg[11].as<std::string>(),
                                            .depth = leg[12].as<int>(),
                                            .amount = leg[13].as<int64_t>()},
                                    .account_id = leg[14].as<std::string>()});
  }
  return tip;
}

// Every top-up query names tipping.top_ups `u`.
const std::string kTopUpColumns = absl::StrCat(
    "u.top_up_id::text, u.user_id::text, u.amount, u.currency, u.refunded, u.status, u.provider, "
    "u.provider_reference, u.failure_reason, ",
    SqlMicros("u.created_at"), ", ", SqlMicros("u.updated_at"));

TopUpRecord TopUpFromRow(const pqxx::row& r) {
  return TopUpRecord{.top_up_id = r[0].as<std::string>(),
                     .user_id = r[1].as<std::string>(),
                     .amount = r[2].as<int64_t>(),
                     .currency = CurrencyFromField(r[3]),
                     .refunded = r[4].as<int64_t>(),
                     .status = static_cast<TopUpStatus>(r[5].as<int>()),
                     .provider = r[6].as<std::string>(),
                     .provider_reference = r[7].as<std::string>(),
                     .failure_reason = r[8].as<std::string>(),
                     .created_at = TimeFromMicros(r[9]),
                     .updated_at = TimeFromMicros(r[10])};
}

// Unknown author and parent (NULL) read as empty.
ClipRecord ClipFromRow(const pqxx::row& r) {
  return ClipRecord{.clip_id = r[0].as<std::string>(),
                    .author_id = r[1].as<std::string>(),
                    .parent_clip_id = r[2].as<std::string>(),
                    .tippable = r[3].as<bool>(),
                    .removed = r[4].as<bool>()};
}

// --- The batch, one statement per table ---

// The reason rides both in the message (logs, tests) and as the status's
// reason (base::WithReason), which the writer switches on.
absl::Status Fenced(absl::string_view shard, int64_t epoch) {
  return base::WithReason(
      absl::FailedPreconditionError(absl::StrCat(kFencedReason, ": the fence of shard '", shard,
                                                 "' no longer holds epoch ", epoch, "; another writer took it")),
      kFencedReason);
}

// Holds the fence row FOR SHARE until the transaction ends, so that a
// TakeFence (which updates it) waits for this batch, and checks that it
// still holds `epoch`.
absl::Status HoldFence(pqxx::work& txn, const std::string& shard, int64_t epoch) {
  const pqxx::result r = txn.exec_prepared(kHoldFence, shard);
  if (r.empty() || r[0][0].as<int64_t>() != epoch) return Fenced(shard, epoch);
  return absl::OkStatus();
}

// The uuid columns of the batch's rows, checked before anything is sent: a
// bad id is the caller's error, not the database's.
absl::Status CheckBatchIds(const LedgerBatch& batch) {
  for (const TipRecord& tip : batch.tips) {
    CF_RETURN_IF_ERROR(RequireUuid("tip_id", tip.tip_id));
    CF_RETURN_IF_ERROR(RequireUuid("sender_id", tip.sender_id));
    CF_RETURN_IF_ERROR(RequireUuid("clip_id", tip.clip_id));
  }
  for (const TopUpRecord& top_up : batch.top_ups) {
    CF_RETURN_IF_ERROR(RequireUuid("top_up_id", top_up.top_up_id));
    CF_RETURN_IF_ERROR(RequireUuid("user_id", top_up.user_id));
  }
  for (const TopUpRefund& refund : batch.top_up_refunds) {
    CF_RETURN_IF_ERROR(RequireUuid("top_up_id", refund.top_up_id));
  }
  return absl::OkStatus();
}

void InsertBatchRow(pqxx::work& txn, const LedgerBatch& batch) {
  txn.exec_prepared(kInsertBatch, batch.sequence, batch.epoch, Hex(batch.previous_hash), Hex(batch.hash),
                    batch.request_count, ToMicros(batch.committed_at));
}

void InsertAccounts(pqxx::work& txn, const std::vector<ledger::Account>& accounts) {
  if (accounts.empty()) return;
  using A = ledger::Account;
  txn.exec_prepared(
      kInsertAccounts, TextsOf(accounts, [](const A& a) { return absl::string_view(a.id); }),
      IntsOf(accounts, [](const A& a) { return a.kind; }),
      TextsOf(accounts, [](const A& a) { return a.currency.code(); }),
      BoolsOf(accounts, [](const A& a) { return a.flags.debits_must_not_exceed_credits; }),
      BoolsOf(accounts, [](const A& a) { return a.flags.credits_must_not_exceed_debits; }),
      BoolsOf(accounts, [](const A& a) { return a.flags.history; }),
      IntsOf(accounts, [](const A& a) { return a.debits_pending; }),
      IntsOf(accounts, [](const A& a) { return a.debits_posted; }),
      IntsOf(accounts, [](const A& a) { return a.credits_pending; }),
      IntsOf(accounts, [](const A& a) { return a.credits_posted; }));
}

// Every changed account must be stored (opened by an earlier batch or this
// one) and listed once: anything else means the writer's books and the
// database disagree, and the batch must not commit.
absl::Status UpdateAccounts(pqxx::work& txn, const std::vector<ledger::Account>& accounts) {
  if (accounts.empty()) return absl::OkStatus();
  using A = ledger::Account;
  const pqxx::result r =
      txn.exec_prepared(kUpdateAccounts, TextsOf(accounts, [](const A& a) { return absl::string_view(a.id); }),
                        IntsOf(accounts, [](const A& a) { return a.debits_pending; }),
                        IntsOf(accounts, [](const A& a) { return a.debits_posted; }),
                        IntsOf(accounts, [](const A& a) { return a.credits_pending; }),
                        IntsOf(accounts, [](const A& a) { return a.credits_posted; }));
  if (static_cast<size_t>(r.affected_rows()) != accounts.size()) {
    return absl::InternalError("tipping store: the batch changes accounts that are not stored (or lists one twice)");
  }
  return absl::OkStatus();
}

// NULL for a transfer that never expires.
std::string ExpiriesOf(const std::vector<ledger::TransferRecord>& transfers) {
  PgArray array;
  for (const ledger::TransferRecord& t : transfers) {
    if (t.expires_at == absl::InfiniteFuture()) {
      array.Null();
    } else {
      array.Int(ToMicros(t.expires_at));
    }
  }
  return array.Literal();
}

void InsertTransfers(pqxx::work& txn, const std::vector<ledger::TransferRecord>& transfers, int64_t batch_sequence) {
  if (transfers.empty()) return;
  using T = ledger::TransferRecord;
  const std::vector<T>& v = transfers;
  txn.exec_prepared(
      kInsertTransfers, TextsOf(v, [](const T& t) { return absl::string_view(t.transfer.id); }),
      TextsOf(v, [](const T& t) { return absl::string_view(t.transfer.debit_account_id); }),
      TextsOf(v, [](const T& t) { return absl::string_view(t.transfer.credit_account_id); }),
      IntsOf(v, [](const T& t) { return t.transfer.amount; }),
      TextsOf(v, [](const T& t) { return t.transfer.currency.code(); }),
      IntsOf(v, [](const T& t) { return t.transfer.code; }),
      BoolsOf(v, [](const T& t) { return t.transfer.flags.linked; }),
      BoolsOf(v, [](const T& t) { return t.transfer.flags.pending; }),
      BoolsOf(v, [](const T& t) { return t.transfer.flags.post_pending_transfer; }),
      BoolsOf(v, [](const T& t) { return t.transfer.flags.void_pending_transfer; }),
      TextsOf(v, [](const T& t) { return absl::string_view(t.transfer.pending_id); }),
      IntsOf(v, [](const T& t) { return absl::ToInt64Microseconds(t.transfer.timeout); }),
      IntsOf(v, [](const T& t) { return t.transfer.rules_version; }),
      TextsOf(v, [](const T& t) { return absl::string_view(t.debit_account_id); }),
      TextsOf(v, [](const T& t) { return absl::string_view(t.credit_account_id); }),
      TextsOf(v, [](const T& t) { return t.currency.code(); }), IntsOf(v, [](const T& t) { return t.code; }),
      IntsOf(v, [](const T& t) { return t.amount; }), IntsOf(v, [](const T& t) { return ToMicros(t.applied_at); }),
      ExpiriesOf(v), IntsOf(v, [](const T& t) { return t.state; }), batch_sequence);
}

// Each pending transfer named must be stored: the same disagreement as in
// UpdateAccounts otherwise.
absl::Status ResolvePending(pqxx::work& txn,
                            const std::vector<std::pair<std::string, ledger::PendingState>>& resolved) {
  if (resolved.empty()) return absl::OkStatus();
  using P = std::pair<std::string, ledger::PendingState>;
  const pqxx::result r =
      txn.exec_prepared(kResolvePending, TextsOf(resolved, [](const P& p) { return absl::string_view(p.first); }),
                        IntsOf(resolved, [](const P& p) { return p.second; }));
  if (static_cast<size_t>(r.affected_rows()) != resolved.size()) {
    return absl::InternalError("tipping store: the batch resolves pending transfers that are not stored");
  }
  return absl::OkStatus();
}

void InsertEntries(pqxx::work& txn, const std::vector<EntryRecord>& entries) {
  if (entries.empty()) return;
  using E = EntryRecord;
  txn.exec_prepared(kInsertEntries, TextsOf(entries, [](const E& e) { return absl::string_view(e.account_id); }),
                    IntsOf(entries, [](const E& e) { return e.sequence; }),
                    TextsOf(entries, [](const E& e) { return absl::string_view(e.transfer_id); }),
                    IntsOf(entries, [](const E& e) { return e.code; }),
                    IntsOf(entries, [](const E& e) { return e.amount; }),
                    IntsOf(entries, [](const E& e) { return e.balance_after; }),
                    TextsOf(entries, [](const E& e) { return absl::string_view(e.counterparty_account_id); }),
                    IntsOf(entries, [](const E& e) { return ToMicros(e.booked_at); }));
}

// The legs of every tip flattened, each behind its tip's position (1, 2,
// ... as WITH ORDINALITY numbers the tips), so that one statement inserts
// tips with any number of legs.
struct LegArrays {
  PgArray tip, kind, user_id, clip_id, depth, amount, account_id;
};

LegArrays LegsOf(const std::vector<TipRecord>& tips) {
  LegArrays legs;
  for (size_t i = 0; i < tips.size(); ++i) {
    for (const TipLegRecord& leg : tips[i].legs) {
      legs.tip.Int(static_cast<int64_t>(i) + 1);
      legs.kind.Int(static_cast<int64_t>(leg.leg.kind));
      legs.user_id.Text(leg.leg.user_id);
      legs.clip_id.Text(leg.leg.clip_id);
      legs.depth.Int(leg.leg.depth);
      legs.amount.Int(leg.leg.amount);
      legs.account_id.Text(leg.account_id);
    }
  }
  return legs;
}

void InsertTips(pqxx::work& txn, const std::vector<TipRecord>& tips) {
  if (tips.empty()) return;
  using T = TipRecord;
  const LegArrays legs = LegsOf(tips);
  txn.exec_prepared(kInsertTips, TextsOf(tips, [](const T& t) { return absl::string_view(t.tip_id); }),
                    TextsOf(tips, [](const T& t) { return absl::string_view(t.sender_id); }),
                    TextsOf(tips, [](const T& t) { return absl::string_view(t.clip_id); }),
                    IntsOf(tips, [](const T& t) { return t.amount; }),
                    TextsOf(tips, [](const T& t) { return t.currency.code(); }),
                    TextsOf(tips, [](const T& t) { return absl::string_view(t.message); }),
                    IntsOf(tips, [](const T& t) { return t.rules_version; }),
                    IntsOf(tips, [](const T& t) { return ToMicros(t.created_at); }), legs.tip.Literal(),
                    legs.kind.Literal(), legs.user_id.Literal(), legs.clip_id.Literal(), legs.depth.Literal(),
                    legs.amount.Literal(), legs.account_id.Literal());
}

void InsertTopUps(pqxx::work& txn, const std::vector<TopUpRecord>& top_ups) {
  if (top_ups.empty()) return;
  using U = TopUpRecord;
  const std::vector<U>& v = top_ups;
  txn.exec_prepared(kInsertTopUps, TextsOf(v, [](const U& u) { return absl::string_view(u.top_up_id); }),
                    TextsOf(v, [](const U& u) { return absl::string_view(u.user_id); }),
                    IntsOf(v, [](const U& u) { return u.amount; }),
                    TextsOf(v, [](const U& u) { return u.currency.code(); }),
                    IntsOf(v, [](const U& u) { return u.refunded; }), IntsOf(v, [](const U& u) { return u.status; }),
                    TextsOf(v, [](const U& u) { return absl::string_view(u.provider); }),
                    TextsOf(v, [](const U& u) { return absl::string_view(u.provider_reference); }),
                    TextsOf(v, [](const U& u) { return absl::string_view(u.failure_reason); }),
                    IntsOf(v, [](const U& u) { return ToMicros(u.created_at); }),
                    IntsOf(v, [](const U& u) { return ToMicros(u.updated_at); }));
}

// Each refunded top-up must be stored (it was read before its refund was
// decided): the same disagreement as in UpdateAccounts otherwise.
absl::Status RefundTopUps(pqxx::work& txn, const std::vector<TopUpRefund>& refunds) {
  if (refunds.empty()) return absl::OkStatus();
  using R = TopUpRefund;
  const pqxx::result r = txn.exec_prepared(
      kRefundTopUps, TextsOf(refunds, [](const R& x) { return absl::string_view(x.top_up_id); }),
      IntsOf(refunds, [](const R& x) { return x.amount; }),
      IntsOf(refunds, [](const R& x) { return ToMicros(x.refunded_at); }));
  absl::flat_hash_set<std::string> top_ups;
  for (const TopUpRefund& refund : refunds) top_ups.insert(refund.top_up_id);
  if (static_cast<size_t>(r.affected_rows()) != top_ups.size()) {
    return absl::InternalError("tipping store: the batch refunds top-ups that are not stored");
  }
  return absl::OkStatus();
}

// --- Loading the ledger ---

std::vector<ledger::Account> AllAccounts(pqxx::work& txn) {
  std::vector<ledger::Account> accounts;
  const pqxx::result rows = txn.exec_prepared(kAllAccounts);
  accounts.reserve(rows.size());
  for (const pqxx::row& r : rows) accounts.push_back(AccountFromRow(r));
  return accounts;
}

std::vector<ledger::TransferRecord> AllTransfers(pqxx::work& txn) {
  std::vector<ledger::TransferRecord> transfers;
  const pqxx::result rows = txn.exec_prepared(kAllTransfers);
  transfers.reserve(rows.size());
  for (const pqxx::row& r : rows) transfers.push_back(TransferRecordFromRow(r));
  return transfers;
}

void LoadLastBatch(pqxx::work& txn, StoredLedger& stored) {
  const pqxx::result rows = txn.exec_prepared(kLastBatch);
  if (rows.empty()) return;
  stored.last_batch_sequence = rows[0][0].as<int64_t>();
  stored.last_batch_hash = Unhex(rows[0][1]);
}

std::vector<std::pair<std::string, int64_t>> LastEntrySequences(pqxx::work& txn) {
  std::vector<std::pair<std::string, int64_t>> sequences;
  for (const pqxx::row& r : txn.exec_prepared(kLastEntrySequences)) {
    sequences.emplace_back(r[0].as<std::string>(), r[1].as<int64_t>());
  }
  return sequences;
}

// --- Auditing the ledger (AuditLedger) ---

// A numeric SQL expression (a sum over many rows may pass 2^63) as a
// bigint, clamped into its range.
std::string AuditClampedBigint(absl::string_view numeric) {
  return absl::StrCat("least(greatest(", numeric, ", -9223372036854775808), 9223372036854775807)::bigint");
}

// The kinds whose balance runs the debit way (ledger::IsCreditNormal), as
// the $n::smallint[] the audit's statements take: an entry's amount and an
// account's posted balance are in the kind's normal direction.
std::string AuditDebitNormalKinds() {
  PgArray kinds;
  for (const ledger::AccountKind kind : ledger::kAllAccountKinds) {
    if (!ledger::IsCreditNormal(kind)) kinds.Int(static_cast<int64_t>(kind));
  }
  return kinds.Literal();
}

// An account's posted balance in its kind's normal direction (numeric), in
// SQL over tipping.accounts `a`, the debit-normal kinds being $1.
constexpr char kAuditPostedBalance[] =
    "CASE WHEN a.kind = ANY($1::smallint[]) THEN a.debits_posted::numeric - a.credits_posted ELSE "
    "a.credits_posted::numeric - a.debits_posted END";

// The check whose rows are `rows` (the failing ones, at most the samples
// asked), each of which carries the number of all failing rows in column
// `count_column` (count(*) OVER (), taken before the LIMIT).
template <typename Describe>
LedgerAuditCheck AuditCheckOf(const pqxx::result& rows, int count_column, Describe describe) {
  LedgerAuditCheck check;
  if (rows.empty()) return check;
  check.failing = rows[0][count_column].as<int64_t>();
  for (const pqxx::row& r : rows) check.samples.push_back(describe(r));
  return check;
}

std::string DescribeLimitBreach(const pqxx::row& r) {
  const ledger::WideMicros debits = static_cast<ledger::WideMicros>(r[2].as<int64_t>()) + r[3].as<int64_t>();
  const ledger::WideMicros credits = static_cast<ledger::WideMicros>(r[4].as<int64_t>()) + r[5].as<int64_t>();
  if (r[1].as<bool>()) {
    return absl::StrCat("account ", r[0].as<std::string>(), ": debits (pending and posted) ",
                        ledger::FormatWideMicros(debits), " exceed credits_posted ",
                        ledger::FormatMicros(r[5].as<int64_t>()));
  }
  return absl::StrCat("account ", r[0].as<std::string>(), ": credits (pending and posted) ",
                      ledger::FormatWideMicros(credits), " exceed debits_posted ",
                      ledger::FormatMicros(r[3].as<int64_t>()));
}

std::string DescribeCounterMismatch(const pqxx::row& r) {
  const std::string account = r[0].as<std::string>();
  if (!r[1].as<bool>()) return absl::StrCat("account ", account, ": named by transfers but not stored");
  std::string text = absl::StrCat("account ", account, ":");
  const char* const names[] = {"debits_pending", "debits_posted", "credits_pending", "credits_posted"};
  const char* separator = " ";
  for (int i = 0; i < 4; ++i) {
    const int64_t stored = r[2 + i].as<int64_t>();
    const int64_t from_transfers = r[6 + i].as<int64_t>();
    if (stored == from_transfers) continue;
    absl::StrAppend(&text, separator, names[i], " is ", ledger::FormatMicros(stored), " but its transfers sum to ",
                    ledger::FormatMicros(from_transfers));
    separator = "; ";
  }
  return text;
}

std::string DescribeUnbalancedTransfer(const pqxx::row& r) {
  const std::string transfer = r[0].as<std::string>();
  if (!r[1].as<bool>()) return absl::StrCat("transfer ", transfer, ": has entries but posted nothing");
  return absl::StrCat("transfer ", transfer, ": posted ", ledger::FormatMicros(r[3].as<int64_t>()), " with ",
                      r[2].as<int64_t>(), " entries, not one debit and one credit of it");
}

std::string DescribeBalanceMismatch(const pqxx::row& r) {
  const std::string account = r[0].as<std::string>();
  if (!r[1].as<bool>()) return absl::StrCat("account ", account, ": has entries but is not stored");
  const int64_t posted = r[2].as<int64_t>();
  const int64_t total = r[3].as<int64_t>();
  const int64_t count = r[4].as<int64_t>();
  const int64_t last = r[5].as<int64_t>();
  const int64_t balance_after = r[6].as<int64_t>();
  std::string text = absl::StrCat("account ", account, ": posted balance ", ledger::FormatMicros(posted));
  if (total != posted) absl::StrAppend(&text, "; its entries sum to ", ledger::FormatMicros(total));
  if (balance_after != posted) {
    absl::StrAppend(&text, "; its last entry's balance_after is ", ledger::FormatMicros(balance_after));
  }
  if (count != last) absl::StrAppend(&text, "; ", count, " entries numbered up to ", last);
  return text;
}

std::string DescribeChainBreak(const pqxx::row& r) {
  const int64_t sequence = r[0].as<int64_t>();
  const int64_t previous = r[1].as<int64_t>();
  const auto missing = [&](int64_t first) {
    return first == sequence - 1 ? absl::StrCat("batch ", first, " is missing")
                                 : absl::StrCat("batches ", first, " to ", sequence - 1, " are missing");
  };
  if (previous == 0 && sequence != 1) return absl::StrCat("batch ", sequence, ": the first stored; ", missing(1));
  if (previous == 0) return "batch 1: previous_hash is not empty";
  if (previous != sequence - 1) return absl::StrCat("batch ", sequence, ": ", missing(previous + 1));
  return absl::StrCat("batch ", sequence, ": previous_hash is not batch ", previous, "'s hash");
}

std::string DescribeIncompleteTip(const pqxx::row& r) {
  const std::string tip = r[0].as<std::string>();
  std::string text = absl::StrCat("tip ", tip, ":");
  if (!r[1].as<bool>()) absl::StrAppend(&text, " its legs do not sum to its amount");
  if (!r[2].is_null()) {
    const int64_t leg = r[2].as<int64_t>();
    absl::StrAppend(&text, r[1].as<bool>() ? "" : ";", " leg ", leg, "'s transfer ", tip, "/", leg,
                    " is missing or does not post the leg from the sender's wallet to the leg's account");
  }
  return text;
}

}  // namespace

std::vector<kit::PreparedStatement> PgTippingStore::Statements() {
  std::vector<kit::PreparedStatement> statements = {
      // One statement, so that it commits by itself; the update waits for
      // the row lock of any batch holding the fence FOR SHARE.
      {kTakeFence,
       "INSERT INTO tipping.writer_fence (shard, epoch) VALUES ($1, 1) ON CONFLICT (shard) DO UPDATE SET epoch = "
       "tipping.writer_fence.epoch + 1 RETURNING epoch"},
      // The same wait, but only while the epoch is still the writer's: the
      // row lock is waited for first, then the condition is checked again.
      {kRetakeFence,
       "UPDATE tipping.writer_fence SET epoch = epoch + 1 WHERE shard = $1 AND epoch = $2::bigint RETURNING epoch"},
      {kHoldFence, "SELECT epoch FROM tipping.writer_fence WHERE shard = $1 FOR SHARE"},
      {kInsertBatch,
       absl::StrCat("INSERT INTO tipping.batches (sequence, epoch, previous_hash, hash, request_count, committed_at) "
                    "VALUES ($1::bigint, $2::bigint, decode($3, 'hex'), decode($4, 'hex'), $5::integer, ",
                    SqlTimestampParam(6), ")")},
      {kInsertAccounts,
       "INSERT INTO tipping.accounts (account_id, kind, currency, debits_must_not_exceed_credits, "
       "credits_must_not_exceed_debits, history, debits_pending, debits_posted, credits_pending, credits_posted) "
       "SELECT * FROM unnest($1::text[], $2::smallint[], $3::text[], $4::boolean[], $5::boolean[], $6::boolean[], "
       "$7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])"},
      // The CHECK constraints of 0028 refuse counters that break an
      // account's balance limit.
      {kUpdateAccounts,
       "UPDATE tipping.accounts a SET debits_pending = u.debits_pending, debits_posted = u.debits_posted, "
       "credits_pending = u.credits_pending, credits_posted = u.credits_posted FROM unnest($1::text[], "
       "$2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[]) AS u(account_id, debits_pending, debits_posted, "
       "credits_pending, credits_posted) WHERE a.account_id = u.account_id"},
      {kInsertTransfers,
       absl::StrCat("INSERT INTO tipping.transfers (transfer_id, debit_account_id, credit_account_id, amount, "
                    "currency, code, linked, pending, post_pending_transfer, void_pending_transfer, pending_id, "
                    "timeout_micros, rules_version, moved_debit_account_id, moved_credit_account_id, "
                    "moved_currency, moved_code, moved_amount, applied_at, expires_at, state, batch_sequence) "
                    "SELECT t.id, t.debit, t.credit, t.amount, t.currency, t.code, t.linked, t.pending, t.post, "
                    "t.void, t.pending_id, t.timeout, t.rules_version, t.moved_debit, t.moved_credit, "
                    "t.moved_currency, t.moved_code, t.moved_amount, ",
                    SqlTimestampOf("t.applied"), ", ", SqlTimestampOf("t.expires"),
                    ", t.state, $22::bigint FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], "
                    "$5::text[], $6::smallint[], $7::boolean[], $8::boolean[], $9::boolean[], $10::boolean[], "
                    "$11::text[], $12::bigint[], $13::integer[], $14::text[], $15::text[], $16::text[], "
                    "$17::smallint[], $18::bigint[], $19::bigint[], $20::bigint[], $21::smallint[]) AS t(id, "
                    "debit, credit, amount, currency, code, linked, pending, post, void, pending_id, timeout, "
                    "rules_version, moved_debit, moved_credit, moved_currency, moved_code, moved_amount, applied, "
                    "expires, state)")},
      {kResolvePending,
       "UPDATE tipping.transfers t SET state = u.state FROM unnest($1::text[], $2::smallint[]) AS u(transfer_id, "
       "state) WHERE t.transfer_id = u.transfer_id"},
      {kInsertEntries,
       absl::StrCat("INSERT INTO tipping.entries (account_id, sequence, transfer_id, code, amount, balance_after, "
                    "counterparty_account_id, booked_at) SELECT e.account_id, e.sequence, e.transfer_id, e.code, "
                    "e.amount, e.balance_after, e.counterparty, ",
                    SqlTimestampOf("e.booked"),
                    " FROM unnest($1::text[], $2::bigint[], $3::text[], $4::smallint[], $5::bigint[], "
                    "$6::bigint[], $7::text[], $8::bigint[]) AS e(account_id, sequence, transfer_id, code, amount, "
                    "balance_after, counterparty, booked)")},
      // The legs regroup by tip position in leg order; a tip stored
      // already (a replayed request) is left as it is.
      {kInsertTips,
       absl::StrCat("INSERT INTO tipping.tips (tip_id, sender_id, clip_id, amount, currency, message, "
                    "rules_version, leg_kinds, leg_user_ids, leg_clip_ids, leg_depths, leg_amounts, "
                    "leg_account_ids, created_at) SELECT t.tip_id, t.sender_id, t.clip_id, t.amount, t.currency, "
                    "t.message, t.rules_version, coalesce(l.kinds, '{}'), coalesce(l.user_ids, '{}'), "
                    "coalesce(l.clip_ids, '{}'), coalesce(l.depths, '{}'), coalesce(l.amounts, '{}'), "
                    "coalesce(l.account_ids, '{}'), ",
                    SqlTimestampOf("t.created"),
                    " FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::bigint[], $5::text[], $6::text[], "
                    "$7::integer[], $8::bigint[]) WITH ORDINALITY AS t(tip_id, sender_id, clip_id, amount, "
                    "currency, message, rules_version, created, n) LEFT JOIN (SELECT g.tip, array_agg(g.kind "
                    "ORDER BY g.i) AS kinds, array_agg(g.user_id ORDER BY g.i) AS user_ids, array_agg(g.clip_id "
                    "ORDER BY g.i) AS clip_ids, array_agg(g.depth ORDER BY g.i) AS depths, array_agg(g.amount ORDER "
                    "BY g.i) AS amounts, array_agg(g.account_id ORDER BY g.i) AS account_ids FROM unnest("
                    "$9::bigint[], $10::smallint[], $11::text[], $12::text[], $13::integer[], $14::bigint[], "
                    "$15::text[]) WITH ORDINALITY AS g(tip, kind, user_id, clip_id, depth, amount, account_id, i) "
                    "GROUP BY g.tip) l ON l.tip = t.n ON CONFLICT (tip_id) DO NOTHING")},
      // The top-up this batch credits: its row says so, over the pending row
      // written before the provider was asked, or over a failed one that a
      // racing call with the same id recorded (the money is what counts).
      {kInsertTopUps,
       absl::StrCat("INSERT INTO tipping.top_ups (top_up_id, user_id, amount, currency, refunded, status, provider, "
                    "provider_reference, failure_reason, created_at, updated_at) SELECT u.top_up_id, u.user_id, "
                    "u.amount, u.currency, u.refunded, u.status, u.provider, u.provider_reference, "
                    "u.failure_reason, ",
                    SqlTimestampOf("u.created"), ", ", SqlTimestampOf("u.updated"),
                    " FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::text[], $5::bigint[], "
                    "$6::smallint[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::bigint[]) AS "
                    "u(top_up_id, user_id, amount, currency, refunded, status, provider, provider_reference, "
                    "failure_reason, created, updated) ON CONFLICT (top_up_id) DO UPDATE SET status = "
                    "EXCLUDED.status, provider_reference = EXCLUDED.provider_reference, failure_reason = '', "
                    "updated_at = EXCLUDED.updated_at WHERE tipping.top_ups.status IN (1, 3)")},
      // Several refunds of one top-up in a batch add up (an UPDATE ... FROM
      // would apply only one of them). Status 4 partially refunded, 5
      // refunded.
      {kRefundTopUps,
       absl::StrCat("UPDATE tipping.top_ups t SET refunded = t.refunded + r.amount, status = CASE WHEN t.refunded "
                    "+ r.amount >= t.amount THEN 5 ELSE 4 END, updated_at = ",
                    SqlTimestampOf("r.at"),
                    " FROM (SELECT id, sum(amount)::bigint AS amount, max(at) AS at FROM unnest($1::uuid[], "
                    "$2::bigint[], $3::bigint[]) AS x(id, amount, at) GROUP BY id) r WHERE t.top_up_id = r.id")},
      {kStoredTransferAmount, "SELECT amount FROM tipping.transfers WHERE transfer_id = $1"},
      // Succeeded, partially refunded or refunded: money that arrived. The
      // index on top_ups' user serves it.
      {kFirstTopUpTime, absl::StrCat("SELECT ", kit::SqlMicros("min(created_at)"),
                                     " FROM tipping.top_ups WHERE user_id = $1::uuid AND status IN (2, 4, 5)")},
      {kBatchCommitted,
       "SELECT EXISTS (SELECT 1 FROM tipping.batches WHERE sequence = $1::bigint AND hash = decode($2, 'hex'))"},
      {kAllAccounts, absl::StrCat("SELECT ", kAccountColumns, " FROM tipping.accounts a")},
      {kAllTransfers, absl::StrCat("SELECT ", kTransferColumns, " FROM tipping.transfers t")},
      {kLastBatch, "SELECT sequence, encode(hash, 'hex') FROM tipping.batches ORDER BY sequence DESC LIMIT 1"},
      // One backward index probe per account rather than a scan of every
      // entry ever booked.
      {kLastEntrySequences,
       "SELECT a.account_id, s.last FROM tipping.accounts a CROSS JOIN LATERAL (SELECT max(e.sequence) AS last "
       "FROM tipping.entries e WHERE e.account_id = a.account_id) s WHERE s.last IS NOT NULL"},
      // Author and parent are set once (a removal may have recorded the
      // clip without them); a removal is never undone.
      {kPutClip,
       "INSERT INTO tipping.clips AS c (clip_id, author_id, parent_clip_id, tippable, removed) VALUES ($1::uuid, "
       "nullif($2, '')::uuid, nullif($3, '')::uuid, $4::boolean, $5::boolean) ON CONFLICT (clip_id) DO UPDATE SET "
       "author_id = coalesce(c.author_id, EXCLUDED.author_id), parent_clip_id = coalesce(c.parent_clip_id, "
       "EXCLUDED.parent_clip_id), removed = c.removed OR EXCLUDED.removed"},
      {kRemoveClip,
       "INSERT INTO tipping.clips (clip_id, removed) VALUES ($1::uuid, true) ON CONFLICT (clip_id) DO UPDATE SET "
       "removed = true"},
      // Recorded for a clip not seen yet too: a moderation removal that
      // overtakes the publish event must not be undone by it.
      {kSetClipTippable,
       "INSERT INTO tipping.clips (clip_id, tippable, removed) VALUES ($1::uuid, $2::boolean, false) "
       "ON CONFLICT (clip_id) DO UPDATE SET tippable = EXCLUDED.tippable"},
      {kMarkUserGone, "INSERT INTO tipping.gone_users (user_id) VALUES ($1::uuid) ON CONFLICT DO NOTHING"},
      {kGetClip,
       "SELECT clip_id::text, coalesce(author_id::text, ''), coalesce(parent_clip_id::text, ''), tippable, removed "
       "FROM tipping.clips WHERE clip_id = $1::uuid"},
      // Walks up from the clip's parent while the directory knows the
      // ancestor, at most $2 deep (which also ends a cycle). An ancestor
      // earns when it is not removed and its author is known and not gone.
      {kLineage,
       "WITH RECURSIVE up(clip_id, depth) AS (SELECT c.parent_clip_id, 1 FROM tipping.clips c WHERE c.clip_id = "
       "$1::uuid AND c.parent_clip_id IS NOT NULL AND $2::integer >= 1 UNION ALL SELECT c.parent_clip_id, "
       "up.depth + 1 FROM up JOIN tipping.clips c ON c.clip_id = up.clip_id WHERE c.parent_clip_id IS NOT NULL "
       "AND up.depth < $2::integer) SELECT c.clip_id::text, coalesce(c.author_id::text, ''), NOT c.removed AND "
       "c.author_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tipping.gone_users g WHERE g.user_id = "
       "c.author_id) FROM up JOIN tipping.clips c ON c.clip_id = up.clip_id ORDER BY up.depth"},
      {kUserGone, "SELECT EXISTS (SELECT 1 FROM tipping.gone_users WHERE user_id = $1::uuid)"},
      {kGetTip, kTipQuery},
      {kGetTopUp, absl::StrCat("SELECT ", kTopUpColumns, " FROM tipping.top_ups u WHERE u.top_up_id = $1::uuid")},
      {kRecordTopUp,
       absl::StrCat("INSERT INTO tipping.top_ups (top_up_id, user_id, amount, currency, refunded, status, provider, "
                    "provider_reference, failure_reason, created_at, updated_at) VALUES ($1::uuid, $2::uuid, "
                    "$3::bigint, $4, $5::bigint, $6::smallint, $7, $8, $9, ",
                    SqlTimestampParam(10), ", ", SqlTimestampParam(11),
                    ") ON CONFLICT (top_up_id) DO UPDATE SET status = EXCLUDED.status, provider_reference = "
                    "EXCLUDED.provider_reference, failure_reason = EXCLUDED.failure_reason, updated_at = "
                    "EXCLUDED.updated_at WHERE tipping.top_ups.status = 1")},
      // In the order asked.
      {kGetAccounts,
       absl::StrCat("SELECT ", kAccountColumns,
                    " FROM tipping.accounts a WHERE a.account_id = ANY($1::text[]) ORDER BY "
                    "array_position($1::text[], a.account_id)")},
      {kBalanceAsOf,
       absl::StrCat("SELECT e.balance_after FROM tipping.entries e WHERE e.account_id = $1 AND e.booked_at <= ",
                    SqlTimestampParam(2), " ORDER BY e.booked_at DESC, e.sequence DESC LIMIT 1")},
      {kListEntries,
       absl::StrCat("SELECT ", kEntryColumns, " FROM tipping.entries e WHERE e.account_id = $1 AND e.booked_at >= ",
                    SqlTimestampParam(2), " AND e.booked_at < ", SqlTimestampParam(3),
                    " AND e.sequence > $4::bigint ORDER BY e.sequence LIMIT $5::integer")},
  };
  // The audit (AuditLedger): each statement scans whole tables; the failing
  // rows come ordered by id, at most the samples asked, each with the number
  // of all failing rows (count(*) OVER () is taken before the LIMIT).
  statements.push_back(
      {kAuditCounts,
       "SELECT (SELECT count(*) FROM tipping.accounts), (SELECT count(*) FROM tipping.transfers), (SELECT count(*) "
       "FROM tipping.entries), (SELECT count(*) FROM tipping.batches), (SELECT count(*) FROM tipping.tips)"});
  statements.push_back(
      {kAuditTotals,
       absl::StrCat("SELECT currency, ", AuditClampedBigint("sum(credits_posted::numeric) - sum(debits_posted)"), ", ",
                    AuditClampedBigint("sum(credits_pending::numeric) - sum(debits_pending)"),
                    " FROM tipping.accounts GROUP BY currency ORDER BY currency")});
  // The CHECK constraints of 0028 should make this empty; it looks anyway
  // (a constraint can be dropped or not validated).
  statements.push_back(
      {kAuditLimits,
       "SELECT a.account_id, a.debits_must_not_exceed_credits, a.debits_pending, a.debits_posted, "
       "a.credits_pending, a.credits_posted, count(*) OVER () FROM tipping.accounts a WHERE "
       "(a.debits_must_not_exceed_credits AND a.debits_pending::numeric + a.debits_posted > a.credits_posted) OR "
       "(a.credits_must_not_exceed_debits AND a.credits_pending::numeric + a.credits_posted > a.debits_posted) "
       "ORDER BY a.account_id LIMIT $1::integer"});
  // As ledger/ledger_invariants.h recomputes them: a hold still pending
  // ($2) adds to the pending counters; a single-phase transfer or a post
  // (not pending, $1) that is not a void adds to the posted ones.
  statements.push_back(
      {kAuditCounters,
       absl::StrCat(
           "WITH sides AS (SELECT t.moved_debit_account_id AS account_id, CASE WHEN t.state = $2::smallint THEN "
           "t.moved_amount ELSE 0 END AS debits_pending, CASE WHEN t.state = $1::smallint AND NOT "
           "t.void_pending_transfer THEN t.moved_amount ELSE 0 END AS debits_posted, 0::bigint AS credits_pending, "
           "0::bigint AS credits_posted FROM tipping.transfers t UNION ALL SELECT t.moved_credit_account_id, 0, 0, "
           "CASE WHEN t.state = $2::smallint THEN t.moved_amount ELSE 0 END, CASE WHEN t.state = $1::smallint AND "
           "NOT t.void_pending_transfer THEN t.moved_amount ELSE 0 END FROM tipping.transfers t), sums AS (SELECT "
           "account_id, sum(debits_pending) AS dp, sum(debits_posted) AS dpo, sum(credits_pending) AS cp, "
           "sum(credits_posted) AS cpo FROM sides GROUP BY account_id) SELECT coalesce(a.account_id, s.account_id), "
           "a.account_id IS NOT NULL, coalesce(a.debits_pending, 0), coalesce(a.debits_posted, 0), "
           "coalesce(a.credits_pending, 0), coalesce(a.credits_posted, 0), ",
           AuditClampedBigint("coalesce(s.dp, 0)"), ", ", AuditClampedBigint("coalesce(s.dpo, 0)"), ", ",
           AuditClampedBigint("coalesce(s.cp, 0)"), ", ", AuditClampedBigint("coalesce(s.cpo, 0)"),
           ", count(*) OVER () FROM tipping.accounts a FULL JOIN sums s ON s.account_id = a.account_id WHERE "
           "a.account_id IS NULL OR a.debits_pending <> coalesce(s.dp, 0) OR a.debits_posted <> coalesce(s.dpo, 0) "
           "OR a.credits_pending <> coalesce(s.cp, 0) OR a.credits_posted <> coalesce(s.cpo, 0) ORDER BY 1 LIMIT "
           "$3::integer")});
  // The writer books one entry per side of every transfer that posted an
  // amount (single-phase transfers and posts): in the entry's account's
  // normal direction, so the debit side moves its account's raw
  // credits-minus-debits by -amount and the credit side by +amount.
  const std::string raw_change =
      "CASE WHEN a.kind = ANY($1::smallint[]) THEN -e.amount ELSE e.amount END";
  statements.push_back(
      {kAuditUnbalanced,
       absl::StrCat(
           "WITH posted AS (SELECT t.transfer_id, t.moved_debit_account_id, t.moved_credit_account_id, "
           "t.moved_amount FROM tipping.transfers t WHERE NOT t.pending AND NOT t.void_pending_transfer AND "
           "t.moved_amount > 0), sides AS (SELECT e.transfer_id, count(*) AS n, bool_or(e.account_id = "
           "p.moved_debit_account_id AND ",
           raw_change, " = -p.moved_amount) AS debit_ok, bool_or(e.account_id = p.moved_credit_account_id AND ",
           raw_change,
           " = p.moved_amount) AS credit_ok FROM tipping.entries e LEFT JOIN tipping.accounts a ON a.account_id = "
           "e.account_id LEFT JOIN posted p ON p.transfer_id = e.transfer_id GROUP BY e.transfer_id) SELECT "
           "coalesce(p.transfer_id, s.transfer_id), p.transfer_id IS NOT NULL, coalesce(s.n, 0), "
           "coalesce(p.moved_amount, 0), count(*) OVER () FROM posted p FULL JOIN sides s ON s.transfer_id = "
           "p.transfer_id WHERE p.transfer_id IS NULL OR s.transfer_id IS NULL OR s.n <> 2 OR NOT s.debit_ok OR "
           "NOT s.credit_ok ORDER BY 1 LIMIT $2::integer")});
  statements.push_back(
      {kAuditBalances,
       absl::StrCat(
           "WITH sums AS (SELECT account_id, count(*) AS n, sum(amount) AS total, max(sequence) AS last FROM "
           "tipping.entries GROUP BY account_id), checked AS (SELECT coalesce(a.account_id, s.account_id) AS "
           "account_id, a.account_id IS NOT NULL AS stored, coalesce(",
           kAuditPostedBalance,
           ", 0) AS posted, coalesce(s.total, 0) AS total, coalesce(s.n, 0) AS n, coalesce(s.last, 0) AS last, "
           "coalesce(l.balance_after, 0) AS balance_after FROM tipping.accounts a FULL JOIN sums s ON s.account_id = "
           "a.account_id LEFT JOIN tipping.entries l ON l.account_id = s.account_id AND l.sequence = s.last) SELECT "
           "account_id, stored, ",
           AuditClampedBigint("posted"), ", ", AuditClampedBigint("total"),
           ", n, last, balance_after, count(*) OVER () FROM checked WHERE NOT stored OR total <> posted OR n <> last "
           "OR balance_after <> posted ORDER BY account_id LIMIT $2::integer")});
  // Links only: a batch's hash is not recomputed from its rows, which keep
  // neither a transfer's state as its batch inserted it nor which batch
  // resolved a hold (both are in the hash, ledger_batch_hash.h).
  statements.push_back(
      {kAuditChain,
       "SELECT b.sequence, coalesce(b.previous_sequence, 0), count(*) OVER () FROM (SELECT sequence, previous_hash, "
       "lag(sequence) OVER w AS previous_sequence, lag(hash) OVER w AS previous_batch_hash FROM tipping.batches "
       "WINDOW w AS (ORDER BY sequence)) b WHERE CASE WHEN b.previous_sequence IS NULL THEN b.sequence <> 1 OR "
       "length(b.previous_hash) <> 0 ELSE b.previous_sequence <> b.sequence - 1 OR b.previous_hash <> "
       "b.previous_batch_hash END ORDER BY b.sequence LIMIT $1::integer"});
  // Leg i's transfer is "<tip id>/<i>" (ledger/tip_transfers.h), posted
  // ($2: not pending) from the sender's wallet ($1 is the wallet kind's
  // name: "<kind>:<owner>:<currency>") to the leg's account. One index probe
  // per leg.
  statements.push_back(
      {kAuditTips,
       "SELECT t.tip_id::text, cardinality(t.leg_amounts) > 0 AND s.total = t.amount, bad.leg, count(*) OVER () "
       "FROM tipping.tips t CROSS JOIN LATERAL (SELECT coalesce(sum(x), 0) AS total FROM unnest(t.leg_amounts) AS "
       "x) s CROSS JOIN LATERAL (SELECT min(l.i) - 1 AS leg FROM unnest(t.leg_account_ids, t.leg_amounts) WITH "
       "ORDINALITY AS l(account_id, amount, i) LEFT JOIN tipping.transfers x ON x.transfer_id = t.tip_id::text || "
       "'/' || (l.i - 1)::text WHERE x.transfer_id IS NULL OR x.pending OR x.void_pending_transfer OR x.state <> "
       "$2::smallint OR x.moved_amount <> l.amount OR x.moved_credit_account_id <> l.account_id OR "
       "x.moved_debit_account_id <> $1::text || ':' || t.sender_id::text || ':' || t.currency) bad WHERE "
       "cardinality(t.leg_amounts) = 0 OR s.total <> t.amount OR bad.leg IS NOT NULL ORDER BY t.tip_id LIMIT "
       "$3::integer"});
  statements.push_back(kit::OutboxWriter::Statement());
  statements.push_back(kit::OutboxWriter::BatchStatement());
  return statements;
}

// --- LedgerStore ---

absl::StatusOr<int64_t> PgTippingStore::TakeFence(absl::string_view shard) {
  int64_t epoch = 0;
  // Autocommit: the bump must be visible (and the row lock released) as
  // soon as it returns. Run again after a broken connection it may bump
  // twice, which is as good: a newer epoch fences the same writers.
  CF_RETURN_IF_ERROR(kit::RunAutocommit(pool_, [&](pqxx::transaction_base& txn) {
    epoch = txn.exec_prepared1(kTakeFence, std::string(shard))[0].as<int64_t>();
    return absl::OkStatus();
  }));
  return epoch;
}

absl::StatusOr<int64_t> PgTippingStore::RetakeFence(absl::string_view shard, int64_t held_epoch) {
  std::optional<int64_t> epoch;
  // One attempt, never re-run: a re-run after a bump that committed would
  // find the epoch moved and take it for another writer's. An in-doubt
  // answer (UNKNOWN) is an error the writer retries, and a bump it made
  // then reads as fenced: it stops, the safe side.
  const absl::Status bumped =
      kit::RunInTransaction(pool_, kit::TxnOptions{.max_attempts = 1}, [&](pqxx::work& txn) -> absl::Status {
        const pqxx::result rows = txn.exec_prepared(kRetakeFence, std::string(shard), held_epoch);
        epoch.reset();
        if (!rows.empty()) epoch = rows[0][0].as<int64_t>();
        return absl::OkStatus();
      });
  if (!bumped.ok()) return bumped;
  if (!epoch.has_value()) return Fenced(shard, held_epoch);
  return *epoch;
}

absl::StatusOr<StoredLedger> PgTippingStore::LoadLedger() {
  StoredLedger stored;
  // One snapshot for all four reads, so that accounts, transfers, the last
  // batch and the entry sequences agree.
  const kit::TxnOptions options{.isolation = kit::Isolation::kRepeatableRead, .read_only = true};
  CF_RETURN_IF_ERROR(kit::RunInTransaction(pool_, options, [&](pqxx::work& txn) {
    // The whole ledger may take longer than the pool's per-statement limit,
    // which is sized for requests.
    txn.exec("SET LOCAL statement_timeout = '10min'");
    stored = StoredLedger{};
    stored.accounts = AllAccounts(txn);
    stored.transfers = AllTransfers(txn);
    LoadLastBatch(txn, stored);
    stored.last_entry_sequences = LastEntrySequences(txn);
    return absl::OkStatus();
  }));
  return stored;
}

absl::Status PgTippingStore::CommitBatch(absl::string_view shard, const LedgerBatch& batch) {
  CF_RETURN_IF_ERROR(CheckBatchIds(batch));
  const std::string shard_name(shard);
  // Retried only when it failed before COMMIT (a conflict, a connection
  // that broke mid-transaction): nothing of that attempt was written, and
  // the work checks the fence again and writes every row again. An
  // in-doubt COMMIT is UNKNOWN and never retried (pg_transaction.h).
  const kit::TxnOptions options{.max_attempts = 3};
  return kit::RunInTransaction(pool_, options, [&](pqxx::work& txn) -> absl::Status {
    CF_RETURN_IF_ERROR(HoldFence(txn, shard_name, batch.epoch));
    InsertBatchRow(txn, batch);
    InsertAccounts(txn, batch.opened_accounts);
    CF_RETURN_IF_ERROR(UpdateAccounts(txn, batch.changed_accounts));
    InsertTransfers(txn, batch.transfers, batch.sequence);
    CF_RETURN_IF_ERROR(ResolvePending(txn, batch.resolved_pending));
    InsertEntries(txn, batch.entries);
    InsertTips(txn, batch.tips);
    InsertTopUps(txn, batch.top_ups);
    CF_RETURN_IF_ERROR(RefundTopUps(txn, batch.top_up_refunds));
    return kit::OutboxWriter::AppendAll(txn, batch.events);
  });
}

absl::StatusOr<bool> PgTippingStore::BatchCommitted(int64_t sequence, absl::string_view hash) {
  bool committed = false;
  CF_RETURN_IF_ERROR(kit::RunAutocommit(pool_, [&](pqxx::transaction_base& txn) {
    committed = txn.exec_prepared1(kBatchCommitted, sequence, Hex(hash))[0].as<bool>();
    return absl::OkStatus();
  }));
  return committed;
}

// --- TippingStore: the clip directory ---

absl::Status PgTippingStore::PutClip(const ClipRecord& clip) {
  CF_RETURN_IF_ERROR(RequireUuid("clip_id", clip.clip_id));
  if (!IsUuidOrEmpty(clip.author_id) || !IsUuidOrEmpty(clip.parent_clip_id)) {
    return absl::InvalidArgumentError("tipping store: author_id and parent_clip_id must be empty or UUIDs");
  }
  return kit::RunAutocommit(pool_, [&](pqxx::transaction_base& txn) {
    txn.exec_prepared(kPutClip, clip.clip_id, clip.author_id, clip.parent_clip_id, clip.tippable, clip.removed);
    return absl::OkStatus();
  });
}

absl::Status PgTippingStore::RemoveClip(absl::string_view clip_id) {
  CF_RETURN_IF_ERROR(RequireUuid("clip_id", clip_id));
  return kit::RunAutocommit(pool_, [&](pqxx::transaction_base& txn) {
    txn.exec_prepared(kRemoveClip, std::string(clip_id));
    return absl::OkStatus();
  });
}

absl::Status PgTippingStore::SetClipTippable(absl::string_view clip_id, bool tippable) {
  CF_RETURN_IF_ERROR(RequireUuid("clip_id", clip_id));
  return kit::RunAutocommit(pool_, [&](pqxx::transaction_base& txn) {
    txn.exec_prepared(kSetClipTippable, std::string(clip_id), tippable);
    return absl::OkStatus();
  });
}

absl::Status PgTippingStore::MarkUserGone(absl::string_view user_id) {
  CF_RETURN_IF_ERROR(RequireUuid("user_id", user_id));
  return kit::RunAutocommit(pool_, [&](pqxx::transaction_base& txn) {
    txn.exec_prepared(kMarkUserGone, std::string(user_id));
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<ClipRecord>> PgTippingStore::GetClip(absl::string_view clip_id) {
  std::optional<ClipRecord> clip;
  if (!IsUuid(clip_id)) return clip;
  CF_RETURN_IF_ERROR(kit::RunAutocommit(pool_, [&](pqxx::transaction_base& txn) {
    const pqxx::result r = txn.exec_prepared(kGetClip, std::string(clip_id));
    clip = r.empty() ? std::nullopt : std::optional<ClipRecord>(ClipFromRow(r[0]));
    return absl::OkStatus();
  }));
  return clip;
}

absl::StatusOr<std::vector<ledger::TipAncestor>> PgTippingStore::Lineage(absl::string_view clip_id,
                                                                         int max_depth) {
  std::vector<ledger::TipAncestor> lineage;
  if (!IsUuid(clip_id) || max_depth <= 0) return lineage;
  CF_RETURN_IF_ERROR(kit::RunAutocommit(pool_, [&](pqxx::transaction_base& txn) {
    lineage.clear();
    for (const pqxx::row& r : txn.exec_prepared(kLineage, std::string(clip_id), max_depth)) {
      lineage.push_back(ledger::TipAncestor{
          .clip_id = r[0].as<std::string>(), .author_id = r[1].as<std::string>(), .eligible = r[2].as<bool>()});
    }
    return absl::OkStatus();
  }));
  return lineage;
}

absl::StatusOr<bool> PgTippingStore::UserGone(absl::string_view user_id) {
  bool gone = false;
  if (!IsUuid(user_id)) return gone;
  CF_RETURN_IF_ERROR(kit::RunAutocommit(pool_, [&](pqxx::transaction_base& txn) {
    gone = txn.exec_prepared1(kUserGone, std::string(user_id))[0].as<bool>();
    return absl::OkStatus();
  }));
  return gone;
}

// --- TippingStore: committed ledger rows ---

absl::StatusOr<std::optional<TipRecord>> PgTippingStore::GetTip(absl::string_view tip_id) {
  std::optional<TipRecord> tip;
  if (!IsUuid(tip_id)) return tip;
  CF_RETURN_IF_ERROR(kit::RunAutocommit(pool_, [&](pqxx::transaction_base& txn) {
    const pqxx::result rows = txn.exec_prepared(kGetTip, std::string(tip_id));
    tip = rows.empty() ? std::nullopt : std::optional<TipRecord>(TipFromRows(rows));
    return absl::OkStatus();
  }));
  return tip;
}

absl::StatusOr<std::optional<absl::Time>> PgTippingStore::FirstTopUpTime(absl::string_view user_id) {
  std::optional<absl::Time> first;
  if (!base::IsCanonicalUuid(user_id)) return first;
  CF_RETURN_IF_ERROR(kit::RunAutocommit(pool_, [&](pqxx::transaction_base& txn) {
    const pqxx::row row = txn.exec_prepared1(kFirstTopUpTime, std::string(user_id));
    first.reset();
    if (!row[0].is_null()) first = kit::TimeFromMicros(row[0]);
    return absl::OkStatus();
  }));
  return first;
}

absl::StatusOr<std::optional<ledger::Micros>> PgTippingStore::StoredTransferAmount(absl::string_view transfer_id) {
  std::optional<ledger::Micros> amount;
  CF_RETURN_IF_ERROR(kit::RunAutocommit(pool_, [&](pqxx::transaction_base& txn) {
    const pqxx::result rows = txn.exec_prepared(kStoredTransferAmount, std::string(transfer_id));
    amount.reset();
    if (!rows.empty()) amount = rows[0][0].as<int64_t>();
    return absl::OkStatus();
  }));
  return amount;
}

absl::StatusOr<std::optional<TopUpRecord>> PgTippingStore::GetTopUp(absl::string_view top_up_id) {
  std::optional<TopUpRecord> top_up;
  if (!IsUuid(top_up_id)) return top_up;
  CF_RETURN_IF_ERROR(kit::RunAutocommit(pool_, [&](pqxx::transaction_base& txn) {
    const pqxx::result r = txn.exec_prepared(kGetTopUp, std::string(top_up_id));
    top_up = r.empty() ? std::nullopt : std::optional<TopUpRecord>(TopUpFromRow(r[0]));
    return absl::OkStatus();
  }));
  return top_up;
}

absl::Status PgTippingStore::RecordTopUp(const TopUpRecord& u) {
  CF_RETURN_IF_ERROR(RequireUuid("top_up_id", u.top_up_id));
  CF_RETURN_IF_ERROR(RequireUuid("user_id", u.user_id));
  return kit::RunAutocommit(pool_, [&](pqxx::transaction_base& txn) {
    txn.exec_prepared(kRecordTopUp, u.top_up_id, u.user_id, u.amount, std::string(u.currency.code()), u.refunded,
                      static_cast<int>(u.status), u.provider, u.provider_reference, u.failure_reason,
                      ToMicros(u.created_at), ToMicros(u.updated_at));
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<ledger::Account>> PgTippingStore::GetAccounts(const std::vector<std::string>& ids) {
  std::vector<ledger::Account> accounts;
  if (ids.empty()) return accounts;
  const std::string literal = TextsOf(ids, [](const std::string& id) { return absl::string_view(id); });
  CF_RETURN_IF_ERROR(kit::RunAutocommit(pool_, [&](pqxx::transaction_base& txn) {
    accounts.clear();
    for (const pqxx::row& r : txn.exec_prepared(kGetAccounts, literal)) accounts.push_back(AccountFromRow(r));
    return absl::OkStatus();
  }));
  return accounts;
}

absl::StatusOr<ledger::Micros> PgTippingStore::BalanceAsOf(absl::string_view account_id, absl::Time as_of) {
  ledger::Micros balance = 0;
  CF_RETURN_IF_ERROR(kit::RunAutocommit(pool_, [&](pqxx::transaction_base& txn) {
    const pqxx::result r = txn.exec_prepared(kBalanceAsOf, std::string(account_id), BoundMicros(as_of));
    balance = r.empty() ? 0 : r[0][0].as<int64_t>();
    return absl::OkStatus();
  }));
  return balance;
}

absl::StatusOr<std::vector<EntryRecord>> PgTippingStore::ListEntries(absl::string_view account_id, absl::Time start,
                                                                     absl::Time end, int64_t after_sequence,
                                                                     int limit) {
  std::vector<EntryRecord> entries;
  if (limit <= 0) return entries;
  CF_RETURN_IF_ERROR(kit::RunAutocommit(pool_, [&](pqxx::transaction_base& txn) {
    entries.clear();
    for (const pqxx::row& r : txn.exec_prepared(kListEntries, std::string(account_id), BoundMicros(start),
                                                BoundMicros(end), after_sequence, limit)) {
      entries.push_back(EntryFromRow(r));
    }
    return absl::OkStatus();
  }));
  return entries;
}

// --- TippingStore: auditing ---

absl::StatusOr<LedgerAudit> PgTippingStore::AuditLedger(int max_samples) {
  LedgerAudit audit;
  const int samples = std::max(max_samples, 0);
  const std::string debit_normal = AuditDebitNormalKinds();
  const std::string wallet_kind(ledger::AccountKindName(ledger::AccountKind::kUserWallet));
  const int not_pending = static_cast<int>(ledger::PendingState::kNotPending);
  const int pending = static_cast<int>(ledger::PendingState::kPending);
  // One snapshot for every check, so that counters, transfers, entries and
  // batches agree as of one committed batch. Tried once: a check that timed
  // out would only time out again.
  const kit::TxnOptions options{.isolation = kit::Isolation::kRepeatableRead, .read_only = true, .max_attempts = 1};
  CF_RETURN_IF_ERROR(kit::RunInTransaction(pool_, options, [&](pqxx::work& txn) {
    // Full scans of every ledger table, several of them hash joins over all
    // transfers and entries: far past the pool's per-statement limit (sized
    // for requests) on a large ledger. Still bounded, so that a check cannot
    // hold its connection, and a snapshot that holds back vacuum on the
    // ledger's tables, for long.
    txn.exec("SET LOCAL statement_timeout = '5min'");
    audit = LedgerAudit{};
    const pqxx::row counts = txn.exec_prepared1(kAuditCounts);
    audit.accounts = counts[0].as<int64_t>();
    audit.transfers = counts[1].as<int64_t>();
    audit.entries = counts[2].as<int64_t>();
    audit.batches = counts[3].as<int64_t>();
    audit.tips = counts[4].as<int64_t>();
    for (const pqxx::row& r : txn.exec_prepared(kAuditTotals)) {
      audit.totals.push_back(
          {.currency = r[0].as<std::string>(), .posted = r[1].as<int64_t>(), .pending = r[2].as<int64_t>()});
    }
    audit.limit_breaches = AuditCheckOf(txn.exec_prepared(kAuditLimits, samples), 6, DescribeLimitBreach);
    audit.counter_mismatches = AuditCheckOf(txn.exec_prepared(kAuditCounters, not_pending, pending, samples), 10,
                                            DescribeCounterMismatch);
    audit.unbalanced_transfers =
        AuditCheckOf(txn.exec_prepared(kAuditUnbalanced, debit_normal, samples), 4, DescribeUnbalancedTransfer);
    audit.balance_mismatches =
        AuditCheckOf(txn.exec_prepared(kAuditBalances, debit_normal, samples), 7, DescribeBalanceMismatch);
    audit.chain_breaks = AuditCheckOf(txn.exec_prepared(kAuditChain, samples), 2, DescribeChainBreak);
    audit.incomplete_tips = AuditCheckOf(txn.exec_prepared(kAuditTips, wallet_kind, not_pending, samples), 3,
                                         DescribeIncompleteTip);
    return absl::OkStatus();
  }));
  return audit;
}

}  // namespace clipforge::tipping_service
