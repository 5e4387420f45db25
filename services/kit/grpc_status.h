// The one place where absl::Status becomes grpc::Status (and back). Handlers
// never build grpc::Status themselves.
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace clipforge::kit {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace clipforge::kit
