#include "tests/unit/tipping_service/fake_tipping_store.h"

#include <algorithm>

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
  for (const LedgerBatch& batch : ledger_.batches()) {
    for (TopUpRecord top_up : batch.top_ups) {
      top_up.client_secret.clear();  // never stored
      if (top_up.top_up_id == top_up_id) return std::optional<TopUpRecord>(top_up);
    }
  }
  absl::MutexLock lock(&mu_);
  auto it = failed_top_ups_.find(top_up_id);
  if (it == failed_top_ups_.end()) return std::optional<TopUpRecord>();
  TopUpRecord top_up = it->second;
  top_up.client_secret.clear();
  return std::optional<TopUpRecord>(top_up);
}

absl::Status FakeTippingStore::PutFailedTopUp(const TopUpRecord& top_up) {
  absl::MutexLock lock(&mu_);
  failed_top_ups_.try_emplace(top_up.top_up_id, top_up);
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

}  // namespace clipforge::tipping_service::testing
