#include "cli/transport.h"

#include <arpa/inet.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "cli/errors.h"

namespace clipforge::cli {
namespace {

// The host of "host:port", "[v6]:port", "v6" or "host".
absl::string_view HostOf(absl::string_view target) {
  if (absl::ConsumePrefix(&target, "[")) return target.substr(0, target.find(']'));
  const size_t first = target.find(':');
  if (first == absl::string_view::npos) return target;
  if (target.find(':', first + 1) != absl::string_view::npos) return target;  // Bare IPv6.
  return target.substr(0, first);
}

}  // namespace

bool IsLoopbackTarget(absl::string_view target) {
  if (absl::StartsWith(target, "unix:") || absl::StartsWith(target, "unix-abstract:")) return true;
  for (absl::string_view scheme : {"dns:///", "dns:", "ipv4:", "ipv6:"}) {
    if (absl::ConsumePrefix(&target, scheme)) break;
  }
  const std::string host = absl::AsciiStrToLower(HostOf(target));
  if (host == "localhost" || host == "localhost.") return true;
  in_addr v4;
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6;
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

absl::StatusOr<Transport> ChooseTransport(absl::string_view server, bool plaintext_flag,
                                          const std::string& ca_file_flag,
                                          const std::string& ca_file_env) {
  if (plaintext_flag && !ca_file_flag.empty()) {
    return UsageError("--plaintext and --ca-file contradict each other: pick one");
  }
  if (plaintext_flag) return Transport{.tls = false};
  const std::string& ca_file = ca_file_flag.empty() ? ca_file_env : ca_file_flag;
  if (!ca_file.empty()) return Transport{.tls = true, .ca_file = ca_file};
  return Transport{.tls = !IsLoopbackTarget(server)};
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(
    const Transport& transport) {
  if (!transport.tls) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  if (!transport.ca_file.empty()) {
    std::ifstream in(transport.ca_file);
    if (!in.is_open()) return UsageError(absl::StrCat("--ca-file: cannot read ", transport.ca_file));
    std::stringstream pem;
    pem << in.rdbuf();
    if (!absl::StrContains(pem.str(), "-----BEGIN CERTIFICATE-----")) {
      return UsageError(absl::StrCat("--ca-file: ", transport.ca_file, " holds no PEM certificate"));
    }
    options.pem_root_certs = pem.str();
  }
  return grpc::SslCredentials(options);
}

}  // namespace clipforge::cli
