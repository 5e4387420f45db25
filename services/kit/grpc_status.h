// The one place where absl::Status becomes grpc::Status (and back). Handlers
// never build grpc::Status themselves.
//
// What a client may read: the message of a status the service itself wrote
// ("handle: is taken"). What it never reads: a dependency's own words (a
// database's host, role or constraint names). Those travel as a private
// detail, a payload the edge logs and never sends, and server faults
// (INTERNAL, UNKNOWN, DATA_LOSS, UNAVAILABLE) reach the client as a fixed
// text with the request id, to quote when reporting it.
#pragma once

#include <optional>
#include <string>

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace clipforge::kit {

// The ErrorInfo.domain of every ClipForge error.
inline constexpr absl::string_view kErrorDomain = "clipforge.dev";

// The payload URL of a private detail.
inline constexpr absl::string_view kPrivateDetailUrl = "type.clipforge.dev/clipforge.kit.PrivateDetail";

// `status` with `detail` attached for the server's log only.
absl::Status WithPrivateDetail(absl::Status status, absl::string_view detail);
std::optional<std::string> PrivateDetailOf(const absl::Status& status);

// INTERNAL, UNKNOWN, DATA_LOSS and UNAVAILABLE: the server (or what it
// depends on) failed, not the request.
bool IsServerFault(absl::StatusCode code);

// The status a client gets: the message as is, except for server faults,
// which get a fixed text naming `request_id` (when given). Beside it, in
// grpc-status-details-bin, a google.rpc.Status whose ErrorInfo names the
// reason (base::WithReason, else the code's name), the domain
// "clipforge.dev" and, when given, metadata request_id (AIP-193). Other
// payloads (private details) are never sent.
grpc::Status ToGrpcStatus(const absl::Status& status, absl::string_view request_id = {});
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace clipforge::kit
