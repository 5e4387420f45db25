// The mapping of libpqxx exceptions to canonical status codes. Store code
// catches exceptions only to call this; nothing above the store sees one.
#pragma once

#include <exception>

#include "absl/status/status.h"

namespace clipforge::kit {

// unique_violation -> ALREADY_EXISTS; foreign key / check / not-null ->
// FAILED_PRECONDITION; serialization failure, deadlock -> ABORTED
// (retryable); broken connection -> UNAVAILABLE; in-doubt commit and
// statement completion unknown -> UNKNOWN (never retried blindly); statement
// timeout -> DEADLINE_EXCEEDED; anything else -> INTERNAL. The message is
// fixed text; the server's own (first line) is a private detail
// (grpc_status.h), for the log only.
absl::Status StatusFromPqxx(const std::exception& e);

// Runs `fn`, turning any exception it throws into a status.
template <typename Fn>
absl::Status CatchPqxx(Fn&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return StatusFromPqxx(e);
  }
}

}  // namespace clipforge::kit
