// The clipforge command-line client against a running clipforged (users
// service over a real Postgres), as a person would use it from a shell.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "tests/support/clipforged_process.h"
#include "tests/support/test_servers.h"

namespace clipforge::testing {
namespace {


class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_ = TestPostgres::Start();
    server_ = ClipforgedServer::Start(CF_CLIPFORGED, {.database_url = pg_->dsn()});
    ASSERT_NE(server_, nullptr);
    port_ = server_->grpc_port();
  }

  std::pair<int, std::string> Run(const std::vector<std::string>& argv, const std::string& stdin_text = "") {
    const std::string log = dir_.path() + "/cmd-" + std::to_string(++commands_) + ".log";
    std::string input;
    if (!stdin_text.empty()) {
      input = dir_.path() + "/stdin-" + std::to_string(commands_);
      std::ofstream(input) << stdin_text;
    }
    const int code = RunCommand(argv, log, input);
    return {code, ReadFileToString(log)};
  }
  std::pair<int, std::string> Clipforged(const std::vector<std::string>& args) {
    const CommandResult result = RunClipforged(CF_CLIPFORGED, args);
    return {result.exit_code, result.output};
  }
  // `clipforge` as `user` (each user has their own config dir).
  std::pair<int, std::string> Cli(const std::string& user, std::vector<std::string> args,
                                  const std::string& stdin_text = "") {
    std::vector<std::string> argv = {CF_CLIPFORGE, "--server=127.0.0.1:" + std::to_string(port_),
                                     "--config-dir=" + dir_.path() + "/config-" + user};
    argv.insert(argv.end(), args.begin(), args.end());
    return Run(argv, stdin_text);
  }

  TempDir dir_;
  std::unique_ptr<TestPostgres> pg_;
  std::unique_ptr<ClipforgedServer> server_;
  int port_ = 0;
  int commands_ = 0;
};


TEST_F(CliTest, ATryOutSessionFromRegisterToDeleteAccount) {
  auto r = Cli("alice", {"register", "--handle=alice", "--email=alice@example.com", "--display-name=Alice",
                         "--password-stdin"},
               kTestPassword);
  ASSERT_EQ(r.first, 0) << r.second;
  r = Cli("bob", {"register", "--handle=bob", "--email=bob@example.com", "--display-name=Bob", "--password-stdin"},
          kTestPassword);
  ASSERT_EQ(r.first, 0) << r.second;

  // Credentials are private to the user.
  struct stat st;
  ASSERT_EQ(stat((dir_.path() + "/config-alice/credentials.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(ReadFileToString(dir_.path() + "/config-alice/credentials.json").find("password"), std::string::npos);

  r = Cli("alice", {"--json", "whoami"});
  ASSERT_EQ(r.first, 0) << r.second;
  EXPECT_NE(r.second.find("\"handle\":\"alice\""), std::string::npos) << r.second;
  EXPECT_EQ(r.second.find("cf1."), std::string::npos);  // Tokens are never printed.

  r = Cli("alice", {"follow", "bob"});
  ASSERT_EQ(r.first, 0) << r.second;
  r = Cli("bob", {"--json", "followers"});
  ASSERT_EQ(r.first, 0) << r.second;
  EXPECT_NE(r.second.find("alice"), std::string::npos) << r.second;
  r = Cli("alice", {"following"});
  ASSERT_EQ(r.first, 0) << r.second;
  EXPECT_NE(r.second.find("bob"), std::string::npos) << r.second;

  r = Cli("alice", {"profile", "set", "--bio=I write prompts."});
  ASSERT_EQ(r.first, 0) << r.second;
  r = Cli("bob", {"--json", "profile", "alice"});
  ASSERT_EQ(r.first, 0) << r.second;
  EXPECT_NE(r.second.find("I write prompts."), std::string::npos) << r.second;

  const std::string archive = dir_.path() + "/alice-export.json";
  r = Cli("alice", {"export", "--out=" + archive});
  ASSERT_EQ(r.first, 0) << r.second;
  EXPECT_NE(ReadFileToString(archive).find("\"email\":\"alice@example.com\""), std::string::npos);

  // Bad input and bad passwords get clear messages and non-zero exits.
  r = Cli("carol", {"register", "--handle=x", "--email=nope", "--display-name=C", "--password-stdin"},
          "password123\n");
  EXPECT_NE(r.first, 0);
  EXPECT_NE(r.second.find("handle"), std::string::npos) << r.second;
  r = Cli("eve", {"login", "alice", "--password-stdin"}, "not alice's password\n");
  EXPECT_EQ(r.first, 1) << r.second;

  // The first admin is made on the server machine; it applies at next login.
  r = Clipforged({"admin", "make-admin", "--handle=bob", "--database-url=" + pg_->dsn()});
  ASSERT_EQ(r.first, 0) << r.second;
  r = Cli("bob", {"login", "bob", "--password-stdin"}, kTestPassword);
  ASSERT_EQ(r.first, 0) << r.second;
  r = Cli("bob", {"whoami"});
  EXPECT_NE(r.second.find("admin"), std::string::npos) << r.second;

  r = Cli("alice", {"logout"});
  ASSERT_EQ(r.first, 0) << r.second;
  EXPECT_EQ(Cli("alice", {"whoami"}).first, 3);  // Not logged in.

  // The only admin cannot delete their account.
  r = Cli("bob", {"delete-account", "--yes", "--password-stdin"}, kTestPassword);
  EXPECT_EQ(r.first, 1) << r.second;
  EXPECT_NE(r.second.find("LAST_ADMIN"), std::string::npos) << r.second;

  r = Cli("alice", {"login", "alice", "--password-stdin"}, kTestPassword);
  ASSERT_EQ(r.first, 0) << r.second;
  r = Cli("alice", {"delete-account", "--yes", "--password-stdin"}, kTestPassword);
  ASSERT_EQ(r.first, 0) << r.second;
  r = Cli("alice", {"login", "alice", "--password-stdin"}, kTestPassword);
  EXPECT_EQ(r.first, 1) << r.second;
}

TEST_F(CliTest, UnreachableServerAndUsageErrorsAreExplained) {
  auto r = Run({CF_CLIPFORGE, "--server=127.0.0.1:1", "--config-dir=" + dir_.path() + "/x", "login", "someone",
                "--password-stdin"},
               kTestPassword);
  EXPECT_EQ(r.first, 1);
  EXPECT_NE(r.second.find("127.0.0.1:1"), std::string::npos) << r.second;
  r = Cli("x", {"frobnicate"});
  EXPECT_EQ(r.first, 2);
}

}  // namespace
}  // namespace clipforge::testing
