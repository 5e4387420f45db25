#include "services/worker/channel_credentials.h"

#include <arpa/inet.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace clipforge::worker {
namespace {

// The host of "host:port", "[v6]:port", "v6" or "host".
absl::string_view HostOf(absl::string_view target) {
  if (absl::ConsumePrefix(&target, "[")) return target.substr(0, target.find(']'));
  const size_t first = target.find(':');
  if (first == absl::string_view::npos) return target;
  if (target.find(':', first + 1) != absl::string_view::npos) return target;  // a bare IPv6 address
  return target.substr(0, first);
}

}  // namespace

bool IsLoopbackServer(absl::string_view server) {
  if (absl::StartsWith(server, "unix:") || absl::StartsWith(server, "unix-abstract:")) return true;
  for (absl::string_view scheme : {"dns:///", "dns:", "ipv4:", "ipv6:"}) {
    if (absl::ConsumePrefix(&server, scheme)) break;
  }
  const std::string host = absl::AsciiStrToLower(HostOf(server));
  if (host == "localhost" || host == "localhost.") return true;
  in_addr v4;
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6;
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

absl::StatusOr<ChannelChoice> ChooseChannelCredentials(absl::string_view server, const std::string& ca_file,
                                                       bool plaintext) {
  if (plaintext && !ca_file.empty()) {
    return absl::InvalidArgumentError("--plaintext and --tls-ca-file contradict each other: pick one");
  }
  if (plaintext || (ca_file.empty() && IsLoopbackServer(server))) {
    return ChannelChoice{.credentials = grpc::InsecureChannelCredentials(), .tls = false};
  }
  grpc::SslCredentialsOptions options;
  if (!ca_file.empty()) {
    std::ifstream in(ca_file);
    if (!in) return absl::InvalidArgumentError(absl::StrCat("--tls-ca-file: cannot read ", ca_file));
    std::stringstream pem;
    pem << in.rdbuf();
    if (!absl::StrContains(pem.str(), "-----BEGIN CERTIFICATE-----")) {
      return absl::InvalidArgumentError(absl::StrCat("--tls-ca-file: ", ca_file, " holds no PEM certificate"));
    }
    options.pem_root_certs = pem.str();
  }
  return ChannelChoice{.credentials = grpc::SslCredentials(options), .tls = true};
}

}  // namespace clipforge::worker
