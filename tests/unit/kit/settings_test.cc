#include "services/kit/settings.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace clipforge::kit {
namespace {

const std::vector<SettingSpec> kSpecs = {
    {"grpc-addr", "127.0.0.1:50051", "gRPC listen address"},
    {"pool-size", "8", "connections"},
    {"shutdown-grace", "10s", "drain time"},
    {"reflection", "true", "server reflection"},
    {"database-url", "", "DSN", /*secret=*/true},
};

TEST(SettingsTest, FlagsBeatEnvironmentBeatFileBeatDefaults) {
  const std::string path = ::testing::TempDir() + "/settings_test.conf";
  std::ofstream(path) << "# comment\npool-size = 4\nshutdown-grace = 20s\ngrpc-addr = file:1\n";
  std::string env_pool = "CLIPFORGE_POOL_SIZE=6";
  std::string env_grpc = "CLIPFORGE_GRPC_ADDR=env:2";
  char* env[] = {env_pool.data(), env_grpc.data(), nullptr};
  auto settings = Settings::Load(kSpecs, {"--config=" + path, "--grpc-addr=flag:3"}, env);
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_EQ(settings->Get("grpc-addr"), "flag:3");
  EXPECT_EQ(settings->GetInt("pool-size", 1, 64).value(), 6);
  EXPECT_EQ(settings->GetDuration("shutdown-grace").value(), absl::Seconds(20));
  EXPECT_TRUE(settings->GetBool("reflection").value());
  EXPECT_EQ(settings->Get("database-url"), "");
}

TEST(SettingsTest, UnknownKeysAndBadValuesAreRefusedWithTheirName) {
  char* env[] = {nullptr};
  EXPECT_EQ(Settings::Load(kSpecs, {"--grcp-addr=x"}, env).status().message(), "unknown flag --grcp-addr");
  EXPECT_FALSE(Settings::Load(kSpecs, {"positional"}, env).ok());
  auto settings = Settings::Load(kSpecs, {"--pool-size=0", "--shutdown-grace=soon"}, env);
  ASSERT_TRUE(settings.ok());
  EXPECT_EQ(settings->GetInt("pool-size", 1, 64).status().message(),
            "--pool-size: expected an integer between 1 and 64");
  EXPECT_EQ(settings->GetDuration("shutdown-grace").status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::string path = ::testing::TempDir() + "/settings_bad.conf";
  std::ofstream(path) << "pool-sise = 4\n";
  EXPECT_NE(Settings::Load(kSpecs, {"--config=" + path}, env).status().message().find("unknown key 'pool-sise'"),
            std::string::npos);
}

TEST(SettingsTest, UsageNamesEnvironmentVariables) {
  const std::string usage = Settings::Usage(kSpecs);
  EXPECT_NE(usage.find("--database-url=VALUE  (CLIPFORGE_DATABASE_URL)"), std::string::npos);
}

}  // namespace
}  // namespace clipforge::kit
