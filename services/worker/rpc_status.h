// How the worker reads a failed WorkerService call: the canonical code and
// message (kit::FromGrpcStatus) plus the server's machine-readable reason,
// taken from the `clipforge-error-bin` ErrorDetail trailer or, failing
// that, the ErrorInfo in grpc-status-details-bin, and attached with
// base::WithReason so that the loop can switch on it.
#pragma once

#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace clipforge::worker {

// The reason of a call with a stale lease epoch: drop the job.
inline constexpr absl::string_view kLeaseLostReason = "LEASE_LOST";

// `status` as an absl::Status carrying the server's reason, if any.
absl::Status StatusFromRpc(const grpc::Status& status, const grpc::ClientContext& context);

// FAILED_PRECONDITION with reason LEASE_LOST: the lease expired, the job
// was leased again or cancelled; the worker must stop working on it.
bool IsLeaseLost(const absl::Status& status);

// UNAVAILABLE or DEADLINE_EXCEEDED: the server was not reached or did not
// answer in time, so the call may or may not have taken effect; a retry
// with the same request_id is safe.
bool IsTransient(const absl::Status& status);

}  // namespace clipforge::worker
