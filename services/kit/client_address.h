// Who is on the other end of a call, as the per-address budgets (sign-ups,
// logins, password checks) key it.
//
// Behind an ingress every connection comes from the proxy, so one budget
// would lock everyone out. The address is therefore read from
// `x-forwarded-for`, but only when the connection comes from a configured
// trusted proxy (none by default: the header is then ignored, as anyone can
// send it). Walking the header from the right, the first address that is
// not itself a trusted proxy is the client: what our own proxies appended
// can be trusted, what stands left of it is whatever the client sent.
//
// IPv6 clients are grouped by /64, the block one subscriber is given, so
// rotating through one's own addresses buys no extra budget.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace grpc {
class ServerContextBase;
}

namespace clipforge::kit {

// An IPv4 or IPv6 address (IPv4 held as an IPv4-mapped IPv6 address).
struct IpAddress {
  std::array<uint8_t, 16> bytes{};
  bool v4 = false;

  static std::optional<IpAddress> Parse(absl::string_view text);
  // The budget key: "1.2.3.4" or "2001:db8:1:2::/64".
  std::string BudgetKey() const;
};

struct IpNetwork {
  IpAddress base;
  int prefix_bits = 0;  // Over the 128-bit (mapped) form.

  // "10.0.0.0/8", "fd00::/8", or one address ("192.0.2.1").
  static absl::StatusOr<IpNetwork> Parse(absl::string_view text);
  bool Contains(const IpAddress& address) const;
};

class ClientAddresses {
 public:
  // `trusted_proxies`: comma-separated networks; empty trusts none.
  // INVALID_ARGUMENT "--trusted-proxies: ..." naming a bad entry.
  static absl::StatusOr<ClientAddresses> Parse(absl::string_view trusted_proxies);
  ClientAddresses() = default;

  // The budget key of the call's client.
  std::string Of(const grpc::ServerContextBase& ctx) const;
  // The same from gRPC's peer string ("ipv4:1.2.3.4:5678",
  // "ipv6:[::1]:5678") and the x-forwarded-for values joined with commas.
  std::string Resolve(absl::string_view peer, absl::string_view forwarded_for) const;

 private:
  bool Trusted(const IpAddress& address) const;

  std::vector<IpNetwork> trusted_;
};

}  // namespace clipforge::kit
