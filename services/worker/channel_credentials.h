// How the worker reaches the server, with the CLI's policy (cli/transport.h):
// TLS unless the server is on the loopback interface or plaintext is asked
// for, verifying the server against the system's roots or a CA file. The
// worker credential rides in every call's metadata, so it must not cross a
// network in the clear by default.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/security/credentials.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clipforge::worker {

// 127.0.0.0/8, ::1 and localhost (with or without a port, brackets or a
// dns:/ipv4:/ipv6: scheme), and unix sockets.
bool IsLoopbackServer(absl::string_view server);

struct ChannelChoice {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  bool tls = false;
};

// TLS when `ca_file` is named (trusting it) or the server is not on
// loopback (trusting the system's roots); plaintext for loopback or when
// `plaintext` is set. INVALID_ARGUMENT for both a CA file and plaintext,
// or a CA file that cannot be read or holds no certificate.
absl::StatusOr<ChannelChoice> ChooseChannelCredentials(absl::string_view server, const std::string& ca_file,
                                                       bool plaintext);

}  // namespace clipforge::worker
