#include "tests/unit/tipping_service/fake_tipping_store.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ledger/tip_transfers.h"

namespace clipforge::tipping_service::testing {

absl::Status FakeTippingStore::PutClip(const ClipRecord& clip) {
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = clips_.try_emplace(clip.clip_id, clip);
  if (!inserted) {
    // Author and parent never change; a removal stays.
    it->second.author_id = clip.author_id;
    it->second.parent_clip_id = clip.parent_clip_id;
  }
  return absl::OkStatus();
}

absl::Status FakeTippingStore::RemoveClip(absl::string_view clip_id) {
  absl::MutexLock lock(&mu_);
  ClipRecord& clip = clips_[std::string(clip_id)];
  clip.clip_id = std::string(clip_id);
  clip.removed = true;
  return absl::OkStatus();
}

absl::Status FakeTippingStore::SetClipTippable(absl::string_view clip_id, bool tippable) {
  absl::MutexLock lock(&mu_);
  ClipRecord& clip = clips_[std::string(clip_id)];
  clip.clip_id = std::string(clip_id);
  clip.tippable = tippable;
  return absl::OkStatus();
}

absl::Status FakeTippingStore::MarkUserGone(absl::string_view user_id) {
  absl::MutexLock lock(&mu_);
  gone_users_.insert(std::string(user_id));
  return absl::OkStatus();
}

absl::StatusOr<std::optional<ClipRecord>> FakeTippingStore::GetClip(absl::string_view clip_id) {
  absl::MutexLock lock(&mu_);
  auto it = clips_.find(clip_id);
  if (it == clips_.end()) return std::optional<ClipRecord>();
  return std::optional<ClipRecord>(it->second);
}

absl::StatusOr<std::vector<ledger::TipAncestor>> FakeTippingStore::Lineage(absl::string_view clip_id,
                                                                           int max_depth) {
  absl::MutexLock lock(&mu_);
  std::vector<ledger::TipAncestor> lineage;
  auto it = clips_.find(clip_id);
  while (it != clips_.end() && static_cast<int>(lineage.size()) < max_depth && !it->second.parent_clip_id.empty()) {
    it = clips_.find(it->second.parent_clip_id);
    if (it == clips_.end()) break;
    const ClipRecord& parent = it->second;
    lineage.push_back({.clip_id = parent.clip_id,
                       .author_id = parent.author_id,
                       .eligible = !parent.removed && !gone_users_.contains(parent.author_id)});
  }
  return lineage;
}

absl::StatusOr<bool> FakeTippingStore::UserGone(absl::string_view user_id) {
  absl::MutexLock lock(&mu_);
  return gone_users_.contains(user_id);
}

absl::StatusOr<std::optional<TipRecord>> FakeTippingStore::GetTip(absl::string_view tip_id) {
  for (const LedgerBatch& batch : ledger_.batches()) {
    for (const TipRecord& tip : batch.tips) {
      if (tip.tip_id == tip_id) return std::optional<TipRecord>(tip);
    }
  }
  return std::optional<TipRecord>();
}

absl::StatusOr<std::optional<TopUpRecord>> FakeTippingStore::GetTopUp(absl::string_view top_up_id) {
  std::optional<TopUpRecord> found;
  for (const LedgerBatch& batch : ledger_.batches()) {
    for (TopUpRecord top_up : batch.top_ups) {
      top_up.client_secret.clear();  // never stored
      if (top_up.top_up_id == top_up_id && !found.has_value()) found = top_up;
    }
    // Refunds add up, as the store's UPDATE does.
    for (const TopUpRefund& refund : batch.top_up_refunds) {
      if (!found.has_value() || refund.top_up_id != top_up_id) continue;
      found->refunded += refund.amount;
      found->status = found->refunded >= found->amount ? TopUpStatus::kRefunded : TopUpStatus::kPartiallyRefunded;
      found->updated_at = refund.refunded_at;
    }
  }
  if (found.has_value()) return found;
  absl::MutexLock lock(&mu_);
  auto it = recorded_top_ups_.find(top_up_id);
  if (it == recorded_top_ups_.end()) return std::optional<TopUpRecord>();
  TopUpRecord top_up = it->second;
  top_up.client_secret.clear();
  return std::optional<TopUpRecord>(top_up);
}

absl::StatusOr<std::optional<absl::Time>> FakeTippingStore::FirstTopUpTime(absl::string_view user_id) {
  // Only top-ups that succeeded reach the batches.
  std::optional<absl::Time> first;
  for (const LedgerBatch& batch : ledger_.batches()) {
    for (const TopUpRecord& top_up : batch.top_ups) {
      if (top_up.user_id != user_id) continue;
      if (!first.has_value() || top_up.created_at < *first) first = top_up.created_at;
    }
  }
  return first;
}

absl::StatusOr<std::optional<ledger::Micros>> FakeTippingStore::StoredTransferAmount(absl::string_view transfer_id) {
  for (const LedgerBatch& batch : ledger_.batches()) {
    for (const ledger::TransferRecord& record : batch.transfers) {
      if (record.transfer.id == transfer_id) return std::optional<ledger::Micros>(record.transfer.amount);
    }
  }
  return std::optional<ledger::Micros>();
}

absl::Status FakeTippingStore::RecordTopUp(const TopUpRecord& top_up) {
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = recorded_top_ups_.try_emplace(top_up.top_up_id, top_up);
  if (!inserted && it->second.status == TopUpStatus::kPending) {
    it->second.status = top_up.status;
    it->second.provider_reference = top_up.provider_reference;
    it->second.failure_reason = top_up.failure_reason;
    it->second.updated_at = top_up.updated_at;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ledger::Account>> FakeTippingStore::GetAccounts(const std::vector<std::string>& ids) {
  std::map<std::string, ledger::Account> latest;
  for (const LedgerBatch& batch : ledger_.batches()) {
    for (const ledger::Account& account : batch.changed_accounts) latest[account.id] = account;
  }
  std::vector<ledger::Account> accounts;
  for (const std::string& id : ids) {
    if (auto it = latest.find(id); it != latest.end()) accounts.push_back(it->second);
  }
  return accounts;
}

std::vector<EntryRecord> FakeTippingStore::EntriesOf(absl::string_view account_id) const {
  std::vector<EntryRecord> entries;
  for (const LedgerBatch& batch : ledger_.batches()) {
    for (const EntryRecord& entry : batch.entries) {
      if (entry.account_id == account_id) entries.push_back(entry);
    }
  }
  std::sort(entries.begin(), entries.end(),
            [](const EntryRecord& a, const EntryRecord& b) { return a.sequence < b.sequence; });
  return entries;
}

absl::StatusOr<ledger::Micros> FakeTippingStore::BalanceAsOf(absl::string_view account_id, absl::Time as_of) {
  ledger::Micros balance = 0;
  for (const EntryRecord& entry : EntriesOf(account_id)) {
    if (entry.booked_at <= as_of) balance = entry.balance_after;
  }
  return balance;
}

absl::StatusOr<std::vector<EntryRecord>> FakeTippingStore::ListEntries(absl::string_view account_id,
                                                                       absl::Time start, absl::Time end,
                                                                       int64_t after_sequence, int limit) {
  std::vector<EntryRecord> page;
  for (const EntryRecord& entry : EntriesOf(account_id)) {
    if (entry.booked_at < start || entry.booked_at >= end || entry.sequence <= after_sequence) continue;
    if (static_cast<int>(page.size()) == limit) break;
    page.push_back(entry);
  }
  return page;
}

void FakeTippingStore::TamperAccount(const std::string& id, std::function<void(ledger::Account&)> change) {
  absl::MutexLock lock(&mu_);
  account_tampers_.emplace_back(id, std::move(change));
}

void FakeTippingStore::TamperPreviousHash(int64_t sequence, std::string previous_hash) {
  absl::MutexLock lock(&mu_);
  previous_hash_tampers_[sequence] = std::move(previous_hash);
}

namespace {

void FakeAuditFail(LedgerAuditCheck& check, int max_samples, std::string sample) {
  ++check.failing;
  if (static_cast<int>(check.samples.size()) < max_samples) check.samples.push_back(std::move(sample));
}

ledger::Micros FakeAuditClamp(ledger::WideMicros value) {
  return static_cast<ledger::Micros>(
      std::clamp<ledger::WideMicros>(value, std::numeric_limits<ledger::Micros>::min(),
                                     std::numeric_limits<ledger::Micros>::max()));
}

}  // namespace

absl::StatusOr<LedgerAudit> FakeTippingStore::AuditLedger(int max_samples) {
  // The committed rows, as the Postgres store holds them.
  std::map<std::string, ledger::Account> accounts;
  std::map<std::string, ledger::TransferRecord> transfers;
  std::vector<EntryRecord> entries;
  std::vector<TipRecord> tips;
  std::vector<std::pair<int64_t, std::pair<std::string, std::string>>> chain;  // sequence, (previous, hash)
  for (const LedgerBatch& batch : ledger_.batches()) {
    for (const ledger::Account& account : batch.opened_accounts) accounts.try_emplace(account.id, account);
    for (const ledger::Account& account : batch.changed_accounts) accounts[account.id] = account;
    for (const ledger::TransferRecord& record : batch.transfers) transfers.try_emplace(record.transfer.id, record);
    for (const auto& [id, state] : batch.resolved_pending) {
      if (auto it = transfers.find(id); it != transfers.end()) it->second.state = state;
    }
    entries.insert(entries.end(), batch.entries.begin(), batch.entries.end());
    tips.insert(tips.end(), batch.tips.begin(), batch.tips.end());
    chain.push_back({batch.sequence, {batch.previous_hash, batch.hash}});
  }
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, change] : account_tampers_) {
      auto [it, inserted] = accounts.try_emplace(id);
      if (inserted) it->second.id = id;
      change(it->second);
    }
    for (auto& [sequence, hashes] : chain) {
      if (auto it = previous_hash_tampers_.find(sequence); it != previous_hash_tampers_.end()) {
        hashes.first = it->second;
      }
    }
  }

  LedgerAudit audit;
  audit.accounts = static_cast<int64_t>(accounts.size());
  audit.transfers = static_cast<int64_t>(transfers.size());
  audit.entries = static_cast<int64_t>(entries.size());
  audit.batches = static_cast<int64_t>(chain.size());
  audit.tips = static_cast<int64_t>(tips.size());

  struct Wide {
    ledger::WideMicros debits_pending = 0, debits_posted = 0, credits_pending = 0, credits_posted = 0;
  };
  std::map<std::string, Wide> totals;
  for (const auto& [id, a] : accounts) {
    Wide& t = totals[std::string(a.currency.code())];
    t.debits_pending += a.debits_pending;
    t.debits_posted += a.debits_posted;
    t.credits_pending += a.credits_pending;
    t.credits_posted += a.credits_posted;
    const ledger::WideMicros debits = static_cast<ledger::WideMicros>(a.debits_pending) + a.debits_posted;
    const ledger::WideMicros credits = static_cast<ledger::WideMicros>(a.credits_pending) + a.credits_posted;
    if ((a.flags.debits_must_not_exceed_credits && debits > a.credits_posted) ||
        (a.flags.credits_must_not_exceed_debits && credits > a.debits_posted)) {
      FakeAuditFail(audit.limit_breaches, max_samples, absl::StrCat("account ", id, ": past its balance limit"));
    }
  }
  for (const auto& [currency, t] : totals) {
    audit.totals.push_back({.currency = currency,
                            .posted = FakeAuditClamp(t.credits_posted - t.debits_posted),
                            .pending = FakeAuditClamp(t.credits_pending - t.debits_pending)});
  }

  // Counters from the transfers, as ledger/ledger_invariants.h recomputes
  // them.
  std::map<std::string, Wide> from_transfers;
  for (const auto& [id, r] : transfers) {
    Wide& debit = from_transfers[r.debit_account_id];
    Wide& credit = from_transfers[r.credit_account_id];
    if (r.state == ledger::PendingState::kPending) {
      debit.debits_pending += r.amount;
      credit.credits_pending += r.amount;
    } else if (r.state == ledger::PendingState::kNotPending && !r.transfer.flags.void_pending_transfer) {
      debit.debits_posted += r.amount;
      credit.credits_posted += r.amount;
    }
  }
  std::set<std::string> named;
  for (const auto& [id, sums] : from_transfers) named.insert(id);
  for (const auto& [id, a] : accounts) named.insert(id);
  for (const std::string& id : named) {
    const auto account = accounts.find(id);
    const auto sums = from_transfers.find(id);
    const Wide expected = sums == from_transfers.end() ? Wide() : sums->second;
    if (account == accounts.end()) {
      FakeAuditFail(audit.counter_mismatches, max_samples,
                    absl::StrCat("account ", id, ": named by transfers but not stored"));
    } else if (account->second.debits_pending != expected.debits_pending ||
               account->second.debits_posted != expected.debits_posted ||
               account->second.credits_pending != expected.credits_pending ||
               account->second.credits_posted != expected.credits_posted) {
      FakeAuditFail(audit.counter_mismatches, max_samples,
                    absl::StrCat("account ", id, ": counters differ from its transfers"));
    }
  }

  // Each posted transfer's entries: one debit and one credit of its amount.
  struct Sides {
    int count = 0;
    bool debit_ok = false;
    bool credit_ok = false;
  };
  std::map<std::string, Sides> sides;
  for (const EntryRecord& e : entries) {
    Sides& side = sides[e.transfer_id];
    ++side.count;
    const auto record = transfers.find(e.transfer_id);
    const auto account = accounts.find(e.account_id);
    if (record == transfers.end()) continue;
    const bool credit_normal = account == accounts.end() || ledger::IsCreditNormal(account->second.kind);
    const ledger::Micros raw = credit_normal ? e.amount : -e.amount;
    const ledger::TransferRecord& posted = record->second;
    side.debit_ok = side.debit_ok || (e.account_id == posted.debit_account_id && raw == -posted.amount);
    side.credit_ok = side.credit_ok || (e.account_id == posted.credit_account_id && raw == posted.amount);
  }
  std::set<std::string> transfer_ids;
  for (const auto& [id, side] : sides) transfer_ids.insert(id);
  for (const auto& [id, r] : transfers) transfer_ids.insert(id);
  for (const std::string& id : transfer_ids) {
    const auto record = transfers.find(id);
    const bool posted = record != transfers.end() && !record->second.transfer.flags.pending &&
                        !record->second.transfer.flags.void_pending_transfer && record->second.amount > 0;
    const auto side = sides.find(id);
    if (!posted && side == sides.end()) continue;
    if (!posted || side == sides.end() || side->second.count != 2 || !side->second.debit_ok ||
        !side->second.credit_ok) {
      FakeAuditFail(audit.unbalanced_transfers, max_samples,
                    absl::StrCat("transfer ", id, ": not one debit and one credit of what it posted"));
    }
  }

  // Entries against balances.
  struct Statement {
    ledger::WideMicros total = 0;
    int64_t count = 0;
    int64_t last = 0;
    ledger::Micros balance_after = 0;
  };
  std::map<std::string, Statement> statements;
  for (const EntryRecord& e : entries) {
    Statement& statement = statements[e.account_id];
    statement.total += e.amount;
    ++statement.count;
    if (e.sequence > statement.last) {
      statement.last = e.sequence;
      statement.balance_after = e.balance_after;
    }
  }
  std::set<std::string> balance_ids;
  for (const auto& [id, statement] : statements) balance_ids.insert(id);
  for (const auto& [id, a] : accounts) balance_ids.insert(id);
  for (const std::string& id : balance_ids) {
    const auto account = accounts.find(id);
    const auto found = statements.find(id);
    const Statement statement = found == statements.end() ? Statement() : found->second;
    if (account == accounts.end()) {
      FakeAuditFail(audit.balance_mismatches, max_samples,
                    absl::StrCat("account ", id, ": has entries but is not stored"));
      continue;
    }
    const ledger::WideMicros posted = ledger::IsCreditNormal(account->second.kind)
                                          ? static_cast<ledger::WideMicros>(account->second.credits_posted) -
                                                account->second.debits_posted
                                          : static_cast<ledger::WideMicros>(account->second.debits_posted) -
                                                account->second.credits_posted;
    if (statement.total != posted || statement.balance_after != posted || statement.count != statement.last) {
      FakeAuditFail(audit.balance_mismatches, max_samples,
                    absl::StrCat("account ", id, ": posted balance differs from its entries"));
    }
  }

  // The hash chain's links.
  std::sort(chain.begin(), chain.end());
  for (size_t i = 0; i < chain.size(); ++i) {
    const auto& [sequence, hashes] = chain[i];
    const bool links = i == 0 ? sequence == 1 && hashes.first.empty()
                              : chain[i - 1].first == sequence - 1 && hashes.first == chain[i - 1].second.second;
    if (!links) FakeAuditFail(audit.chain_breaks, max_samples, absl::StrCat("batch ", sequence, ": breaks the chain"));
  }

  // Every tip's legs booked.
  std::sort(tips.begin(), tips.end(), [](const TipRecord& a, const TipRecord& b) { return a.tip_id < b.tip_id; });
  for (const TipRecord& tip : tips) {
    ledger::Micros sum = 0;
    bool booked = !tip.legs.empty();
    const std::string wallet = ledger::AccountIdOf(ledger::AccountKind::kUserWallet, tip.sender_id, tip.currency);
    for (size_t i = 0; i < tip.legs.size(); ++i) {
      sum += tip.legs[i].leg.amount;
      const auto record = transfers.find(absl::StrCat(tip.tip_id, "/", i));
      booked = booked && record != transfers.end() && !record->second.transfer.flags.pending &&
               !record->second.transfer.flags.void_pending_transfer &&
               record->second.state == ledger::PendingState::kNotPending &&
               record->second.amount == tip.legs[i].leg.amount &&
               record->second.credit_account_id == tip.legs[i].account_id && record->second.debit_account_id == wallet;
    }
    if (!booked || sum != tip.amount) {
      FakeAuditFail(audit.incomplete_tips, max_samples, absl::StrCat("tip ", tip.tip_id, ": legs not booked"));
    }
  }
  return audit;
}

}  // namespace clipforge::tipping_service::testing
