// The gRPC port's TLS: a PEM certificate chain and its private key, given
// together or not at all.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/security/server_credentials.h>

#include "absl/status/statusor.h"

namespace clipforge::clipforged {

// Null (plaintext) when both paths are empty. Refuses one without the other,
// an unreadable file, and a key file readable by group or others (like the
// token signing key).
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> LoadServerTls(const std::string& cert_file,
                                                                       const std::string& key_file);

}  // namespace clipforge::clipforged
