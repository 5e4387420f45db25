#include "services/tipping/ledger_writer.h"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "base/error_reason.h"
#include "base/status_macros.h"
#include "ledger/transfer_record.h"
#include "services/tipping/ledger_batch_hash.h"

namespace clipforge::tipping_service {
namespace {

// Taking the fence again after an UNKNOWN commit: a few tries with a
// doubling pause, so that a database that blinks is ridden out, but a
// database that is down fails the batch quickly (its requests are safe to
// retry) instead of holding every caller.
constexpr int kLedgerFenceAttempts = 5;
constexpr absl::Duration kLedgerFenceFirstBackoff = absl::Milliseconds(10);

absl::Status LedgerWriterUnavailable(absl::string_view why) {
  return absl::UnavailableError(absl::StrCat("ledger writer: ", why));
}

bool IsWriterFenced(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kFailedPrecondition) return false;
  return base::ReasonOf(status) == std::string(kFencedReason) || absl::StrContains(status.message(), kFencedReason);
}

// The posted money a transfer moved: a single-phase transfer's amount and
// what a post posted. A hold moves only pending counters, and a void only
// releases one.
ledger::Micros PostedAmountOf(const ledger::TransferRecord& record) {
  if (record.transfer.flags.pending || record.transfer.flags.void_pending_transfer) return 0;
  return record.amount;
}

// What moving `amount` on `account`'s debit (or credit) side does to its
// PostedBalance: a debit lowers a credit-normal balance and raises a
// debit-normal one, a credit the reverse.
ledger::Micros PostedBalanceChange(const ledger::Account& account, ledger::Micros amount, bool debit_side) {
  return ledger::IsCreditNormal(account.kind) != debit_side ? amount : -amount;
}

// Answers every request of `pendings` with `status`.
template <typename Pendings>
void AnswerEachWith(Pendings& pendings, const absl::Status& status) {
  for (auto& pending : pendings) pending->Answer(status);
}

// Decides the requests of one batch against the book, in order, and
// gathers the rows the batch stores. The book is changed as it goes: when
// the batch does not commit, the writer reloads it from the store.
class WriterBatchDecider {
 public:
  WriterBatchDecider(ledger::LedgerBook& book, absl::flat_hash_map<std::string, int64_t>& entry_sequences,
                     absl::Time now)
      : book_(book), entry_sequences_(entry_sequences), now_(now) {}

  // Releases the holds whose timeout has passed, first, so that the
  // batch's requests find their allowance back and the batch stores the
  // expiries.
  void ExpireHolds() {
    for (std::string& id : book_.ExpirePending(now_)) {
      const ledger::TransferRecord& held = *book_.FindTransfer(id);
      Touch(held.debit_account_id);
      Touch(held.credit_account_id);
      resolved_ids_.push_back(std::move(id));
    }
  }

  // One request: its reply, or INVALID_ARGUMENT for an account the book
  // refuses (nothing of the request applies then). `changed`: whether it
  // opened an account or applied a transfer.
  absl::StatusOr<LedgerReply> Decide(const LedgerRequest& request, bool& changed) {
    changed = false;
    CF_RETURN_IF_ERROR(OpenAccounts(request.accounts, changed));
    LedgerReply reply;
    reply.outcomes = book_.Apply(request.transfers, now_);
    reply.hold_expiries.resize(reply.outcomes.size());
    // Pointers into the book's table: valid until the next Apply.
    std::vector<const ledger::TransferRecord*> applied;
    for (size_t i = 0; i < reply.outcomes.size(); ++i) {
      const ledger::TransferResult result = reply.outcomes[i].result;
      if (result == ledger::TransferResult::kExceedsCredits) {
        reply.hold_expiries[i] = HoldExpiryFor(request.transfers[i]);
      }
      if (result == ledger::TransferResult::kOk) applied.push_back(&RecordApplied(request.transfers[i]));
    }
    changed = changed || !applied.empty();
    BookEntries(applied);
    // A request's rows describe its money: stored only when its last
    // chain (what the request is for) moved now; chains before it may set
    // up what exists already. A retry (kExists) finds them stored by the
    // first request.
    if (!reply.outcomes.empty() && reply.outcomes.back().ok()) {
      batch_.tips.insert(batch_.tips.end(), request.tips.begin(), request.tips.end());
      batch_.top_ups.insert(batch_.top_ups.end(), request.top_ups.begin(), request.top_ups.end());
      batch_.top_up_refunds.insert(batch_.top_up_refunds.end(), request.top_up_refunds.begin(),
                                   request.top_up_refunds.end());
      batch_.events.insert(batch_.events.end(), request.events.begin(), request.events.end());
    }
    return reply;
  }

  bool changed_ledger() const {
    return !new_transfer_ids_.empty() || !resolved_ids_.empty() || !batch_.opened_accounts.empty();
  }

  // The batch's rows as the book stands after its last request: a hold
  // made and posted within the batch is stored posted. The writer adds the
  // epoch, the sequence and the hashes.
  LedgerBatch TakeBatch(int request_count) {
    batch_.transfers.reserve(new_transfer_ids_.size());
    for (const std::string& id : new_transfer_ids_) batch_.transfers.push_back(*book_.FindTransfer(id));
    for (const std::string& id : resolved_ids_) batch_.resolved_pending.emplace_back(id, book_.FindTransfer(id)->state);
    for (const std::string& id : touched_accounts_) batch_.changed_accounts.push_back(*book_.FindAccount(id));
    batch_.committed_at = now_;
    batch_.request_count = request_count;
    return std::move(batch_);
  }

 private:
  // Every account is checked before any is opened, so that a refused
  // request opens none: one the book holds by the book (the same account
  // is a retry, a different one ALREADY_EXISTS), a new one by a scratch
  // book (which also catches one given twice, differently).
  absl::Status OpenAccounts(const std::vector<ledger::Account>& accounts, bool& changed) {
    ledger::LedgerBook scratch;
    for (const ledger::Account& account : accounts) {
      const bool held = book_.FindAccount(account.id) != nullptr;
      const absl::Status checked = held ? book_.CreateAccount(account) : scratch.CreateAccount(account);
      if (!checked.ok()) return absl::InvalidArgumentError(checked.message());
    }
    for (const ledger::Account& account : accounts) {
      if (book_.FindAccount(account.id) != nullptr) continue;
      if (const absl::Status opened = book_.CreateAccount(account); !opened.ok()) return opened;
      batch_.opened_accounts.push_back(*book_.FindAccount(account.id));
      changed = true;
    }
    return absl::OkStatus();
  }

  const ledger::TransferRecord& RecordApplied(const ledger::Transfer& transfer) {
    const ledger::TransferRecord& record = *book_.FindTransfer(transfer.id);
    new_transfer_ids_.push_back(transfer.id);
    new_transfer_set_.insert(transfer.id);
    Touch(record.debit_account_id);
    Touch(record.credit_account_id);
    // A hold of this batch is stored with its final state; only holds of
    // earlier batches need their state changed.
    if (ledger::ResolvesPendingTransfer(transfer) && !new_transfer_set_.contains(transfer.pending_id)) {
      resolved_ids_.push_back(transfer.pending_id);
    }
    return record;
  }

  // When the first timed hold on the refused transfer's debit account
  // expires: the reset time of a velocity limit (velocity_limit.h).
  std::optional<absl::Time> HoldExpiryFor(const ledger::Transfer& transfer) const {
    absl::string_view debit = transfer.debit_account_id;
    if (debit.empty() && !transfer.pending_id.empty()) {
      if (const ledger::TransferRecord* held = book_.FindTransfer(transfer.pending_id); held != nullptr) {
        debit = held->debit_account_id;
      }
    }
    return book_.EarliestHoldExpiry(debit);
  }

  // One statement entry per side of each applied transfer that moved
  // posted money, with the account's posted balance after it. An account's
  // balance before the request is its balance now less what the request
  // changed (the book already holds all of the request).
  void BookEntries(const std::vector<const ledger::TransferRecord*>& applied) {
    struct Side {
      const ledger::TransferRecord* record;
      bool debit;
      ledger::Micros change;
    };
    std::vector<Side> sides;
    absl::flat_hash_map<std::string, ledger::Micros> balances;
    for (const ledger::TransferRecord* record : applied) {
      const ledger::Micros moved = PostedAmountOf(*record);
      if (moved == 0) continue;
      for (const bool debit : {true, false}) {
        const std::string& id = debit ? record->debit_account_id : record->credit_account_id;
        const ledger::Micros change = PostedBalanceChange(*book_.FindAccount(id), moved, debit);
        sides.push_back({record, debit, change});
        balances[id] -= change;
      }
    }
    for (auto& [id, balance] : balances) balance += ledger::PostedBalance(*book_.FindAccount(id));
    for (const Side& side : sides) {
      const ledger::TransferRecord& record = *side.record;
      const std::string& id = side.debit ? record.debit_account_id : record.credit_account_id;
      ledger::Micros& balance = balances[id];
      balance += side.change;
      EntryRecord entry;
      entry.sequence = ++entry_sequences_[id];
      entry.account_id = id;
      entry.transfer_id = record.transfer.id;
      entry.code = record.code;
      entry.amount = side.change;
      entry.balance_after = balance;
      entry.counterparty_account_id = side.debit ? record.credit_account_id : record.debit_account_id;
      entry.booked_at = now_;
      batch_.entries.push_back(std::move(entry));
    }
  }

  void Touch(const std::string& account_id) {
    if (touched_set_.insert(account_id).second) touched_accounts_.push_back(account_id);
  }

  ledger::LedgerBook& book_;
  absl::flat_hash_map<std::string, int64_t>& entry_sequences_;
  const absl::Time now_;
  LedgerBatch batch_;
  // In the order applied.
  std::vector<std::string> new_transfer_ids_;
  absl::flat_hash_set<std::string> new_transfer_set_;
  // Holds of earlier batches that this one posted, voided or expired.
  std::vector<std::string> resolved_ids_;
  // Accounts whose counters changed, in the order first touched.
  std::vector<std::string> touched_accounts_;
  absl::flat_hash_set<std::string> touched_set_;
};

}  // namespace

// A request waiting for its batch. Shared by the caller, who waits on
// `done`, and the writer, who answers: either may finish with it first.
struct LedgerWriter::Pending {
  LedgerRequest request;
  absl::StatusOr<LedgerReply> result;
  absl::Notification done;

  void Answer(absl::StatusOr<LedgerReply> answer) {
    result = std::move(answer);
    done.Notify();
  }
};

LedgerWriter::LedgerWriter(LedgerStore& store, const base::Clock& clock, LedgerWriterOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {}

LedgerWriter::~LedgerWriter() { Stop(); }

absl::Status LedgerWriter::Start() {
  // A writer runs once: after Stop or a fence, a new one takes over.
  if (thread_.joinable()) return absl::FailedPreconditionError("ledger writer: already started");
  {
    absl::MutexLock lock(&book_mu_);
    CF_ASSIGN_OR_RETURN(epoch_, store_.TakeFence(options_.shard));
    CF_RETURN_IF_ERROR(Reload());
    needs_fence_ = false;
    needs_reload_ = false;
  }
  {
    absl::MutexLock lock(&queue_mu_);
    running_ = true;
    stopping_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
  return absl::OkStatus();
}

void LedgerWriter::Stop() {
  std::deque<std::shared_ptr<Pending>> queued;
  {
    absl::MutexLock lock(&queue_mu_);
    stopping_ = true;
    running_ = false;
    queued.swap(queue_);
  }
  AnswerEachWith(queued, LedgerWriterUnavailable("stopped"));
  // A batch in flight finishes (and is answered) first.
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<LedgerReply> LedgerWriter::Submit(LedgerRequest request) {
  auto pending = std::make_shared<Pending>();
  pending->request = std::move(request);
  {
    absl::MutexLock lock(&queue_mu_);
    if (!running_ || stopping_) return LedgerWriterUnavailable("not running");
    queue_.push_back(pending);
  }
  pending->done.WaitForNotification();
  return std::move(pending->result);
}

std::vector<std::string> LedgerWriter::CheckInvariants() {
  absl::MutexLock lock(&book_mu_);
  return book_.CheckInvariants();
}

bool LedgerWriter::running() {
  absl::MutexLock lock(&queue_mu_);
  return running_;
}

int64_t LedgerWriter::last_batch_sequence() {
  absl::MutexLock lock(&book_mu_);
  return last_sequence_;
}

void LedgerWriter::Loop() {
  std::vector<std::shared_ptr<Pending>> batch;
  while (NextBatch(batch)) {
    WriteBatch(batch);
    batch.clear();
  }
}

bool LedgerWriter::NextBatch(std::vector<std::shared_ptr<Pending>>& batch) {
  absl::MutexLock lock(&queue_mu_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu_) { return !queue_.empty() || stopping_ || !running_; };
  queue_mu_.Await(absl::Condition(&ready));
  if (stopping_ || !running_) return false;
  // Everything that queued while the last batch committed goes into this
  // one: that is the group commit.
  const size_t limit = static_cast<size_t>(std::max(1, options_.max_batch_requests));
  const auto end = queue_.begin() + static_cast<std::ptrdiff_t>(std::min(limit, queue_.size()));
  batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(end));
  queue_.erase(queue_.begin(), end);
  return true;
}

void LedgerWriter::WriteBatch(std::vector<std::shared_ptr<Pending>>& requests) {
  absl::MutexLock lock(&book_mu_);
  // Never decide against books that may be ahead of the store.
  if (const absl::Status recovered = Recover(); !recovered.ok()) {
    if (IsWriterFenced(recovered)) {
      StopFenced(requests);
      return;
    }
    AnswerEachWith(requests,
                   LedgerWriterUnavailable(absl::StrCat("the books could not be reloaded: ", recovered.message())));
    return;
  }
  // Microseconds: what the store keeps, so that a stored batch re-hashes
  // to its hash (ledger_batch_hash.h).
  const absl::Time now = absl::FromUnixMicros(absl::ToUnixMicros(clock_.Now()));
  WriterBatchDecider decider(book_, entry_sequences_, now);
  decider.ExpireHolds();
  std::vector<absl::StatusOr<LedgerReply>> replies;
  std::vector<bool> changed(requests.size(), false);
  replies.reserve(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    bool request_changed = false;
    replies.push_back(decider.Decide(requests[i]->request, request_changed));
    changed[i] = request_changed;
  }

  if (decider.changed_ledger()) {
    LedgerBatch batch = decider.TakeBatch(static_cast<int>(requests.size()));
    batch.epoch = epoch_;
    batch.sequence = last_sequence_ + 1;
    batch.previous_hash = last_hash_;
    batch.hash = LedgerBatchHash(batch);
    bool fenced = false;
    const absl::Status committed = Commit(batch, fenced);
    if (fenced) {
      StopFenced(requests);
      return;
    }
    for (size_t i = 0; i < replies.size(); ++i) {
      if (!replies[i].ok()) continue;
      // A request that changed nothing (a retry) may have been answered
      // from what this very batch decided: it fails with the batch too.
      if (!committed.ok()) {
        replies[i] = committed;
      } else if (changed[i]) {
        replies[i]->batch_sequence = batch.sequence;
      }
    }
  }
  for (size_t i = 0; i < requests.size(); ++i) requests[i]->Answer(std::move(replies[i]));
}

absl::Status LedgerWriter::Commit(const LedgerBatch& batch, bool& fenced) {
  const absl::Status status = store_.CommitBatch(options_.shard, batch);
  if (status.ok()) {
    last_sequence_ = batch.sequence;
    last_hash_ = batch.hash;
    return absl::OkStatus();
  }
  if (IsWriterFenced(status)) {
    // The writer stops: its books stay ahead of the store, and nothing
    // decides against them again.
    fenced = true;
    needs_reload_ = true;
    return status;
  }
  if (status.code() == absl::StatusCode::kUnknown) {
    const absl::Status resolved = ResolveInDoubt(batch);
    // Another writer took the fence while this one's commit was in doubt:
    // it loaded whatever committed, and this one stops.
    if (IsWriterFenced(resolved)) fenced = true;
    return resolved;
  }
  // Nothing was written: the books are ahead of the store. Reloading now
  // spares the next batch the wait; when it fails, Recover tries again
  // before the next batch.
  needs_reload_ = true;
  (void)Recover();
  return LedgerWriterUnavailable(absl::StrCat("the batch did not commit: ", status.message()));
}

absl::Status LedgerWriter::ResolveInDoubt(const LedgerBatch& batch) {
  // Taking the fence waits until the transaction in doubt is gone, so the
  // store's answer (and the books loaded after it) are final.
  needs_fence_ = true;
  needs_reload_ = true;
  if (const absl::Status recovered = Recover(); !recovered.ok()) {
    if (IsWriterFenced(recovered)) return recovered;
    return LedgerWriterUnavailable(
        absl::StrCat("the batch's commit is in doubt and could not be resolved: ", recovered.message()));
  }
  const absl::StatusOr<bool> committed = store_.BatchCommitted(batch.sequence, batch.hash);
  // Unanswered, the requests fail; the books equal the store either way,
  // so a retry is recognised if the batch did commit.
  if (!committed.ok()) {
    return LedgerWriterUnavailable(absl::StrCat("the batch's commit is in doubt: ", committed.status().message()));
  }
  if (!*committed) return LedgerWriterUnavailable("the batch did not commit");
  return absl::OkStatus();
}

absl::Status LedgerWriter::Recover() {
  if (needs_fence_) {
    CF_ASSIGN_OR_RETURN(epoch_, TakeFenceWithRetry());
    needs_fence_ = false;
    needs_reload_ = true;
  }
  if (needs_reload_) {
    CF_RETURN_IF_ERROR(Reload());
    needs_reload_ = false;
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> LedgerWriter::TakeFenceWithRetry() {
  absl::Duration backoff = kLedgerFenceFirstBackoff;
  for (int attempt = 1;; ++attempt) {
    // Only while this writer still holds it: a writer that lost the fence
    // must stop, not take it back from the one that took it.
    absl::StatusOr<int64_t> epoch = store_.RetakeFence(options_.shard, epoch_);
    if (epoch.ok() || IsWriterFenced(epoch.status()) || attempt == kLedgerFenceAttempts) return epoch;
    // The pause ends early when the writer stops.
    absl::MutexLock lock(&queue_mu_);
    auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu_) { return stopping_; };
    if (queue_mu_.AwaitWithTimeout(absl::Condition(&stopping), backoff)) return epoch;
    backoff *= 2;
  }
}

void LedgerWriter::StopFenced(std::vector<std::shared_ptr<Pending>>& requests) {
  std::deque<std::shared_ptr<Pending>> queued;
  {
    absl::MutexLock lock(&queue_mu_);
    running_ = false;
    queued.swap(queue_);
  }
  const absl::Status fenced = absl::UnavailableError("ledger writer fenced: another writer took over");
  AnswerEachWith(requests, fenced);
  AnswerEachWith(queued, fenced);
}

absl::Status LedgerWriter::Reload() {
  CF_ASSIGN_OR_RETURN(StoredLedger stored, store_.LoadLedger());
  CF_ASSIGN_OR_RETURN(ledger::LedgerBook book,
                      ledger::LedgerBook::Restore(std::move(stored.accounts), std::move(stored.transfers)));
  book_ = std::move(book);
  last_sequence_ = stored.last_batch_sequence;
  last_hash_ = std::move(stored.last_batch_hash);
  entry_sequences_.clear();
  for (auto& [account_id, sequence] : stored.last_entry_sequences) {
    entry_sequences_[std::move(account_id)] = sequence;
  }
  return absl::OkStatus();
}

}  // namespace clipforge::tipping_service
