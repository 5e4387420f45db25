#include "cli/config.h"

#include <gtest/gtest.h>

#include <map>

#include "cli/errors.h"

namespace clipforge::cli {
namespace {

// ResolveConfig with `env` as the environment and `local` as what the local
// stack lookup finds; counts the lookups.
struct Resolver {
  std::map<std::string, std::string> env = {{"HOME", "/home/alice"}};
  std::optional<std::string> local;
  int lookups = 0;

  Config Resolve(const GlobalOptions& global = {}) {
    const auto getenv = [&](const char* name) -> const char* {
      const auto it = env.find(name);
      return it == env.end() ? nullptr : it->second.c_str();
    };
    const auto local_stack = [&]() -> std::optional<std::string> {
      ++lookups;
      return local;
    };
    auto config = ResolveConfig(global, getenv, local_stack);
    EXPECT_TRUE(config.ok()) << config.status();
    return config.value_or(Config{});
  }
};

TEST(ResolveConfigTest, ServerFlagWinsOverEverything) {
  Resolver r;
  r.env["CLIPFORGE_SERVER"] = "env.example:1";
  r.local = "127.0.0.1:23456";
  GlobalOptions global;
  global.server = "flag.example:2";
  EXPECT_EQ(r.Resolve(global).server, "flag.example:2");
  EXPECT_EQ(r.lookups, 0);  // No file is read when the user named a server.
}

TEST(ResolveConfigTest, EnvironmentWinsOverTheLocalStack) {
  Resolver r;
  r.env["CLIPFORGE_SERVER"] = "env.example:1";
  r.local = "127.0.0.1:23456";
  EXPECT_EQ(r.Resolve().server, "env.example:1");
  EXPECT_EQ(r.lookups, 0);
}

TEST(ResolveConfigTest, TheRunningLocalStackWinsOverTheDefault) {
  Resolver r;
  r.env["CLIPFORGE_SERVER"] = "";  // Empty counts as unset.
  r.local = "127.0.0.1:23456";
  EXPECT_EQ(r.Resolve().server, "127.0.0.1:23456");
  EXPECT_EQ(r.lookups, 1);
}

TEST(ResolveConfigTest, WithoutALocalStackTheDefaultServer) {
  Resolver r;
  EXPECT_EQ(r.Resolve().server, kDefaultServer);
  EXPECT_EQ(r.Resolve().config_dir, "/home/alice/.config/clipforge");
}

TEST(ResolveConfigTest, TlsForAnyServerThatIsNotLoopback) {
  Resolver r;
  EXPECT_FALSE(r.Resolve().transport.tls);  // 127.0.0.1:50051
  GlobalOptions remote;
  remote.server = "api.clipforge.example:443";
  EXPECT_TRUE(r.Resolve(remote).transport.tls);
  EXPECT_EQ(r.Resolve(remote).transport.ca_file, "");
  GlobalOptions localhost;
  localhost.server = "localhost:50051";
  EXPECT_FALSE(r.Resolve(localhost).transport.tls);
  GlobalOptions v6;
  v6.server = "[::1]:50051";
  EXPECT_FALSE(r.Resolve(v6).transport.tls);
  r.env["CLIPFORGE_SERVER"] = "10.0.0.7:50051";
  EXPECT_TRUE(r.Resolve().transport.tls);
}

TEST(ResolveConfigTest, PlaintextOptsOutAndACaFileOptsIn) {
  Resolver r;
  GlobalOptions plaintext;
  plaintext.server = "api.clipforge.example:443";
  plaintext.plaintext = true;
  EXPECT_FALSE(r.Resolve(plaintext).transport.tls);

  r.env["CLIPFORGE_CA_FILE"] = "/etc/clipforge/ca.pem";
  const Config from_env = r.Resolve();  // Loopback, but a CA file was named.
  EXPECT_TRUE(from_env.transport.tls);
  EXPECT_EQ(from_env.transport.ca_file, "/etc/clipforge/ca.pem");
  GlobalOptions flag;
  flag.ca_file = "/tmp/ca.pem";
  EXPECT_EQ(r.Resolve(flag).transport.ca_file, "/tmp/ca.pem");  // The flag wins.
  EXPECT_FALSE(r.Resolve(plaintext).transport.tls);  // --plaintext beats the environment.

  GlobalOptions both;
  both.plaintext = true;
  both.ca_file = "/tmp/ca.pem";
  const auto getenv = [](const char* name) -> const char* {
    return std::string(name) == "HOME" ? "/home/alice" : nullptr;
  };
  const auto config = ResolveConfig(both, getenv, [] { return std::optional<std::string>(); });
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(ExitCodeOf(config.status()), kExitUsage);
}

}  // namespace
}  // namespace clipforge::cli
