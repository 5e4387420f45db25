#include "ledger/ledger_book.h"

#include <algorithm>
#include <cstddef>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ledger/ledger_invariants.h"
#include "ledger/transfer_checks.h"

namespace clipforge::ledger {
namespace {

// The fields that make an account what it is; the counters are what
// happened to it since, and differ on every retry after the first transfer.
std::vector<std::string> DifferingAccountFields(const Account& a, const Account& b) {
  std::vector<std::string> fields;
  if (a.kind != b.kind) fields.emplace_back("kind");
  if (a.currency != b.currency) fields.emplace_back("currency");
  if (a.flags != b.flags) fields.emplace_back("flags");
  return fields;
}

// At most this many invariant violations are quoted when Restore refuses a
// stored ledger: enough to diagnose, short enough for a log line.
constexpr size_t kRestoreProblemsQuoted = 5;

}  // namespace

absl::StatusOr<LedgerBook> LedgerBook::Restore(std::vector<Account> accounts, std::vector<TransferRecord> transfers) {
  LedgerBook book;
  book.accounts_.reserve(accounts.size());
  for (Account& account : accounts) {
    if (account.id.empty()) return absl::InvalidArgumentError("restore: an account has no id");
    const std::string id = account.id;
    if (!book.accounts_.try_emplace(id, std::move(account)).second) {
      return absl::InvalidArgumentError(absl::StrCat("restore: account ", id, " is given twice"));
    }
  }
  book.transfers_.reserve(transfers.size());
  for (TransferRecord& record : transfers) {
    if (record.transfer.id.empty()) return absl::InvalidArgumentError("restore: a transfer has no id");
    const std::string id = record.transfer.id;
    const bool expires = record.state == PendingState::kPending && record.expires_at != absl::InfiniteFuture();
    const absl::Time expires_at = record.expires_at;
    if (!book.transfers_.try_emplace(id, std::move(record)).second) {
      return absl::InvalidArgumentError(absl::StrCat("restore: transfer ", id, " is given twice"));
    }
    if (expires) book.expiry_queue_.emplace(expires_at, id);
  }
  const std::vector<std::string> problems = book.CheckInvariants();
  if (!problems.empty()) {
    const size_t quoted = std::min(problems.size(), kRestoreProblemsQuoted);
    return absl::InvalidArgumentError(
        absl::StrCat("restore: the ledger's invariants do not hold (", problems.size(), " violations): ",
                     absl::StrJoin(problems.begin(), problems.begin() + static_cast<std::ptrdiff_t>(quoted), "; ")));
  }
  return book;
}

absl::Status LedgerBook::CreateAccount(const Account& account) {
  if (account.id.empty()) return absl::InvalidArgumentError("account.id: must not be empty");
  if (account.currency.empty()) return absl::InvalidArgumentError("account.currency: must be set");
  if (account.flags.debits_must_not_exceed_credits && account.flags.credits_must_not_exceed_debits) {
    return absl::InvalidArgumentError(
        "account.flags: debits_must_not_exceed_credits and credits_must_not_exceed_debits are mutually exclusive");
  }
  if (account.debits_pending != 0 || account.debits_posted != 0 || account.credits_pending != 0 ||
      account.credits_posted != 0) {
    return absl::InvalidArgumentError("account: a new account's counters must be zero; money enters by transfers");
  }
  const auto [it, inserted] = accounts_.try_emplace(account.id, account);
  if (inserted) return absl::OkStatus();
  const std::vector<std::string> differing = DifferingAccountFields(it->second, account);
  if (differing.empty()) return absl::OkStatus();
  return absl::AlreadyExistsError(
      absl::StrCat("account ", account.id, " exists with a different ", absl::StrJoin(differing, ", ")));
}

std::vector<TransferOutcome> LedgerBook::Apply(std::span<const Transfer> batch, absl::Time now) {
  std::vector<TransferOutcome> outcomes(batch.size());
  size_t chain_start = 0;
  while (chain_start < batch.size()) {
    size_t chain_end = chain_start;  // inclusive
    while (chain_end < batch.size() && batch[chain_end].flags.linked) ++chain_end;
    if (chain_end == batch.size()) {
      // Never closed: nothing of it is applied.
      for (size_t i = chain_start; i < batch.size(); ++i) outcomes[i].result = TransferResult::kLinkedEventFailed;
      outcomes.back().result = TransferResult::kLinkedEventChainOpen;
      break;
    }
    ChainUndo undo;
    size_t failed = chain_end + 1;
    for (size_t i = chain_start; i <= chain_end; ++i) {
      outcomes[i] = ApplyOne(batch[i], now, undo);
      if (!outcomes[i].ok() && outcomes[i].result != TransferResult::kExists) {
        failed = i;
        break;
      }
    }
    if (failed <= chain_end) {
      Undo(undo);
      for (size_t i = chain_start; i <= chain_end; ++i) {
        if (i != failed) outcomes[i] = TransferOutcome{TransferResult::kLinkedEventFailed, {}};
      }
    }
    chain_start = chain_end + 1;
  }
  return outcomes;
}

TransferOutcome LedgerBook::ApplyOne(const Transfer& transfer, absl::Time now, ChainUndo& undo) {
  if (transfer.id.empty()) return {TransferResult::kIdMustNotBeEmpty, {}};
  // Before the other checks, so that a reused id is always reported as
  // such (the API's REQUEST_ID_REUSED), whatever else is wrong with it.
  if (const TransferRecord* existing = FindTransfer(transfer.id); existing != nullptr) {
    std::vector<std::string> differing = DifferingTransferFields(existing->transfer, transfer);
    if (differing.empty()) return {TransferResult::kExists, {}};
    return {TransferResult::kExistsWithDifferentFields, std::move(differing)};
  }
  if (const TransferResult fields = CheckTransferFields(transfer); fields != TransferResult::kOk) {
    return {fields, {}};
  }
  const TransferResult result =
      ResolvesPendingTransfer(transfer) ? ApplyPendingResolution(transfer, now, undo) : ApplyNew(transfer, now, undo);
  return {result, {}};
}

TransferResult LedgerBook::ApplyNew(const Transfer& transfer, absl::Time now, ChainUndo& undo) {
  const TransferResult checked =
      CheckTransferAccounts(transfer, FindAccount(transfer.debit_account_id), FindAccount(transfer.credit_account_id));
  if (checked != TransferResult::kOk) return checked;
  const bool pending = transfer.flags.pending;
  absl::Time expires_at = absl::InfiniteFuture();
  if (pending && transfer.timeout > absl::ZeroDuration()) {
    expires_at = now + transfer.timeout;
    if (expires_at == absl::InfiniteFuture()) return TransferResult::kOverflowsTimeout;
  }

  Account& debit = TouchAccount(transfer.debit_account_id, undo);
  Account& credit = TouchAccount(transfer.credit_account_id, undo);
  (pending ? debit.debits_pending : debit.debits_posted) += transfer.amount;
  (pending ? credit.credits_pending : credit.credits_posted) += transfer.amount;

  TransferRecord record;
  record.transfer = transfer;
  record.debit_account_id = transfer.debit_account_id;
  record.credit_account_id = transfer.credit_account_id;
  record.currency = transfer.currency;
  record.code = transfer.code;
  record.amount = transfer.amount;
  record.applied_at = now;
  record.expires_at = expires_at;
  record.state = pending ? PendingState::kPending : PendingState::kNotPending;
  transfers_.emplace(transfer.id, std::move(record));
  undo.added_transfer_ids.push_back(transfer.id);
  if (expires_at != absl::InfiniteFuture()) expiry_queue_.emplace(expires_at, transfer.id);
  return TransferResult::kOk;
}

TransferResult LedgerBook::ApplyPendingResolution(const Transfer& transfer, absl::Time now, ChainUndo& undo) {
  auto held_it = transfers_.find(transfer.pending_id);
  TransferRecord* held = held_it == transfers_.end() ? nullptr : &held_it->second;
  const TransferResult checked = CheckPendingResolution(transfer, held, now);
  if (checked != TransferResult::kOk) return checked;

  const Micros posted = AmountToPost(transfer, *held);
  // The hold is released whole; what is posted comes out of it, so the
  // posted counters stay within pending + posted and cannot overflow.
  Account& debit = TouchAccount(held->debit_account_id, undo);
  Account& credit = TouchAccount(held->credit_account_id, undo);
  debit.debits_pending -= held->amount;
  credit.credits_pending -= held->amount;
  debit.debits_posted += posted;
  credit.credits_posted += posted;

  undo.states_before.emplace_back(transfer.pending_id, held->state);
  held->state = transfer.flags.post_pending_transfer ? PendingState::kPosted : PendingState::kVoided;
  if (held->expires_at != absl::InfiniteFuture()) expiry_queue_.erase({held->expires_at, transfer.pending_id});

  TransferRecord record;
  record.transfer = transfer;
  record.debit_account_id = held->debit_account_id;
  record.credit_account_id = held->credit_account_id;
  record.currency = held->currency;
  record.code = held->code;
  record.amount = transfer.flags.post_pending_transfer ? posted : held->amount;
  record.applied_at = now;
  // The insertion may move `held` (it points into transfers_): it is not
  // used after this.
  transfers_.emplace(transfer.id, std::move(record));
  undo.added_transfer_ids.push_back(transfer.id);
  return TransferResult::kOk;
}

Account& LedgerBook::TouchAccount(const std::string& id, ChainUndo& undo) {
  Account& account = accounts_.find(id)->second;
  const bool saved = std::any_of(undo.accounts_before.begin(), undo.accounts_before.end(),
                                 [&id](const Account& before) { return before.id == id; });
  if (!saved) undo.accounts_before.push_back(account);
  return account;
}

void LedgerBook::Undo(ChainUndo& undo) {
  // Holds first: one the chain both made and resolved comes back to life
  // here and is then removed with the chain's other transfers.
  for (auto it = undo.states_before.rbegin(); it != undo.states_before.rend(); ++it) {
    TransferRecord& held = transfers_.find(it->first)->second;
    held.state = it->second;
    if (held.state == PendingState::kPending && held.expires_at != absl::InfiniteFuture()) {
      expiry_queue_.emplace(held.expires_at, it->first);
    }
  }
  for (auto it = undo.added_transfer_ids.rbegin(); it != undo.added_transfer_ids.rend(); ++it) {
    auto record = transfers_.find(*it);
    if (record->second.expires_at != absl::InfiniteFuture()) expiry_queue_.erase({record->second.expires_at, *it});
    transfers_.erase(record);
  }
  for (Account& before : undo.accounts_before) accounts_.find(before.id)->second = std::move(before);
  undo = ChainUndo();
}

std::vector<std::string> LedgerBook::ExpirePending(absl::Time now) {
  std::vector<std::string> expired;
  while (!expiry_queue_.empty() && expiry_queue_.begin()->first <= now) {
    std::string id = expiry_queue_.begin()->second;
    expiry_queue_.erase(expiry_queue_.begin());
    TransferRecord& held = transfers_.find(id)->second;
    Account& debit = accounts_.find(held.debit_account_id)->second;
    Account& credit = accounts_.find(held.credit_account_id)->second;
    debit.debits_pending -= held.amount;
    credit.credits_pending -= held.amount;
    held.state = PendingState::kExpired;
    expired.push_back(std::move(id));
  }
  return expired;
}

std::vector<std::string> LedgerBook::CheckInvariants() const { return CheckLedgerInvariants(accounts_, transfers_); }

const Account* LedgerBook::FindAccount(absl::string_view id) const {
  const auto it = accounts_.find(id);
  return it == accounts_.end() ? nullptr : &it->second;
}

std::optional<absl::Time> LedgerBook::EarliestHoldExpiry(absl::string_view account_id) const {
  for (const auto& [expires_at, id] : expiry_queue_) {
    const auto it = transfers_.find(id);
    if (it != transfers_.end() && it->second.debit_account_id == account_id) return expires_at;
  }
  return std::nullopt;
}

const TransferRecord* LedgerBook::FindTransfer(absl::string_view id) const {
  const auto it = transfers_.find(id);
  return it == transfers_.end() ? nullptr : &it->second;
}

}  // namespace clipforge::ledger
