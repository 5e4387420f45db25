// The reason a ClipForge server put in a failed call's AIP-193 ErrorInfo
// (e.g. "JOB_ALREADY_PUBLISHED"): what integration tests compare.
#pragma once

#include <string>

#include <grpcpp/support/status.h>

namespace clipforge::testing {

// "" when the status carries no single ErrorInfo detail.
std::string ReasonOf(const grpc::Status& status);

}  // namespace clipforge::testing
