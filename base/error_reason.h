// A machine-readable reason on a status: a stable UPPER_SNAKE word such as
// "HANDLE_TAKEN" that clients switch on, beside the message for humans. It
// rides as a status payload from wherever the rule lives (domain cores
// included: this needs nothing but Abseil) to the gRPC edge, which sends it
// as google.rpc.ErrorInfo in grpc-status-details-bin (AIP-193).
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace clipforge::base {

inline constexpr absl::string_view kErrorReasonUrl = "type.clipforge.dev/clipforge.ErrorReason";

// `status` (not OK) with `reason` attached.
absl::Status WithReason(absl::Status status, absl::string_view reason);
// The reason attached to `status`, if any.
std::optional<std::string> ReasonOf(const absl::Status& status);

}  // namespace clipforge::base
