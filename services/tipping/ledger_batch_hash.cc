#include "services/tipping/ledger_batch_hash.h"

#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "base/sha256.h"
#include "ledger/transfer.h"
#include "ledger/transfer_record.h"
#include "services/tipping/records.h"

namespace clipforge::tipping_service {
namespace {

// Feeds the hasher the header's encoding value by value, so that a batch of
// thousands of transfers is never copied into one buffer.
class BatchHashEncoder {
 public:
  void Int(int64_t value) {
    const auto bits = static_cast<uint64_t>(value);
    std::array<char, 8> bytes;
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(bits >> (56 - 8 * i));
    hasher_.Update(absl::string_view(bytes.data(), bytes.size()));
  }
  void Bool(bool value) { Int(value ? 1 : 0); }
  void String(absl::string_view value) {
    Int(static_cast<int64_t>(value.size()));
    hasher_.Update(value);
  }
  void Time(absl::Time value) { Int(absl::ToUnixMicros(value)); }
  void Duration(absl::Duration value) { Int(absl::ToInt64Microseconds(value)); }
  void Count(size_t count) { Int(static_cast<int64_t>(count)); }

  void Transfer(const ledger::Transfer& transfer) {
    String(transfer.id);
    String(transfer.debit_account_id);
    String(transfer.credit_account_id);
    Int(transfer.amount);
    String(transfer.currency.code());
    Int(static_cast<int64_t>(transfer.code));
    Bool(transfer.flags.linked);
    Bool(transfer.flags.pending);
    Bool(transfer.flags.post_pending_transfer);
    Bool(transfer.flags.void_pending_transfer);
    String(transfer.pending_id);
    Duration(transfer.timeout);
    Int(transfer.rules_version);
  }

  void Record(const ledger::TransferRecord& record) {
    Transfer(record.transfer);
    String(record.debit_account_id);
    String(record.credit_account_id);
    String(record.currency.code());
    Int(static_cast<int64_t>(record.code));
    Int(record.amount);
    Time(record.applied_at);
    Time(record.expires_at);
    Int(static_cast<int64_t>(record.state));
  }

  void Entry(const EntryRecord& entry) {
    Int(entry.sequence);
    String(entry.account_id);
    String(entry.transfer_id);
    Int(static_cast<int64_t>(entry.code));
    Int(entry.amount);
    Int(entry.balance_after);
    String(entry.counterparty_account_id);
    Time(entry.booked_at);
  }

  std::string Finish() { return hasher_.Finish(); }

 private:
  base::Sha256Hasher hasher_;
};

}  // namespace

std::string LedgerBatchHash(const LedgerBatch& batch) {
  BatchHashEncoder encoder;
  encoder.String(kLedgerBatchHashTag);
  encoder.String(batch.previous_hash);
  encoder.Int(batch.sequence);
  encoder.Int(batch.epoch);
  encoder.Time(batch.committed_at);
  encoder.Int(batch.request_count);
  encoder.Count(batch.transfers.size());
  for (const ledger::TransferRecord& record : batch.transfers) encoder.Record(record);
  encoder.Count(batch.resolved_pending.size());
  for (const auto& [id, state] : batch.resolved_pending) {
    encoder.String(id);
    encoder.Int(static_cast<int64_t>(state));
  }
  encoder.Count(batch.entries.size());
  for (const EntryRecord& entry : batch.entries) encoder.Entry(entry);
  return encoder.Finish();
}

}  // namespace clipforge::tipping_service
