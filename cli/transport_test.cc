#include "cli/transport.h"

#include <gtest/gtest.h>

#include "cli/errors.h"

namespace clipforge::cli {
namespace {

TEST(IsLoopbackTargetTest, LoopbackAddressesAndNames) {
  for (const char* target : {"127.0.0.1:50051", "127.1.2.3:1", "localhost:50051", "LOCALHOST:1",
                             "localhost", "[::1]:50051", "::1", "dns:///localhost:50051",
                             "ipv4:127.0.0.1:50051", "ipv6:[::1]:1", "unix:/tmp/clipforge.sock"}) {
    EXPECT_TRUE(IsLoopbackTarget(target)) << target;
  }
}

TEST(IsLoopbackTargetTest, EverythingElseIsRemote) {
  for (const char* target : {"api.clipforge.example:443", "10.0.0.5:50051", "[2001:db8::1]:443",
                             "128.0.0.1:1", "localhost.example:1", "0.0.0.0:50051",
                             "dns:///api.clipforge.example:443", "192.168.1.2"}) {
    EXPECT_FALSE(IsLoopbackTarget(target)) << target;
  }
}

TEST(ChooseTransportTest, TlsForRemoteServersPlaintextForLoopback) {
  EXPECT_TRUE(ChooseTransport("api.clipforge.example:443", false, "", "")->tls);
  EXPECT_TRUE(ChooseTransport("10.1.2.3:50051", false, "", "")->tls);
  EXPECT_FALSE(ChooseTransport("127.0.0.1:50051", false, "", "")->tls);
  EXPECT_FALSE(ChooseTransport("localhost:50051", false, "", "")->tls);
  EXPECT_FALSE(ChooseTransport("[::1]:50051", false, "", "")->tls);
}

TEST(ChooseTransportTest, PlaintextFlagOptsOutForAnyServer) {
  EXPECT_FALSE(ChooseTransport("api.clipforge.example:443", true, "", "")->tls);
  // The flag wins over a CA file from the environment.
  EXPECT_FALSE(ChooseTransport("api.clipforge.example:443", true, "", "/etc/ca.pem")->tls);
}

TEST(ChooseTransportTest, CaFileMeansTlsEvenOnLoopback) {
  auto flag = ChooseTransport("127.0.0.1:50051", false, "/tmp/flag-ca.pem", "/tmp/env-ca.pem");
  ASSERT_TRUE(flag.ok());
  EXPECT_TRUE(flag->tls);
  EXPECT_EQ(flag->ca_file, "/tmp/flag-ca.pem");
  auto env = ChooseTransport("localhost:1", false, "", "/tmp/env-ca.pem");
  ASSERT_TRUE(env.ok());
  EXPECT_TRUE(env->tls);
  EXPECT_EQ(env->ca_file, "/tmp/env-ca.pem");
}

TEST(ChooseTransportTest, PlaintextWithCaFileIsAUsageError) {
  auto both = ChooseTransport("api.clipforge.example:443", true, "/tmp/ca.pem", "");
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(ExitCodeOf(both.status()), kExitUsage);
}

TEST(ChannelCredentialsForTest, UnreadableOrEmptyCaFileIsAUsageError) {
  auto missing = ChannelCredentialsFor({.tls = true, .ca_file = "/nonexistent/ca.pem"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(ExitCodeOf(missing.status()), kExitUsage);
  EXPECT_NE(missing.status().message().find("/nonexistent/ca.pem"), absl::string_view::npos);
  auto not_pem = ChannelCredentialsFor({.tls = true, .ca_file = "/dev/null"});
  ASSERT_FALSE(not_pem.ok());
  EXPECT_EQ(ExitCodeOf(not_pem.status()), kExitUsage);
  EXPECT_TRUE(ChannelCredentialsFor({.tls = false}).ok());
  EXPECT_TRUE(ChannelCredentialsFor({.tls = true}).ok());
}

}  // namespace
}  // namespace clipforge::cli
