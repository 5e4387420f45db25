// The worker credential an operator issued ("cfw_..."): read from a file
// that only its owner may read (like the token signing key and the TLS
// key), or taken from the environment (CLIPFORGE_WORKER_CREDENTIAL), never
// from the command line, where every user of the machine could see it.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clipforge::worker {

// The environment variable that may hold the credential itself.
inline constexpr char kCredentialEnv[] = "CLIPFORGE_WORKER_CREDENTIAL";

// The credential from `file` when named, else `env_value`, with surrounding
// whitespace removed. It must be 1-1024 visible ASCII characters (it goes
// into gRPC metadata). NOT_FOUND for a file that cannot be read;
// FAILED_PRECONDITION for one readable by group or others; INVALID_ARGUMENT
// for neither source, or a malformed credential.
absl::StatusOr<std::string> LoadWorkerCredential(const std::string& file, absl::string_view env_value);

}  // namespace clipforge::worker
