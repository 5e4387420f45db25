// Request-id idempotency, one component for every service: the first
// outcome of (caller, request_id) is recorded in the same transaction as the
// change it made, and a retry replays it instead of changing anything again.
// The same request_id with a different request is ALREADY_EXISTS.
//
// A service's transaction interface implements IdempotencyLog (its Postgres
// store with pg_idempotency.h, its fake store in memory); its logic wraps
// each idempotent change in RunIdempotent.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/status_macros.h"

namespace google::protobuf {
class Message;
}

namespace clipforge::kit {

// Which request a record belongs to. `method` and `fingerprint` tell a retry
// (same values) from a different request that reuses the id.
struct IdempotencyKey {
  std::string caller_id;
  std::string request_id;
  std::string method;       // The request message's full name.
  std::string fingerprint;  // Hex SHA-256 of its deterministic serialization.
};

// The key of `request` (a request message with a request_id field, already
// validated) sent by `caller_id`.
IdempotencyKey IdempotencyKeyFor(absl::string_view caller_id, absl::string_view request_id,
                                 const google::protobuf::Message& request);

struct IdempotencyRecord {
  std::string method;
  std::string fingerprint;
  std::string result;  // The encoded outcome.
};

// The records, as seen from inside one transaction.
class IdempotencyLog {
 public:
  virtual ~IdempotencyLog() = default;
  // The record of (caller, request_id) if one is still kept (records are
  // kept for at least a day).
  virtual std::optional<IdempotencyRecord> FindIdempotency(const std::string& caller_id,
                                                           const std::string& request_id) = 0;
  // Records `result` for `key`. When a concurrent transaction recorded the
  // same (caller, request_id) first, this transaction must not commit: the
  // Postgres log aborts it so that the retry replays the winner's record.
  virtual void SaveIdempotency(const IdempotencyKey& key, const std::string& result) = 0;
};

// How an outcome is stored: `encode` its bytes, `decode` them back. Decoding
// what encode wrote must give an equal outcome.
template <typename Result>
struct IdempotencyCodec {
  std::string (*encode)(const Result&);
  absl::StatusOr<Result> (*decode)(absl::string_view);
};

// An outcome that is one string (usually the id of what the change made),
// stored as it is.
extern const IdempotencyCodec<std::string> kTextCodec;

// In the caller's transaction: replays the outcome recorded for `key`, or
// runs `change` (absl::StatusOr<Result>()) and records what it returns. A
// failed change records nothing (its transaction rolls back), so a retry
// runs it again.
template <typename Result, typename Change>
absl::StatusOr<Result> RunIdempotent(IdempotencyLog& log, const IdempotencyKey& key,
                                     const IdempotencyCodec<Result>& codec, Change&& change) {
  if (std::optional<IdempotencyRecord> record = log.FindIdempotency(key.caller_id, key.request_id)) {
    if (record->method != key.method || record->fingerprint != key.fingerprint) {
      return absl::AlreadyExistsError("request_id: already used for a different request");
    }
    absl::StatusOr<Result> replayed = codec.decode(record->result);
    if (!replayed.ok()) return absl::InternalError("idempotency record unreadable");
    return replayed;
  }
  CF_ASSIGN_OR_RETURN(Result result, std::forward<Change>(change)());
  log.SaveIdempotency(key, codec.encode(result));
  return result;
}

}  // namespace clipforge::kit
