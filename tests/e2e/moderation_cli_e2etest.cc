// The prompt filter end to end: two clipforged instances over one Postgres
// and one JetStream nats-server (the first also runs the outbox relay), an
// admin adding and switching off rules with the clipforge CLI on one, and
// every check on the other following within moments. The second instance
// polls the policy version only hourly, so what carries each change is the
// rule_changed event.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <regex>

#include "tests/support/bus_fixture.h"
#include "tests/support/clipforged_process.h"
#include "tests/support/test_servers.h"

namespace clipforge::testing {
namespace {


class ModerationCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    first_ = ClipforgedServer::Start(CF_CLIPFORGED, {.services = "users,moderation,relay",
                                                     .database_url = bus_.pg().dsn(),
                                                     .nats_url = bus_.nats().url()});
    ASSERT_NE(first_, nullptr);
    second_ = ClipforgedServer::Start(
        CF_CLIPFORGED, {.services = "users,moderation",
                        .database_url = bus_.pg().dsn(),
                        .nats_url = bus_.nats().url(),
                        .signing_key = false,
                        .extra_flags = {"--token-signing-key-file=" + first_->key_file(),
                                        "--moderation-policy-poll-interval=1h"}});
    ASSERT_NE(second_, nullptr);
  }

  // `clipforge` as `user` against `server` (each pair has its own config dir).
  std::pair<int, std::string> Cli(const ClipforgedServer& server, const std::string& user,
                                  std::vector<std::string> args, const std::string& stdin_text = "") {
    std::vector<std::string> argv = {CF_CLIPFORGE, "--server=" + server.address(),
                                     "--config-dir=" + dir_.path() + "/config-" + user + "-" +
                                         std::to_string(server.grpc_port())};
    argv.insert(argv.end(), args.begin(), args.end());
    const std::string log = dir_.path() + "/cmd-" + std::to_string(++commands_) + ".log";
    std::string input;
    if (!stdin_text.empty()) {
      input = dir_.path() + "/stdin-" + std::to_string(commands_);
      std::ofstream(input) << stdin_text;
    }
    const int code = RunCommand(argv, log, input);
    return {code, ReadFileToString(log)};
  }

  // The decision `clipforge check` prints on the second instance.
  std::string DecisionOnSecond(const std::string& text) {
    const auto r = Cli(*second_, "bob", {"--json", "check", text});
    EXPECT_EQ(r.first, 0) << r.second;
    std::smatch m;
    return std::regex_search(r.second, m, std::regex("\"decision\":\"([a-z]+)\"")) ? m[1].str() : r.second;
  }

  // Checks on the second instance until it decides `want`; the milliseconds
  // that took, or -1 after 10 s.
  double MillisUntilSecondDecides(const std::string& text, const std::string& want) {
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < std::chrono::seconds(10)) {
      if (DecisionOnSecond(text) == want) {
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      }
    }
    return -1;
  }

  BusFixture bus_;
  TempDir dir_;
  std::unique_ptr<ClipforgedServer> first_;
  std::unique_ptr<ClipforgedServer> second_;
  int commands_ = 0;
};

TEST_F(ModerationCliTest, AnAdminsRuleReachesChecksOnEveryInstance) {
  auto r = Cli(*first_, "alice", {"register", "--handle=alice", "--email=alice@example.com",
                                  "--display-name=Alice", "--password-stdin"}, kTestPassword);
  ASSERT_EQ(r.first, 0) << r.second;
  r = Cli(*first_, "bob", {"register", "--handle=bob", "--email=bob@example.com", "--display-name=Bob",
                           "--password-stdin"}, kTestPassword);
  ASSERT_EQ(r.first, 0) << r.second;
  const CommandResult made =
      RunClipforged(CF_CLIPFORGED, {"admin", "make-admin", "--handle=alice", "--database-url=" + bus_.pg().dsn()});
  ASSERT_EQ(made.exit_code, 0) << made.output;
  r = Cli(*first_, "alice", {"login", "alice", "--password-stdin"}, kTestPassword);  // The admin role, in a new token.
  ASSERT_EQ(r.first, 0) << r.second;
  r = Cli(*second_, "bob", {"login", "bob", "--password-stdin"}, kTestPassword);
  ASSERT_EQ(r.first, 0) << r.second;

  const std::string prompt = "a knight will K.I.L.L the dragon";
  EXPECT_EQ(DecisionOnSecond(prompt), "allow");

  // Only admins touch rules; bad words are usage errors naming the choices.
  r = Cli(*first_, "bob", {"rules", "add", "kill", "--category=violence"});
  EXPECT_EQ(r.first, 1) << r.second;
  EXPECT_NE(r.second.find("only an admin"), std::string::npos) << r.second;
  r = Cli(*first_, "alice", {"rules", "add", "kill", "--category=gore"});
  EXPECT_EQ(r.first, 2) << r.second;
  EXPECT_NE(r.second.find("--category must be one of: sexual, child-safety, violence"), std::string::npos)
      << r.second;
  r = Cli(*first_, "alice", {"rules", "add", "(unclosed", "--kind=regex", "--category=spam"});
  EXPECT_EQ(r.first, 1) << r.second;
  EXPECT_NE(r.second.find("rule.pattern"), std::string::npos) << r.second;

  r = Cli(*first_, "alice", {"--json", "rules", "add", "kill", "--category=violence", "--description=weapons"});
  ASSERT_EQ(r.first, 0) << r.second;
  std::smatch id;
  ASSERT_TRUE(std::regex_search(r.second, id, std::regex("\"rule_id\":\"([0-9a-f-]{36})\""))) << r.second;
  const std::string rule_id = id[1].str();
  const double live_ms = MillisUntilSecondDecides(prompt, "block");
  ASSERT_GE(live_ms, 0) << "the rule never reached the second instance";
  std::printf("rules add on the first instance -> block on the second: %.0f ms (CLI round trips included)\n",
              live_ms);

  r = Cli(*second_, "bob", {"check", prompt});
  ASSERT_EQ(r.first, 0) << r.second;
  EXPECT_NE(r.second.find("K.I.L.L"), std::string::npos) << "the match is shown in the original text:\n" << r.second;
  EXPECT_NE(r.second.find("violence"), std::string::npos) << r.second;

  r = Cli(*first_, "alice", {"rules"});
  ASSERT_EQ(r.first, 0) << r.second;
  EXPECT_NE(r.second.find(rule_id), std::string::npos) << r.second;

  r = Cli(*first_, "alice", {"rules", "set", rule_id, "--disable"});
  ASSERT_EQ(r.first, 0) << r.second;
  EXPECT_GE(MillisUntilSecondDecides(prompt, "allow"), 0) << "disabling never reached the second instance";

  r = Cli(*first_, "alice", {"rules", "set", rule_id, "--enable", "--decision=review"});
  ASSERT_EQ(r.first, 0) << r.second;
  EXPECT_GE(MillisUntilSecondDecides(prompt, "review"), 0);

  r = Cli(*first_, "alice", {"policies", "set", "violence", "--max-automatic=allow"});
  ASSERT_EQ(r.first, 0) << r.second;
  EXPECT_GE(MillisUntilSecondDecides(prompt, "allow"), 0) << "a category cap reaches the second instance too";
  r = Cli(*first_, "alice", {"--json", "policies"});
  ASSERT_EQ(r.first, 0) << r.second;
  EXPECT_NE(r.second.find("\"category\":\"violence\",\"max_automatic\":\"allow\""), std::string::npos) << r.second;

  r = Cli(*first_, "alice", {"rules", "delete", rule_id});
  ASSERT_EQ(r.first, 0) << r.second;
  r = Cli(*first_, "alice", {"audit"});
  ASSERT_EQ(r.first, 0) << r.second;
  for (const char* action : {"rule.created", "rule.updated", "policy.updated", "rule.deleted"}) {
    EXPECT_NE(r.second.find(action), std::string::npos) << action << " missing from\n" << r.second;
  }
  r = Cli(*first_, "alice", {"audit", "verify"});
  ASSERT_EQ(r.first, 0) << r.second;
  EXPECT_NE(r.second.find("valid:"), std::string::npos) << r.second;
  EXPECT_NE(r.second.find("yes"), std::string::npos) << r.second;
  r = Cli(*first_, "alice", {"rules", "delete", rule_id});
  EXPECT_EQ(r.first, 1) << r.second;
  EXPECT_NE(r.second.find("no such rule"), std::string::npos) << r.second;
}


// Reports to an appeal with the real CLI and server: a user reports a clip,
// the admin (a moderator too) claims and decides it, the reporter reads the
// receipt and appeals, and the admin is never handed the appeal of their
// own decision; the audit chain holds it all.
TEST_F(ModerationCliTest, AReportIsClaimedDecidedAndAppealedFromTheCommandLine) {
  auto r = Cli(*first_, "alice", {"register", "--handle=alice", "--email=alice@example.com",
                                  "--display-name=Alice", "--password-stdin"}, kTestPassword);
  ASSERT_EQ(r.first, 0) << r.second;
  r = Cli(*first_, "bob", {"register", "--handle=bob", "--email=bob@example.com", "--display-name=Bob",
                           "--password-stdin"}, kTestPassword);
  ASSERT_EQ(r.first, 0) << r.second;
  ASSERT_EQ(RunClipforged(CF_CLIPFORGED, {"admin", "make-admin", "--handle=alice", "--database-url=" + bus_.pg().dsn()})
                .exit_code,
            0);
  r = Cli(*first_, "alice", {"login", "alice", "--password-stdin"}, kTestPassword);
  ASSERT_EQ(r.first, 0) << r.second;

  const std::string clip = "0190f2a4-5b6c-7d8e-9f01-23456789abcd";
  r = Cli(*first_, "bob", {"report", "clip", clip, "--reason=spam", "--details=the same ad forty times"});
  ASSERT_EQ(r.first, 0) << r.second;
  r = Cli(*first_, "bob", {"queue"});
  EXPECT_EQ(r.first, 1) << r.second;
  EXPECT_NE(r.second.find("only a moderator"), std::string::npos) << r.second;

  r = Cli(*first_, "alice", {"--json", "claim"});
  ASSERT_EQ(r.first, 0) << r.second;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.second, m, std::regex("\"case_id\":\"([0-9a-f-]{36})\""))) << r.second;
  const std::string case_id = m[1].str();
  ASSERT_TRUE(std::regex_search(r.second, m, std::regex("\"claim_id\":\"([0-9a-f-]{36})\""))) << r.second;
  const std::string claim_id = m[1].str();

  r = Cli(*first_, "alice", {"--json", "decide", case_id, "--claim=" + claim_id, "--action=remove",
                             "--category=spam", "--ground=terms", "--reference=Community Guidelines 7.1",
                             "--facts=the clip repeats an advertisement"});
  ASSERT_EQ(r.first, 0) << r.second;
  ASSERT_TRUE(std::regex_search(r.second, m, std::regex("\"decision_id\":\"([0-9a-f-]{36})\""))) << r.second;
  const std::string decision_id = m[1].str();

  r = Cli(*first_, "bob", {"reports"});
  ASSERT_EQ(r.first, 0) << r.second;
  EXPECT_NE(r.second.find("action-taken"), std::string::npos) << r.second;
  EXPECT_NE(r.second.find("remove"), std::string::npos) << r.second;

  r = Cli(*first_, "bob", {"appeal", decision_id, "removing it is not enough: the account is a spam bot"});
  ASSERT_EQ(r.first, 0) << r.second;
  r = Cli(*first_, "alice", {"claim"});
  ASSERT_EQ(r.first, 0) << r.second;
  EXPECT_NE(r.second.find("the queue is empty"), std::string::npos) << "the appeal of her own decision:\n"
                                                                     << r.second;

  r = Cli(*first_, "alice", {"audit", "verify"});
  ASSERT_EQ(r.first, 0) << r.second;
  EXPECT_NE(r.second.find("yes"), std::string::npos) << r.second;
}

}  // namespace
}  // namespace clipforge::testing
