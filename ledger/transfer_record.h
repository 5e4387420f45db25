// A transfer as the book keeps it once applied: what was submitted (a
// retry is compared with it), what it actually moved, and for a pending
// transfer, where it stands.
#pragma once

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ledger/currency.h"
#include "ledger/money.h"
#include "ledger/transfer.h"

namespace clipforge::ledger {

enum class PendingState : uint8_t {
  // Not a pending transfer: it posted when applied, or it is a post or void.
  kNotPending = 0,
  // Holding its amount.
  kPending,
  // Resolved by a post, a void, or its timeout; the hold is gone.
  kPosted,
  kVoided,
  kExpired,
};

struct TransferRecord {
  // Exactly as submitted.
  Transfer transfer;
  // What it moved. For a post or void, the pending transfer's accounts,
  // currency and code (it may leave them empty), and as amount the amount
  // posted (a post with amount 0 posts all that was held) or released (a
  // void). Otherwise the transfer's own.
  std::string debit_account_id;
  std::string credit_account_id;
  Currency currency;
  TransferCode code = TransferCode::kUnspecified;
  Micros amount = 0;
  absl::Time applied_at;
  // A pending transfer with a timeout is released from this time on;
  // InfiniteFuture otherwise.
  absl::Time expires_at = absl::InfiniteFuture();
  PendingState state = PendingState::kNotPending;
};

// Applied transfers by id.
using TransferTable = absl::flat_hash_map<std::string, TransferRecord>;

}  // namespace clipforge::ledger
