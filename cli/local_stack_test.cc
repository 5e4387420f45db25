#include "cli/local_stack.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <vector>

#include "cli/test_util.h"

namespace clipforge::cli {
namespace {

// What scripts/run writes (write_stack_env), with the given state and address.
std::string StackEnv(const std::string& state, const std::string& grpc_addr) {
  return "# Written by scripts/run (pid 4242); removed when it stops.\n"
         "export CLIPFORGE_RUN_PID=4242\n"
         "export CLIPFORGE_RUN_STATE=" + state + "\n"
         "export CLIPFORGE_RUN_MODE=all\n"
         "export CLIPFORGE_GRPC_ADDR=" + grpc_addr + "\n"
         "export CLIPFORGE_METRICS_URL=http://127.0.0.1:9465/metrics\n"
         "export CLIPFORGE_DATABASE_URL=postgresql://clipforge:5eb3@127.0.0.1:24001/clipforge\n"
         "export CLIPFORGE_NATS_URL=nats://127.0.0.1:24002\n";
}

TEST(RunningStackServerTest, TheAddressOfARunningStack) {
  EXPECT_EQ(RunningStackServer(StackEnv("running", "127.0.0.1:50052")), "127.0.0.1:50052");
  EXPECT_EQ(RunningStackServer(StackEnv("running", "[::1]:50052")), "[::1]:50052");
  EXPECT_EQ(RunningStackServer(StackEnv("running", "localhost:7")), "localhost:7");
}

TEST(RunningStackServerTest, NothingWhileStartingOrWithoutAServer) {
  EXPECT_EQ(RunningStackServer(StackEnv("starting", "127.0.0.1:50052")), std::nullopt);
  // --infra-only: running, but no clipforged and so no CLIPFORGE_GRPC_ADDR.
  EXPECT_EQ(RunningStackServer("export CLIPFORGE_RUN_STATE=running\n"
                               "export CLIPFORGE_NATS_URL=nats://127.0.0.1:24002\n"),
            std::nullopt);
  EXPECT_EQ(RunningStackServer(""), std::nullopt);
}

TEST(RunningStackServerTest, OnlyAPlainHostPortIsAccepted) {
  for (const std::string bad :
       {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:+80",
        "127.0.0.1:99999999999", ":50051", "'127.0.0.1:50051'", "$'127.0.0.1:50051'",
        "127.0.0.1\\:50051", "$(touch /tmp/x):1", "`id`:1", "unix:/tmp/socket",
        "dns:///example.com:1", "host name:1", "127.0.0.1:50051 ", "127.0.0.1:50051\r",
        "[]:1", "[::1:1", "user@host:1", "host;rm:1"}) {
    EXPECT_EQ(RunningStackServer(StackEnv("running", bad)), std::nullopt) << bad;
  }
}

TEST(RunningStackServerTest, TheFileIsReadAsDataLineByLine) {
  // The last assignment wins, as when the file is sourced.
  EXPECT_EQ(RunningStackServer("export CLIPFORGE_GRPC_ADDR=127.0.0.1:1\n"
                               "export CLIPFORGE_RUN_STATE=running\n"
                               "export CLIPFORGE_GRPC_ADDR=127.0.0.1:2\n"),
            "127.0.0.1:2");
  // Only `export NAME=VALUE` lines count; the state must be exactly "running".
  EXPECT_EQ(RunningStackServer("CLIPFORGE_RUN_STATE=running\nexport CLIPFORGE_GRPC_ADDR=127.0.0.1:1\n"),
            std::nullopt);
  EXPECT_EQ(RunningStackServer("# export CLIPFORGE_RUN_STATE=running\n"
                               "export CLIPFORGE_GRPC_ADDR=127.0.0.1:1\n"),
            std::nullopt);
  EXPECT_EQ(RunningStackServer("export CLIPFORGE_RUN_STATE=running; id\n"
                               "export CLIPFORGE_GRPC_ADDR=127.0.0.1:1\n"),
            std::nullopt);
  EXPECT_EQ(RunningStackServer("export CLIPFORGE_RUN_STATE='running'\n"
                               "export CLIPFORGE_GRPC_ADDR=127.0.0.1:1\n"),
            std::nullopt);
  EXPECT_EQ(RunningStackServer("export CLIPFORGE_RUN_STATE=running\r\n"
                               "export CLIPFORGE_GRPC_ADDR=127.0.0.1:1\n"),
            std::nullopt);
}

// A fake filesystem: path -> contents; records every path asked for.
struct FakeFiles {
  std::map<std::string, std::string> files;
  std::vector<std::string> asked;

  ReadFileFn reader() {
    return [this](const std::string& path) -> std::optional<std::string> {
      asked.push_back(path);
      const auto it = files.find(path);
      if (it == files.end()) return std::nullopt;
      return it->second;
    };
  }
};

TEST(FindLocalStackServerTest, SearchesFromTheExecutableUpToTheClone) {
  FakeFiles fs;
  fs.files["/home/alice/clipforge/.data/stack.env"] = StackEnv("running", "127.0.0.1:23456");
  EXPECT_EQ(FindLocalStackServer("/home/alice/clipforge/build/release/bin/clipforge", fs.reader()),
            "127.0.0.1:23456");
  EXPECT_EQ(fs.asked, (std::vector<std::string>{
                          "/home/alice/clipforge/build/release/bin/.data/stack.env",
                          "/home/alice/clipforge/build/release/.data/stack.env",
                          "/home/alice/clipforge/build/.data/stack.env",
                          "/home/alice/clipforge/.data/stack.env",
                      }));
}

TEST(FindLocalStackServerTest, TheNearestFileDecides) {
  FakeFiles fs;
  fs.files["/src/outer/inner/.data/stack.env"] = StackEnv("starting", "127.0.0.1:1");
  fs.files["/src/outer/.data/stack.env"] = StackEnv("running", "127.0.0.1:2");
  EXPECT_EQ(FindLocalStackServer("/src/outer/inner/build/release/bin/clipforge", fs.reader()),
            std::nullopt);
}

TEST(FindLocalStackServerTest, NothingFoundUpToTheRoot) {
  FakeFiles fs;
  EXPECT_EQ(FindLocalStackServer("/usr/local/bin/clipforge", fs.reader()), std::nullopt);
  EXPECT_EQ(fs.asked, (std::vector<std::string>{"/usr/local/bin/.data/stack.env",
                                                "/usr/local/.data/stack.env", "/usr/.data/stack.env",
                                                "/.data/stack.env"}));
  fs.asked.clear();
  EXPECT_EQ(FindLocalStackServer("/clipforge", fs.reader()), std::nullopt);
  EXPECT_EQ(fs.asked, (std::vector<std::string>{"/.data/stack.env"}));
  // No executable path, or a relative one: nothing is read.
  fs.asked.clear();
  EXPECT_EQ(FindLocalStackServer("", fs.reader()), std::nullopt);
  EXPECT_EQ(FindLocalStackServer("clipforge", fs.reader()), std::nullopt);
  EXPECT_TRUE(fs.asked.empty());
}

class ReadOwnPrivateFileTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text, mode_t mode) {
    const std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << text;
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }
  testing::TempDir dir_;
};

TEST_F(ReadOwnPrivateFileTest, ReadsAPrivateFileOfOurs) {
  EXPECT_EQ(ReadOwnPrivateFile(Write("stack.env", "text\n", 0600)), "text\n");
  EXPECT_EQ(ReadOwnPrivateFile(Write("read-only", "text\n", 0400)), "text\n");
}

TEST_F(ReadOwnPrivateFileTest, IgnoresWhatOthersCouldHaveWrittenOrRead) {
  EXPECT_EQ(ReadOwnPrivateFile(dir_.path() + "/missing"), std::nullopt);
  EXPECT_EQ(ReadOwnPrivateFile(Write("open", "text\n", 0644)), std::nullopt);
  EXPECT_EQ(ReadOwnPrivateFile(Write("group", "text\n", 0620)), std::nullopt);
  EXPECT_EQ(ReadOwnPrivateFile(Write("big", std::string(65 * 1024, 'x'), 0600)), std::nullopt);
  const std::string target = Write("target", "text\n", 0600);
  ASSERT_EQ(::symlink(target.c_str(), (dir_.path() + "/link").c_str()), 0);
  EXPECT_EQ(ReadOwnPrivateFile(dir_.path() + "/link"), std::nullopt);
  EXPECT_EQ(ReadOwnPrivateFile(dir_.path()), std::nullopt);  // a directory
}

TEST(ExecutablePathTest, IsThisTestBinary) {
  const std::string path = ExecutablePath();
  EXPECT_EQ(path.rfind('/', 0), 0u) << path;
  EXPECT_NE(path.find("cli_unit_tests"), std::string::npos) << path;
}

}  // namespace
}  // namespace clipforge::cli
