// How the CLI reaches a server: TLS unless the server is on this machine's
// loopback interface or the user opts out with --plaintext (as grpcurl
// does), verifying the server against the system's roots or a CA file.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/security/credentials.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clipforge::cli {

struct Transport {
  bool tls = false;
  std::string ca_file;  // PEM roots to trust; empty: the system's.
};

// True for targets on the loopback interface: 127.0.0.0/8, localhost and
// ::1 (with or without a port, brackets or a dns:/ipv4:/ipv6: scheme), and
// unix sockets.
bool IsLoopbackTarget(absl::string_view target);

// TLS for a non-loopback `server` or when a CA file is named; plaintext
// when asked for or for a loopback server. --plaintext with a CA file is a
// usage error (from flags; an environment CA file yields to --plaintext).
absl::StatusOr<Transport> ChooseTransport(absl::string_view server, bool plaintext_flag,
                                          const std::string& ca_file_flag,
                                          const std::string& ca_file_env);

// The channel credentials for `transport`; reads the CA file (a usage
// error naming it when it cannot be read or holds no certificate).
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(
    const Transport& transport);

}  // namespace clipforge::cli
