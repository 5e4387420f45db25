#include "services/kit/logger.h"

#include <gtest/gtest.h>

#include "base/testing/fake_clock.h"

#include <cstdio>

namespace clipforge::kit {
namespace {


std::string Capture(const std::function<void(Logger&)>& fn, LogLevel level = LogLevel::kInfo) {
  char* buffer = nullptr;
  size_t size = 0;
  FILE* sink = open_memstream(&buffer, &size);
  base::testing::FakeClock clock(absl::FromUnixMicros(1'700'000'000'123'456));
  {
    Logger logger(sink, clock, level);
    fn(logger);
  }
  std::fclose(sink);
  std::string out(buffer, size);
  std::free(buffer);
  return out;
}

TEST(LoggerTest, WritesOneEscapedJsonObjectPerLine) {
  const std::string out = Capture([](Logger& log) {
    log.Info("rpc", {{"method", "/a.B/C"}, {"code", 3}, {"note", "quote \" and\nnewline"},
                     {"ok", true}, {"ratio", 0.5}});
  });
  EXPECT_EQ(out,
            "{\"ts\":\"2023-11-14T22:13:20.123456Z\",\"level\":\"info\",\"event\":\"rpc\","
            "\"method\":\"/a.B/C\",\"code\":3,\"note\":\"quote \\\" and\\nnewline\","
            "\"ok\":true,\"ratio\":0.5}\n");
}

TEST(LoggerTest, DropsLinesBelowTheLevel) {
  EXPECT_EQ(Capture([](Logger& log) { log.Info("hidden"); }, LogLevel::kWarn), "");
  EXPECT_NE(Capture([](Logger& log) { log.Error("shown"); }, LogLevel::kWarn), "");
}

TEST(LoggerTest, RedactsDsnPasswords) {
  EXPECT_EQ(RedactDsn("postgresql://clipforge:s3cr%40t@127.0.0.1:5432/clipforge"),
            "postgresql://clipforge:***@127.0.0.1:5432/clipforge");
  EXPECT_EQ(RedactDsn("host=db user=cf password=hunter2 dbname=x"),
            "host=db user=cf password=*** dbname=x");
  EXPECT_EQ(RedactDsn("postgresql://cf@db/x"), "postgresql://cf@db/x");
}

}  // namespace
}  // namespace clipforge::kit
