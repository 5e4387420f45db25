#include "services/kit/client_address.h"

#include <arpa/inet.h>
#include <grpcpp/server_context.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace clipforge::kit {
namespace {

// The host part of gRPC's peer string; empty when it has none.
absl::string_view PeerHost(absl::string_view peer) {
  if (absl::ConsumePrefix(&peer, "ipv4:")) return peer.substr(0, peer.rfind(':'));
  if (absl::ConsumePrefix(&peer, "ipv6:")) {
    peer = peer.substr(0, peer.rfind(':'));
    absl::ConsumePrefix(&peer, "[");
    absl::ConsumeSuffix(&peer, "]");
    // A zone ("fe80::1%eth0") is not part of the address.
    return peer.substr(0, peer.find('%'));
  }
  return {};
}

}  // namespace

std::optional<IpAddress> IpAddress::Parse(absl::string_view text) {
  const std::string host(absl::StripAsciiWhitespace(text));
  if (host.empty() || host.size() > INET6_ADDRSTRLEN) return std::nullopt;
  IpAddress address;
  in_addr v4;
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    address.v4 = true;
    address.bytes[10] = address.bytes[11] = 0xff;
    std::memcpy(&address.bytes[12], &v4, 4);
    return address;
  }
  if (inet_pton(AF_INET6, host.c_str(), address.bytes.data()) == 1) {
    // IPv4-mapped (::ffff:a.b.c.d) is the IPv4 client it names.
    address.v4 = std::all_of(address.bytes.begin(), address.bytes.begin() + 10, [](uint8_t b) { return b == 0; }) &&
                 address.bytes[10] == 0xff && address.bytes[11] == 0xff;
    return address;
  }
  return std::nullopt;
}

std::string IpAddress::BudgetKey() const {
  if (v4) return absl::StrFormat("%d.%d.%d.%d", bytes[12], bytes[13], bytes[14], bytes[15]);
  std::vector<std::string> groups;
  for (int i = 0; i < 8; i += 2) groups.push_back(absl::StrFormat("%x", (bytes[i] << 8) | bytes[i + 1]));
  return absl::StrCat(absl::StrJoin(groups, ":"), "::/64");
}

absl::StatusOr<IpNetwork> IpNetwork::Parse(absl::string_view text) {
  const std::vector<absl::string_view> parts = absl::StrSplit(absl::StripAsciiWhitespace(text), '/');
  const std::optional<IpAddress> base = parts.empty() ? std::nullopt : IpAddress::Parse(parts[0]);
  if (!base || parts.size() > 2) return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not a network"));
  const int width = base->v4 ? 32 : 128;
  int bits = width;
  if (parts.size() == 2 && (!absl::SimpleAtoi(parts[1], &bits) || bits < 0 || bits > width)) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "': prefix length must be 0-", width));
  }
  return IpNetwork{*base, base->v4 ? bits + 96 : bits};
}

bool IpNetwork::Contains(const IpAddress& address) const {
  if (address.v4 != base.v4) return false;
  for (int i = 0; i < 16; ++i) {
    const int bits = std::clamp(prefix_bits - i * 8, 0, 8);
    const uint8_t mask = static_cast<uint8_t>(0xff << (8 - bits));
    if ((address.bytes[i] & mask) != (base.bytes[i] & mask)) return false;
  }
  return true;
}

absl::StatusOr<ClientAddresses> ClientAddresses::Parse(absl::string_view trusted_proxies) {
  ClientAddresses addresses;
  for (absl::string_view entry : absl::StrSplit(trusted_proxies, ',', absl::SkipWhitespace())) {
    absl::StatusOr<IpNetwork> network = IpNetwork::Parse(entry);
    if (!network.ok()) return absl::InvalidArgumentError(absl::StrCat("--trusted-proxies: ", network.status().message()));
    addresses.trusted_.push_back(*network);
  }
  return addresses;
}

bool ClientAddresses::Trusted(const IpAddress& address) const {
  return std::any_of(trusted_.begin(), trusted_.end(), [&](const IpNetwork& n) { return n.Contains(address); });
}

std::string ClientAddresses::Resolve(absl::string_view peer, absl::string_view forwarded_for) const {
  const std::optional<IpAddress> connected = IpAddress::Parse(PeerHost(peer));
  // Unix sockets and the like: one budget for all of them.
  if (!connected) return std::string(peer.substr(0, peer.find(':')));
  if (!Trusted(*connected) || forwarded_for.empty()) return connected->BudgetKey();
  const std::vector<absl::string_view> hops = absl::StrSplit(forwarded_for, ',');
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    const std::optional<IpAddress> address = IpAddress::Parse(*hop);
    // What our proxy appended does not parse: do not let anything left of it
    // choose the key.
    if (!address) return connected->BudgetKey();
    if (!Trusted(*address)) return address->BudgetKey();
  }
  // Every hop is one of our proxies: the request started inside.
  return connected->BudgetKey();
}

std::string ClientAddresses::Of(const grpc::ServerContextBase& ctx) const {
  std::vector<absl::string_view> forwarded;
  const auto range = ctx.client_metadata().equal_range("x-forwarded-for");
  for (auto it = range.first; it != range.second; ++it) {
    forwarded.emplace_back(it->second.data(), it->second.size());
  }
  return Resolve(ctx.peer(), absl::StrJoin(forwarded, ","));
}

}  // namespace clipforge::kit
