// The process's open-file limit. Every client connection is a descriptor;
// at Debian's default soft limit (1,024) a connection flood exhausts it and
// gRPC 1.51's listener stops accepting for good (CVE-2023-4785), so the
// server raises the soft limit to the hard one before it listens.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"

namespace clipforge::kit {

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit
// now in force.
absl::StatusOr<uint64_t> RaiseOpenFileLimit();

}  // namespace clipforge::kit
