// Calls to services we have no generated stubs for (grpc.health.v1 and
// server reflection are not packaged as protos on Debian 12): raw bytes over
// gRPC's generic stub, as grpcurl-style tools do.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/channel.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace clipforge::testing {

absl::StatusOr<std::string> RawUnaryCall(const std::shared_ptr<grpc::Channel>& channel,
                                         const std::string& method, const std::string& request,
                                         absl::Duration timeout = absl::Seconds(5),
                                         const std::vector<std::pair<std::string, std::string>>& metadata = {});

// Opens a bidi stream, writes one request, reads one response, closes.
absl::StatusOr<std::string> RawBidiOnce(const std::shared_ptr<grpc::Channel>& channel,
                                        const std::string& method, const std::string& request,
                                        absl::Duration timeout = absl::Seconds(5));

// Health: the serving status (1 SERVING, 2 NOT_SERVING) of `service`.
absl::StatusOr<int> CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                                const std::string& service);

// Polls health until `service` reports `expected` (true) or `timeout` passes.
bool HealthBecomes(const std::shared_ptr<grpc::Channel>& channel, const std::string& service, int expected,
                   absl::Duration timeout = absl::Seconds(15));

}  // namespace clipforge::testing
