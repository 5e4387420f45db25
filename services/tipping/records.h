// The tipping service's rows, as plain structs shared by the logic, the
// ledger writer and the stores: a tip with its legs, a clip's place in the
// fork tree as the tip split needs it, one entry of a statement.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "ledger/currency.h"
#include "ledger/money.h"
#include "ledger/tip_split.h"
#include "ledger/transfer.h"

namespace clipforge::tipping_service {

// One leg of a tip as stored and shown: the split's leg and the ledger
// account it credited.
struct TipLegRecord {
  ledger::TipLeg leg;
  std::string account_id;

  friend bool operator==(const TipLegRecord&, const TipLegRecord&) = default;
};

struct TipRecord {
  // The SendTip's request id.
  std::string tip_id;
  std::string sender_id;
  std::string clip_id;
  ledger::Micros amount = 0;
  ledger::Currency currency;
  std::string message;
  int rules_version = 0;
  std::vector<TipLegRecord> legs;
  absl::Time created_at;

  friend bool operator==(const TipRecord&, const TipRecord&) = default;
};

// A clip as the tipping service knows it from the clips service's events.
struct ClipRecord {
  std::string clip_id;
  std::string author_id;
  // Empty for an original.
  std::string parent_clip_id;
  // Public (anyone may tip it) rather than private or unlisted-to-others.
  bool tippable = true;
  // Removed by a moderator or deleted by its author.
  bool removed = false;
};

enum class TopUpStatus : uint8_t {
  kPending = 1,
  kSucceeded = 2,
  kFailed = 3,
  kPartiallyRefunded = 4,
  kRefunded = 5,
};

// Money added to a wallet through a payment provider.
struct TopUpRecord {
  // The CreateTopUp's request id, also the id of the transfer that
  // credited the wallet.
  std::string top_up_id;
  std::string user_id;
  ledger::Micros amount = 0;
  ledger::Currency currency;
  ledger::Micros refunded = 0;
  TopUpStatus status = TopUpStatus::kPending;
  std::string provider;
  std::string provider_reference;
  std::string failure_reason;
  absl::Time created_at;
  absl::Time updated_at;
  // For the provider's client SDK: in CreateTopUp's answer only, never
  // stored (a retry's answer has none).
  std::string client_secret;

  friend bool operator==(const TopUpRecord&, const TopUpRecord&) = default;
};

// Part of a top-up paid back to its card: what a batch adds to the
// top-up's refunded amount.
struct TopUpRefund {
  std::string top_up_id;
  ledger::Micros amount = 0;
  absl::Time refunded_at;

  friend bool operator==(const TopUpRefund&, const TopUpRefund&) = default;
};

// One side of a posted transfer on one account: what a statement lists.
struct EntryRecord {
  // Per account, in the order the writer booked them (1, 2, ...).
  int64_t sequence = 0;
  std::string account_id;
  std::string transfer_id;
  ledger::TransferCode code = ledger::TransferCode::kUnspecified;
  // Positive credits the account's normal side, negative debits it (the
  // change of its PostedBalance).
  ledger::Micros amount = 0;
  ledger::Micros balance_after = 0;
  // The account on the other side of the transfer.
  std::string counterparty_account_id;
  absl::Time booked_at;

  friend bool operator==(const EntryRecord&, const EntryRecord&) = default;
};

}  // namespace clipforge::tipping_service
