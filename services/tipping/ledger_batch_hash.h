// The hash of a ledger batch (ledger_store.h's LedgerBatch): each batch
// stores its predecessor's hash beside its own, so the batches form a hash
// chain and a batch removed, reordered or altered afterwards shows.
//
// THIS IS A STORED FORMAT. Every committed batch keeps the hash computed
// by this encoding; changing anything below (a field, its order, its width,
// the tag) makes every stored chain fail to verify. A new encoding needs a
// new tag and a way to tell which batches use which.
//
// The hash is SHA-256 over the following bytes, as 32 raw bytes (bytea in
// Postgres, not hex). Every value has a fixed width or a length prefix, so
// no two different batches encode to the same bytes:
//   int     8 bytes, big-endian two's complement (every integer, enum and
//           count is widened to int64 first; a bool is 0 or 1)
//   string  int length, then the bytes (ids, hashes, currency codes; an
//           empty currency is the empty string)
//   time    int: microseconds since the Unix epoch, rounded down
//           (absl::ToUnixMicros; InfiniteFuture is INT64_MAX)
//   duration int: whole microseconds (absl::ToInt64Microseconds)
//   list    int count, then each element
//
//   batch    = string "clipforge.ledger_batch.v1"
//              string previous_hash, int sequence, int epoch,
//              time committed_at, int request_count,
//              list of record (transfers), list of resolved
//              (resolved_pending), list of entry (entries)
//   record   = transfer, string debit_account_id, string credit_account_id,
//              string currency, int code, int amount, time applied_at,
//              time expires_at, int state
//   transfer = string id, string debit_account_id, string
//              credit_account_id, int amount, string currency, int code,
//              int flags.linked, int flags.pending,
//              int flags.post_pending_transfer,
//              int flags.void_pending_transfer, string pending_id,
//              duration timeout, int rules_version
//   resolved = string transfer id, int state
//   entry    = int sequence, string account_id, string transfer_id,
//              int code, int amount, int balance_after,
//              string counterparty_account_id, time booked_at
//
// Left out: the batch's own hash, the accounts (their counters follow from
// the transfers), and the tips, top-ups and events (rows about the money,
// not the money; they have their own ids and are not part of the ledger).
// A stored batch re-hashes to the same value only when the store keeps its
// times at microsecond precision, which is why the writer truncates its
// clock to microseconds.
#pragma once

#include <string>

#include "services/tipping/ledger_store.h"

namespace clipforge::tipping_service {

// The tag the encoding starts with: its version.
inline constexpr char kLedgerBatchHashTag[] = "clipforge.ledger_batch.v1";

// SHA-256 (32 raw bytes) of `batch` in the encoding above. batch.hash
// itself is not read.
std::string LedgerBatchHash(const LedgerBatch& batch);

}  // namespace clipforge::tipping_service
