// How the clipforge CLI reports failure: every command returns an
// absl::Status whose message is the one line the user reads and whose code
// is the canonical code named in --json output. The process exit code rides
// along as a status payload (see ExitCodeOf).
#pragma once

#include <string>

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clipforge/v1/common.pb.h"

namespace clipforge::cli {

// Process exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;      // the server or the operation failed
inline constexpr int kExitUsage = 2;        // bad command line or local input
inline constexpr int kExitNotLoggedIn = 3;  // no session, or the session ended

// INVALID_ARGUMENT that exits 2: a bad command line or local input.
absl::Status UsageError(absl::string_view message);
// UNAUTHENTICATED that exits 3: the user has to run `clipforge login`.
absl::Status NotLoggedInError(absl::string_view message);

absl::Status WithExitCode(absl::Status status, int exit_code);
absl::Status WithReason(absl::Status status, absl::string_view reason);

// 0 for OK; else the exit code attached with WithExitCode; else 3 for
// UNAUTHENTICATED and 1 for every other code.
int ExitCodeOf(const absl::Status& status);
// The server's ErrorDetail.reason carried by a described failure, or "".
std::string ReasonOf(const absl::Status& status);
// "INVALID_ARGUMENT", "NOT_FOUND", ...
std::string CodeName(absl::StatusCode code);

// A failed RPC as the client saw it.
struct RpcFailure {
  grpc::StatusCode code = grpc::StatusCode::UNKNOWN;
  std::string message;         // the server's (or gRPC's) status message
  v1::ErrorDetail detail;      // from the `clipforge-error-bin` trailer, if any
  bool reached_server = true;  // false when no connection was ever made
};

struct DescribeOptions {
  absl::string_view server;       // shown when the server cannot be reached
  absl::Time now;                 // to turn reset times into "N s"
  absl::Duration timeout = absl::Seconds(10);
  bool tls = false;               // whether the call went over TLS
};

// Turns a failed RPC into the status the user reads, e.g.
// INVALID_ARGUMENT "invalid input: handle: must be 3-30 characters" or
// UNAVAILABLE "cannot reach the server at 127.0.0.1:50051 (is `scripts/run`
// running?)". The code is kept; the reason is attached.
absl::Status DescribeRpcFailure(const RpcFailure& failure, const DescribeOptions& options);

// Whole seconds until a rate limit lifts, from the detail's retry_after or
// limit reset time, else from a message such as "retry in 30 s"; -1 when
// unknown.
int64_t RetryAfterSeconds(const RpcFailure& failure, absl::Time now);

}  // namespace clipforge::cli
