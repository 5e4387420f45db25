#include "cli/config.h"

#include <gtest/gtest.h>

#include <map>

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

}  // namespace
}  // namespace clipforge::cli
