// A transfer: one amount debited from one account and credited to another
// in the same currency, TigerBeetle's unit of double entry. A tip is several
// transfers (one per leg) in one linked chain, so that it moves all of its
// money or none.
//
// Two-phase transfers hold money first and decide later: a `pending`
// transfer moves only the pending counters; a `post_pending_transfer` names
// it by pending_id and posts up to the held amount (the rest is released);
// a `void_pending_transfer` releases all of it; a pending transfer whose
// timeout passes is released by the book (LedgerBook::ExpirePending).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ledger/currency.h"
#include "ledger/money.h"

namespace clipforge::ledger {

// Why money moved (TigerBeetle's `code`): every entry of a statement says
// it. The values are stored: never renumber.
enum class TransferCode : uint16_t {
  // Not set: refused on a new transfer; on a post or void it means "the
  // pending transfer's".
  kUnspecified = 0,
  // The legs of a tip: the platform fee, a royalty to an ancestor's author,
  // the creator's (or a co-author's) share.
  kTipFee = 1,
  kTipRoyalty = 2,
  kTipCreator = 3,
  // A top-up credited a wallet, and its refund.
  kTopUp = 4,
  kRefund = 5,
  // A payout (or its hold) debited earnings, and its reversal when the
  // provider fails it.
  kPayout = 6,
  kPayoutReversal = 7,
  // A brand funded a campaign's escrow; a reward's legs; the escrow's
  // remainder returned when the campaign closes.
  kCampaignFunding = 8,
  kCampaignReward = 9,
  kCampaignRefund = 10,
  // A creator fund payment.
  kFundPayout = 11,
  // A chargeback on a top-up, and what the platform wrote off of it.
  kChargeback = 12,
  // Earnings leaving the chargeback window.
  kEarningsRelease = 13,
  // A manual correction by an admin.
  kAdjustment = 14,
  // A rate account's allowance, granted once; a tip's hold on it, which
  // expires after the limit's window (velocity_limit.h).
  kRateAllowance = 15,
  kRateHold = 16,
};

// "tip_fee", "top_up", ...: stable, for logs and storage.
absl::string_view TransferCodeName(TransferCode code);

// TigerBeetle's transfer flags. At most one of pending,
// post_pending_transfer and void_pending_transfer.
struct TransferFlags {
  // The transfer and the next one in the batch succeed or fail together
  // (a chain runs to the first transfer without the flag).
  bool linked = false;
  // Holds the amount (pending counters) until posted, voided or expired.
  bool pending = false;
  // Posts the pending transfer named by pending_id.
  bool post_pending_transfer = false;
  // Releases the pending transfer named by pending_id.
  bool void_pending_transfer = false;

  friend bool operator==(const TransferFlags&, const TransferFlags&) = default;
};

struct Transfer {
  // Unique per transfer and the idempotency key: the request's UUIDv7 for
  // a single transfer, that id with a leg suffix for the transfers of one
  // request. Reusing it with other fields is refused.
  std::string id;
  // On a post or void: empty, or the pending transfer's.
  std::string debit_account_id;
  std::string credit_account_id;
  // Positive. On a post: 0 posts the whole held amount, less posts that
  // much and releases the rest. On a void: 0 or the held amount.
  Micros amount = 0;
  // On a post or void: empty, or the pending transfer's.
  Currency currency;
  // On a post or void: kUnspecified, or the pending transfer's.
  TransferCode code = TransferCode::kUnspecified;
  TransferFlags flags;
  // The pending transfer a post or void resolves; empty otherwise.
  std::string pending_id;
  // A pending transfer's lifetime: it expires at the time it was applied
  // plus timeout. Zero: it never expires. Zero on every other transfer.
  absl::Duration timeout = absl::ZeroDuration();
  // The version of the rules that computed the amount (tip_split.h's
  // TipRules::version for tip legs; 0 where no rules apply), so that a
  // statement can be recomputed and audited later.
  int rules_version = 0;

  friend bool operator==(const Transfer&, const Transfer&) = default;
};

// Whether it posts or voids a pending transfer rather than moving money
// of its own.
inline bool ResolvesPendingTransfer(const Transfer& transfer) {
  return transfer.flags.post_pending_transfer || transfer.flags.void_pending_transfer;
}

// The names of the fields in which `a` and `b` differ ("amount",
// "flags.linked", ...), in declaration order; empty when they are equal.
// What an idempotency conflict reports.
std::vector<std::string> DifferingTransferFields(const Transfer& a, const Transfer& b);

}  // namespace clipforge::ledger
