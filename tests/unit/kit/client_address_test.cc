#include "services/kit/client_address.h"

#include <gtest/gtest.h>

namespace clipforge::kit {
namespace {

ClientAddresses Trusting(absl::string_view proxies) { return ClientAddresses::Parse(proxies).value(); }

TEST(ClientAddressesTest, WithoutTrustedProxiesTheHeaderIsIgnored) {
  const ClientAddresses none;
  EXPECT_EQ(none.Resolve("ipv4:203.0.113.9:5555", "198.51.100.1"), "203.0.113.9");
  EXPECT_EQ(none.Resolve("ipv4:203.0.113.9:5555", ""), "203.0.113.9");
}

TEST(ClientAddressesTest, BehindATrustedProxyTheRightmostUntrustedHopIsTheClient) {
  const ClientAddresses edge = Trusting("10.0.0.0/8, fd00::/8");
  // The ingress at 10.1.2.3 appended the client it saw.
  EXPECT_EQ(edge.Resolve("ipv4:10.1.2.3:443", "198.51.100.7"), "198.51.100.7");
  // Two of our proxies in a row.
  EXPECT_EQ(edge.Resolve("ipv4:10.1.2.3:443", "198.51.100.7, 10.9.9.9"), "198.51.100.7");
  // Whatever the client wrote itself stands to the left and is not believed.
  EXPECT_EQ(edge.Resolve("ipv4:10.1.2.3:443", "1.1.1.1, 198.51.100.7"), "198.51.100.7");
  // A connection from outside the trusted networks cannot choose its address.
  EXPECT_EQ(edge.Resolve("ipv4:203.0.113.9:5555", "198.51.100.7"), "203.0.113.9");
  // A hop that does not parse: the proxy's own budget, never a chosen key.
  EXPECT_EQ(edge.Resolve("ipv4:10.1.2.3:443", "198.51.100.7, junk"), "10.1.2.3");
  // Every hop is ours: the call started inside.
  EXPECT_EQ(edge.Resolve("ipv4:10.1.2.3:443", "10.4.4.4"), "10.1.2.3");
}

TEST(ClientAddressesTest, Ipv6ClientsShareTheirSlash64) {
  const ClientAddresses none;
  EXPECT_EQ(none.Resolve("ipv6:[2001:db8:1:2:aaaa::1]:5555", ""), "2001:db8:1:2::/64");
  EXPECT_EQ(none.Resolve("ipv6:[2001:db8:1:2:bbbb::9]:5555", ""), "2001:db8:1:2::/64");
  EXPECT_NE(none.Resolve("ipv6:[2001:db8:1:3::1]:5555", ""), "2001:db8:1:2::/64");
  // IPv4-mapped addresses are the IPv4 client.
  EXPECT_EQ(none.Resolve("ipv6:[::ffff:203.0.113.9]:5555", ""), "203.0.113.9");
  EXPECT_EQ(Trusting("::1").Resolve("ipv6:[::1]:5555", "2001:db8:5:6::77"), "2001:db8:5:6::/64");
}

TEST(ClientAddressesTest, BadProxyListsAreRefusedNamingTheFlag) {
  for (const char* bad : {"10.0.0.0/33", "not-an-ip", "10.0.0.0/8/1", "fd00::/129"}) {
    const absl::StatusOr<ClientAddresses> parsed = ClientAddresses::Parse(bad);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(parsed.status().message().find("--trusted-proxies"), std::string::npos);
  }
  EXPECT_TRUE(ClientAddresses::Parse("").ok());
  EXPECT_TRUE(ClientAddresses::Parse("192.0.2.1, 2001:db8::/32").ok());
}

TEST(IpNetworkTest, ContainsByPrefix) {
  const IpNetwork net = IpNetwork::Parse("192.0.2.0/25").value();
  EXPECT_TRUE(net.Contains(*IpAddress::Parse("192.0.2.127")));
  EXPECT_FALSE(net.Contains(*IpAddress::Parse("192.0.2.128")));
  EXPECT_FALSE(net.Contains(*IpAddress::Parse("2001:db8::1")));
  EXPECT_TRUE(IpNetwork::Parse("0.0.0.0/0")->Contains(*IpAddress::Parse("8.8.8.8")));
}

}  // namespace
}  // namespace clipforge::kit
