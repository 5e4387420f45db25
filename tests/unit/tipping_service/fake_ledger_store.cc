#include "tests/unit/tipping_service/fake_ledger_store.h"

#include <optional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/error_reason.h"
#include "base/status_macros.h"

namespace clipforge::tipping_service::testing {
namespace {

// A batch a real database would refuse (a unique key, a missing row): the
// writer's bug, so loud.
absl::Status FakeLedgerConstraint(absl::string_view what) {
  return absl::InternalError(absl::StrCat("fake ledger store: ", what));
}

}  // namespace

absl::StatusOr<int64_t> FakeLedgerStore::TakeFence(absl::string_view shard) {
  absl::MutexLock lock(&mu_);
  ++fence_calls_;
  if (take_fence_failing_) return absl::UnavailableError("fake ledger store: the database is down");
  // Commits run under mu_, so no batch of the old epoch is in flight here.
  return ++epochs_[std::string(shard)];
}

absl::StatusOr<int64_t> FakeLedgerStore::RetakeFence(absl::string_view shard, int64_t held_epoch) {
  absl::MutexLock lock(&mu_);
  ++fence_calls_;
  if (take_fence_failing_) return absl::UnavailableError("fake ledger store: the database is down");
  int64_t& epoch = epochs_[std::string(shard)];
  if (epoch != held_epoch) {
    return base::WithReason(absl::FailedPreconditionError(absl::StrCat(kFencedReason, ": fence at ", epoch,
                                                                       ", not ", held_epoch)),
                            kFencedReason);
  }
  return ++epoch;
}

absl::StatusOr<StoredLedger> FakeLedgerStore::LoadLedger() {
  absl::MutexLock lock(&mu_);
  if (load_failing_) return absl::UnavailableError("fake ledger store: the database is down");
  StoredLedger stored;
  for (const auto& [id, account] : accounts_) stored.accounts.push_back(account);
  for (const auto& [id, record] : transfers_) stored.transfers.push_back(record);
  if (!batches_.empty()) {
    stored.last_batch_sequence = batches_.back().sequence;
    stored.last_batch_hash = batches_.back().hash;
  }
  stored.last_entry_sequences.assign(last_entry_sequences_.begin(), last_entry_sequences_.end());
  return stored;
}

absl::Status FakeLedgerStore::CommitBatch(absl::string_view shard, const LedgerBatch& batch) {
  absl::MutexLock lock(&mu_);
  ++commit_calls_;
  std::optional<CommitFault> fault;
  if (!faults_.empty()) {
    fault = faults_.front();
    faults_.pop_front();
  }
  if (fault == CommitFault::kUnavailable) return absl::UnavailableError("fake ledger store: connection refused");
  if (fault == CommitFault::kInternal) return absl::InternalError("fake ledger store: scripted failure");
  if (fault == CommitFault::kUnknownWithoutWrite) {
    return absl::UnknownError("fake ledger store: connection lost during COMMIT (not written)");
  }
  CF_RETURN_IF_ERROR(CheckBatch(shard, batch));
  ApplyBatch(batch);
  if (fault == CommitFault::kUnknownAfterWrite) {
    return absl::UnknownError("fake ledger store: connection lost during COMMIT (written)");
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> FakeLedgerStore::BatchCommitted(int64_t sequence, absl::string_view hash) {
  absl::MutexLock lock(&mu_);
  for (const LedgerBatch& batch : batches_) {
    if (batch.sequence == sequence) return batch.hash == hash;
  }
  return false;
}

void FakeLedgerStore::FailNextCommit(CommitFault fault) {
  absl::MutexLock lock(&mu_);
  faults_.push_back(fault);
}

void FakeLedgerStore::SetTakeFenceFailing(bool failing) {
  absl::MutexLock lock(&mu_);
  take_fence_failing_ = failing;
}

void FakeLedgerStore::SetLoadFailing(bool failing) {
  absl::MutexLock lock(&mu_);
  load_failing_ = failing;
}

void FakeLedgerStore::TakeFenceAsAnotherWriter(absl::string_view shard) {
  absl::MutexLock lock(&mu_);
  ++epochs_[std::string(shard)];
}

std::vector<LedgerBatch> FakeLedgerStore::batches() const {
  absl::MutexLock lock(&mu_);
  return batches_;
}

int64_t FakeLedgerStore::epoch(absl::string_view shard) const {
  absl::MutexLock lock(&mu_);
  const auto it = epochs_.find(shard);
  return it == epochs_.end() ? 0 : it->second;
}

int FakeLedgerStore::commit_calls() const {
  absl::MutexLock lock(&mu_);
  return commit_calls_;
}

int FakeLedgerStore::fence_calls() const {
  absl::MutexLock lock(&mu_);
  return fence_calls_;
}

absl::Status FakeLedgerStore::CheckBatch(absl::string_view shard, const LedgerBatch& batch) const {
  const auto epoch = epochs_.find(shard);
  if (epoch == epochs_.end() || epoch->second != batch.epoch) {
    return base::WithReason(
        absl::FailedPreconditionError(absl::StrCat(kFencedReason, ": batch of epoch ", batch.epoch, ", fence at ",
                                                   epoch == epochs_.end() ? 0 : epoch->second)),
        kFencedReason);
  }
  const int64_t last_sequence = batches_.empty() ? 0 : batches_.back().sequence;
  const std::string last_hash = batches_.empty() ? "" : batches_.back().hash;
  if (batch.sequence != last_sequence + 1) {
    return FakeLedgerConstraint(absl::StrCat("batch ", batch.sequence, " after batch ", last_sequence));
  }
  if (batch.previous_hash != last_hash) return FakeLedgerConstraint("previous_hash is not the last batch's hash");

  std::set<std::string> opened;
  for (const ledger::Account& account : batch.opened_accounts) {
    if (accounts_.contains(account.id) || !opened.insert(account.id).second) {
      return FakeLedgerConstraint(absl::StrCat("account ", account.id, " is opened twice"));
    }
  }
  for (const ledger::Account& account : batch.changed_accounts) {
    if (!accounts_.contains(account.id) && !opened.contains(account.id)) {
      return FakeLedgerConstraint(absl::StrCat("changed account ", account.id, " does not exist"));
    }
  }
  std::set<std::string> added;
  for (const ledger::TransferRecord& record : batch.transfers) {
    if (transfers_.contains(record.transfer.id) || !added.insert(record.transfer.id).second) {
      return FakeLedgerConstraint(absl::StrCat("transfer ", record.transfer.id, " is stored twice"));
    }
  }
  for (const auto& [id, state] : batch.resolved_pending) {
    const auto held = transfers_.find(id);
    if (held == transfers_.end() || held->second.state != ledger::PendingState::kPending) {
      return FakeLedgerConstraint(absl::StrCat("resolved transfer ", id, " is not a stored pending transfer"));
    }
  }
  std::map<std::string, int64_t> sequences = last_entry_sequences_;
  for (const EntryRecord& entry : batch.entries) {
    if (entry.sequence != ++sequences[entry.account_id]) {
      return FakeLedgerConstraint(
          absl::StrCat("entry ", entry.sequence, " of ", entry.account_id, " does not follow its last"));
    }
  }
  return absl::OkStatus();
}

void FakeLedgerStore::ApplyBatch(const LedgerBatch& batch) {
  for (const ledger::Account& account : batch.opened_accounts) accounts_[account.id] = account;
  for (const ledger::Account& account : batch.changed_accounts) accounts_[account.id] = account;
  for (const ledger::TransferRecord& record : batch.transfers) transfers_[record.transfer.id] = record;
  for (const auto& [id, state] : batch.resolved_pending) transfers_[id].state = state;
  for (const EntryRecord& entry : batch.entries) last_entry_sequences_[entry.account_id] = entry.sequence;
  batches_.push_back(batch);
}

}  // namespace clipforge::tipping_service::testing
