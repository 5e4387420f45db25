#include "cli/args.h"

#include <gtest/gtest.h>

#include "cli/app.h"
#include "cli/enum_words.h"
#include "cli/errors.h"
#include "cli/test_util.h"
#include "cli/views.h"

namespace clipforge::cli {
namespace {

absl::StatusOr<Invocation> Parse(std::vector<std::string> args) {
  Invocation invocation;
  const absl::Status status = ParseArgs(args, invocation);
  if (!status.ok()) return status;
  return invocation;
}

void ExpectUsageError(std::vector<std::string> args, absl::string_view message) {
  Invocation invocation;
  const absl::Status status = ParseArgs(args, invocation);
  EXPECT_EQ(ExitCodeOf(status), kExitUsage) << status;
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), message);
}

TEST(ArgsTest, GlobalFlagsGoBeforeOrAfterTheCommand) {
  auto inv = Parse({"--server=10.0.0.1:1", "whoami", "--json", "--config-dir", "/tmp/cf"});
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_EQ(inv->command->name, "whoami");
  EXPECT_EQ(*inv->global.server, "10.0.0.1:1");
  EXPECT_EQ(*inv->global.config_dir, "/tmp/cf");
  EXPECT_TRUE(inv->global.json);
}

TEST(ArgsTest, TransportFlagsAreGlobal) {
  auto inv = Parse({"--plaintext", "whoami", "--ca-file", "/tmp/ca.pem"});
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_TRUE(inv->global.plaintext);
  EXPECT_EQ(inv->global.ca_file, "/tmp/ca.pem");
  EXPECT_FALSE(Parse({"--plaintext=yes", "whoami"}).ok());
  EXPECT_FALSE(Parse({"--ca-file=", "whoami"}).ok());
}

TEST(ArgsTest, CommandFlagsTakeValuesBothWays) {
  auto inv = Parse({"register", "--handle", "alice", "--email=a@example.com",
                    "--display-name=Alice A.", "--languages=en,pt-BR", "--analytics-opt-in"});
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_EQ(*inv->Get("handle"), "alice");
  EXPECT_EQ(*inv->Get("email"), "a@example.com");
  EXPECT_EQ(*inv->Get("display-name"), "Alice A.");
  EXPECT_TRUE(inv->Has("analytics-opt-in"));
  EXPECT_FALSE(inv->Has("password-stdin"));
  EXPECT_EQ(SplitList(*inv->Get("languages")), (std::vector<std::string>{"en", "pt-BR"}));
}

TEST(ArgsTest, RegisterTakesAnOptionalBirthDate) {
  auto dated = Parse({"register", "--handle=tia", "--email=t@example.com", "--display-name=Tia",
                      "--birth-date", "2011-01-10"});
  ASSERT_TRUE(dated.ok()) << dated.status();
  EXPECT_EQ(*dated->Get("birth-date"), "2011-01-10");
  auto undated = Parse({"register", "--handle=tia", "--email=t@example.com", "--display-name=Tia"});
  ASSERT_TRUE(undated.ok()) << undated.status();
  EXPECT_EQ(undated->Get("birth-date"), std::nullopt);
}

TEST(ArgsTest, EmptyValueIsKeptApartFromAbsent) {
  auto inv = Parse({"profile", "set", "--bio="});
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_EQ(inv->command->name, "profile set");
  EXPECT_EQ(inv->Get("bio"), std::optional<std::string>(""));
  EXPECT_EQ(inv->Get("display-name"), std::nullopt);
}

TEST(ArgsTest, TwoWordCommandsTakeTheirOwnFlagsAndOperands) {
  auto add = Parse({"rules", "add", "kill", "--category=violence", "--kind=keyword"});
  ASSERT_TRUE(add.ok()) << add.status();
  EXPECT_EQ(add->command->name, "rules add");
  EXPECT_EQ(add->operands, std::vector<std::string>{"kill"});
  EXPECT_EQ(*add->Get("category"), "violence");
  auto list = Parse({"rules", "--category=spam"});
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->command->name, "rules");
  EXPECT_FALSE(Parse({"rules", "add", "kill"}).ok()) << "--category is required";
  EXPECT_FALSE(Parse({"rules", "kill"}).ok()) << "`rules` takes no operand";
}

TEST(ArgsTest, AppealTakesTwoOperandsOrASubcommand) {
  auto file = Parse({"appeal", "decision-1", "it was satire"});
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->command->name, "appeal");
  EXPECT_EQ(file->operands, (std::vector<std::string>{"decision-1", "it was satire"}));

  auto show = Parse({"appeal", "show", "appeal-1"});
  ASSERT_TRUE(show.ok()) << show.status();
  EXPECT_EQ(show->command->name, "appeal show");
  EXPECT_EQ(show->operands, std::vector<std::string>{"appeal-1"});

  auto decide = Parse({"appeal", "decide", "appeal-1", "--claim=c", "--outcome", "modified", "--action=label",
                       "--ground=terms", "--reference=3.2", "--facts=the clip mocks a person"});
  ASSERT_TRUE(decide.ok()) << decide.status();
  EXPECT_EQ(decide->command->name, "appeal decide");
  EXPECT_EQ(*decide->Get("outcome"), "modified");
  EXPECT_EQ(*decide->Get("action"), "label");

  ExpectUsageError({"appeal", "decision-1"}, "`clipforge appeal` needs DECISION_ID TEXT");
  ExpectUsageError({"appeal", "show"}, "`clipforge appeal show` needs APPEAL_ID");
  // An appeal's outcome always carries a statement of reasons.
  ExpectUsageError({"appeal", "decide", "appeal-1", "--claim=c", "--outcome=upheld"},
                   "`clipforge appeal decide` needs --ground=GROUND");
}

TEST(ArgsTest, ReviewCommandsTakeTheirFlags) {
  auto report = Parse({"report", "clip", "clip-1", "--reason=spam", "--details", "links to a scam"});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->operands, (std::vector<std::string>{"clip", "clip-1"}));
  EXPECT_EQ(*report->Get("details"), "links to a scam");
  ExpectUsageError({"report", "clip", "clip-1"}, "`clipforge report` needs --reason=CATEGORY");
  ExpectUsageError({"report", "clip"}, "`clipforge report` needs KIND ID");

  // Repeated flags are not supported; lists are comma-separated.
  auto queue = Parse({"queue", "--source=user-report,appeal", "--category=spam", "--page-size=5"});
  ASSERT_TRUE(queue.ok()) << queue.status();
  EXPECT_EQ(SplitList(*queue->Get("source")), (std::vector<std::string>{"user-report", "appeal"}));
  ExpectUsageError({"queue", "--category=spam", "--category=hate"}, "--category given twice");

  auto decide = Parse({"decide", "case-1", "--claim=c", "--action=no_action", "--automated-detection"});
  ASSERT_TRUE(decide.ok()) << decide.status();
  EXPECT_TRUE(decide->Has("automated-detection"));
  EXPECT_FALSE(decide->Has("ground")) << "no-action may go without a statement";
  ExpectUsageError({"decide", "case-1", "--action=remove"}, "`clipforge decide` needs --claim=CLAIM_ID");
  ExpectUsageError({"release", "case-1"}, "`clipforge release` needs --claim=CLAIM_ID");
  ExpectUsageError({"case"}, "`clipforge case` needs CASE_ID");
  ExpectUsageError({"claim", "--reason=spam"}, "unknown flag --reason for `clipforge claim`");
}

TEST(EnumWordsTest, ShortWordsPrintAndBothWordsParse) {
  EXPECT_EQ(EnumWord(v1::CONTENT_KIND_GENERATION_JOB, kContentKindPrefix, kContentKindWords), "job");
  EXPECT_EQ(EnumWord(v1::CONTENT_KIND_CLIP, kContentKindPrefix, kContentKindWords), "clip");
  EXPECT_EQ(EnumWord(v1::MODERATION_ACTION_SUSPEND_ACCOUNT, kActionPrefix, kActionWords), "suspend");
  EXPECT_EQ(EnumWord(v1::MODERATION_ACTION_NO_ACTION, kActionPrefix, kActionWords), "no-action");
  EXPECT_EQ(ParseEnumWord<v1::ContentKind>("KIND", "chat", kContentKindPrefix, kContentKindWords).value(),
            v1::CONTENT_KIND_PARTY_CHAT);
  EXPECT_EQ(ParseEnumWord<v1::ContentKind>("KIND", "generation-job", kContentKindPrefix, kContentKindWords).value(),
            v1::CONTENT_KIND_GENERATION_JOB);
  EXPECT_EQ(ParseEnumWord<v1::ModerationAction>("--action", "no_action", kActionPrefix, kActionWords).value(),
            v1::MODERATION_ACTION_NO_ACTION);
  EXPECT_EQ(ParseEnumWord<v1::ModerationAction>("--action", "Warn", kActionPrefix, kActionWords).value(),
            v1::MODERATION_ACTION_WARN_AUTHOR);
  EXPECT_EQ(ParseEnumWord<v1::DecisionGround>("--ground", "illegal", kGroundPrefix, kGroundWords).value(),
            v1::DECISION_GROUND_ILLEGAL_CONTENT);
  const auto bad = ParseEnumWord<v1::ContentKind>("KIND", "video", kContentKindPrefix, kContentKindWords);
  EXPECT_EQ(ExitCodeOf(bad.status()), kExitUsage);
  EXPECT_EQ(bad.status().message(), "KIND must be one of: clip, comment, user, party, job, chat");
}

TEST(ArgsTest, ProfileWithAHandleIsNotProfileSet) {
  auto inv = Parse({"profile", "@bob"});
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_EQ(inv->command->name, "profile");
  EXPECT_EQ(inv->Operand(0), "@bob");
  EXPECT_EQ(StripAt(inv->Operand(0)), "bob");
}

TEST(ArgsTest, OperandsAndDoubleDash) {
  auto inv = Parse({"login", "--device-name=laptop", "--", "alice@example.com"});
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_EQ(inv->Operand(0), "alice@example.com");
  EXPECT_EQ(*inv->Get("device-name"), "laptop");
  EXPECT_EQ(inv->Operand(1), "");
}

TEST(ArgsTest, MistakesAreUsageErrors) {
  ExpectUsageError({}, "no command given");
  ExpectUsageError({"fly"}, "unknown command 'fly'");
  ExpectUsageError({"login"}, "`clipforge login` needs HANDLE_OR_EMAIL");
  ExpectUsageError({"follow", "a", "b"}, "unexpected argument 'b' for `clipforge follow`");
  ExpectUsageError({"whoami", "--verbose"}, "unknown flag --verbose for `clipforge whoami`");
  ExpectUsageError({"--handle=x", "register"},
                   "unknown flag --handle (a command's flags go after the command)");
  ExpectUsageError({"register", "--handle=a", "--email=b"},
                   "`clipforge register` needs --display-name=NAME");
  ExpectUsageError({"logout", "--everywhere=yes"}, "--everywhere takes no value");
  ExpectUsageError({"login", "x", "--device-name"}, "--device-name needs a value: --device-name=NAME");
  ExpectUsageError({"login", "x", "--device-name=a", "--device-name=b"}, "--device-name given twice");
  ExpectUsageError({"whoami", "-v"}, "unknown flag '-v' (flags are spelled --name)");
  ExpectUsageError({"--server=", "whoami"}, "--server must not be empty");
  ExpectUsageError({"--json=1", "whoami"}, "--json takes no value");
}

TEST(ArgsTest, JsonIsKnownEvenWhenParsingFails) {
  Invocation invocation;
  EXPECT_FALSE(ParseArgs({"--json", "fly"}, invocation).ok());
  EXPECT_TRUE(invocation.global.json);
}

TEST(ArgsTest, HelpWinsOverOtherMistakes) {
  auto general = Parse({"--help"});
  ASSERT_TRUE(general.ok());
  EXPECT_TRUE(general->help);
  EXPECT_EQ(general->command, nullptr);

  auto command = Parse({"login", "--help"});  // the operand is missing, but help was asked
  ASSERT_TRUE(command.ok());
  EXPECT_EQ(command->command->name, "login");

  auto word = Parse({"help", "profile", "set"});
  ASSERT_TRUE(word.ok());
  EXPECT_EQ(word->command->name, "profile set");

  Invocation invocation;
  EXPECT_EQ(ExitCodeOf(ParseArgs({"help", "fly"}, invocation)), kExitUsage);
}

TEST(ArgsTest, IntFlagChecksTheRange) {
  auto inv = Parse({"followers", "--page-size=100"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(*inv->IntFlag("page-size", 1, 100).value(), 100);
  EXPECT_EQ(inv->IntFlag("page-token", 1, 100).value(), std::nullopt);
  for (const char* bad : {"--page-size=0", "--page-size=101", "--page-size=ten", "--page-size=-1"}) {
    auto parsed = Parse({"followers", bad});
    ASSERT_TRUE(parsed.ok());
    const auto value = parsed->IntFlag("page-size", 1, 100);
    EXPECT_EQ(ExitCodeOf(value.status()), kExitUsage) << bad;
    EXPECT_EQ(value.status().message(), "--page-size must be a whole number from 1 to 100");
  }
}

TEST(ArgsTest, SplitListDropsBlanks) {
  EXPECT_EQ(SplitList(" en , ,pt-BR,"), (std::vector<std::string>{"en", "pt-BR"}));
  EXPECT_TRUE(SplitList("").empty());
}

TEST(ArgsTest, EveryCommandHasUsage) {
  for (const CommandSpec& command : Commands()) {
    EXPECT_NE(GeneralUsage().find(std::string(command.name)), std::string::npos);
    EXPECT_EQ(UsageLine(command).rfind("usage: clipforge " + std::string(command.name), 0), 0u);
  }
  EXPECT_EQ(UsageLine(*FindCommand("login")),
            "usage: clipforge login HANDLE_OR_EMAIL [--device-name=NAME] [--password-stdin]");
}

// The whole program, for what needs no server.
struct RunResult {
  int code;
  std::string out;
  std::string err;
};

RunResult RunWith(std::vector<std::string> args, testing::FakeTerminal* terminal = nullptr,
            const std::string& config_dir = "/nonexistent/clipforge-test") {
  testing::FakeTerminal fallback;
  testing::Capture out;
  testing::Capture err;
  const auto getenv = [&](const char* name) -> const char* {
    if (std::string(name) == "CLIPFORGE_CONFIG_DIR") return config_dir.c_str();
    return nullptr;
  };
  const int code = RunCli(args, getenv, testing::NoLocalStack, terminal ? *terminal : fallback,
                          out.file(), err.file());
  return {code, out.str(), err.str()};
}

TEST(RunCliTest, UsageErrorsExit2WithTheUsageLine) {
  const RunResult run = RunWith({"login"});
  EXPECT_EQ(run.code, kExitUsage);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err,
            "clipforge: `clipforge login` needs HANDLE_OR_EMAIL\n"
            "usage: clipforge login HANDLE_OR_EMAIL [--device-name=NAME] [--password-stdin]\n"
            "Run `clipforge login --help` for details.\n");
}

TEST(RunCliTest, JsonErrorsGoToStdoutToo) {
  const RunResult run = RunWith({"--json", "fly"});
  EXPECT_EQ(run.code, kExitUsage);
  EXPECT_EQ(run.out,
            "{\"error\":{\"code\":\"INVALID_ARGUMENT\",\"message\":\"unknown command 'fly'\","
            "\"exit_code\":2}}\n");
  EXPECT_NE(run.err.find("clipforge: unknown command 'fly'"), std::string::npos);
}

TEST(RunCliTest, HelpPrintsToStdoutAndExits0) {
  RunResult run = RunWith({"--help"});
  EXPECT_EQ(run.code, kExitOk);
  EXPECT_NE(run.out.find("commands:"), std::string::npos);
  run = RunWith({"follow", "--help"});
  EXPECT_EQ(run.code, kExitOk);
  EXPECT_EQ(run.out.rfind("usage: clipforge follow HANDLE\n", 0), 0u);
}

TEST(RunCliTest, CommandsNeedingASessionSayNotLoggedIn) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"whoami"}, {"logout"}, {"follow", "bob"}, {"followers"},
        {"export"}, {"delete-account", "--yes"}, {"consent", "on"}, {"profile"},
        {"report", "clip", "clip-1", "--reason=spam"}, {"reports"}, {"queue"}, {"claim"}, {"case", "c"},
        {"release", "c", "--claim=x"}, {"appeal", "d", "text"}, {"appeal", "show", "a"},
        // No action needs no statement of reasons.
        {"decide", "c", "--claim=x", "--action=no-action"},
        {"wallet"}, {"wallet", "statement"}, {"topup", "20"}, {"tip", "clip-1", "1"}, {"tip", "show", "t"}}) {
    const RunResult run = RunWith(args);
    EXPECT_EQ(run.code, kExitNotLoggedIn) << args[0];
    EXPECT_EQ(run.err, "clipforge: not logged in — run `clipforge login`\n") << args[0];
  }
}

TEST(RunCliTest, LocalInputIsCheckedBeforeAnyCall) {
  EXPECT_EQ(RunWith({"consent", "maybe"}).code, kExitUsage);
  EXPECT_EQ(RunWith({"profile", "set"}).code, kExitUsage);
  EXPECT_EQ(RunWith({"followers", "--page-size=500"}).code, kExitUsage);
  const RunResult long_name = RunWith({"profile", "set", "--display-name=" + std::string(51, 'x')});
  EXPECT_EQ(long_name.code, kExitUsage);
  EXPECT_NE(long_name.err.find("invalid input: display_name: must be at most 50 characters"),
            std::string::npos);
  // A birth date that is not a date is refused before the password prompt.
  for (const char* bad : {"--birth-date=10/01/2011", "--birth-date=2011-02-30", "--birth-date=2011-1-10",
                          "--birth-date= 2011-01-10", "--birth-date="}) {
    testing::FakeTerminal terminal;
    terminal.interactive = true;
    const RunResult run =
        RunWith({"register", "--handle=tia", "--email=t@example.com", "--display-name=Tia", bad}, &terminal);
    EXPECT_EQ(run.code, kExitUsage) << bad;
    EXPECT_NE(run.err.find("--birth-date: "), std::string::npos) << bad << ": " << run.err;
    EXPECT_EQ(terminal.reads, 0) << bad;  // No password was asked for.
  }
}

TEST(RunCliTest, ReviewInputIsCheckedBeforeAnyCall) {
  const std::vector<std::string> statement = {"--ground=terms", "--reference=3.2", "--facts=spam links"};
  const auto with_statement = [&](std::vector<std::string> args) {
    args.insert(args.end(), statement.begin(), statement.end());
    return args;
  };
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"report", "video", "v", "--reason=spam"}, "KIND must be one of: clip, comment, user, party, job, chat"},
      {{"report", "clip", "c", "--reason=rude"}, "--reason must be one of:"},
      {{"queue", "--source=users"}, "--source must be one of: prompt-filter, media-filter, user-report, appeal"},
      {{"claim", "--minutes=31"}, "--minutes must be a whole number from 1 to 30"},
      {{"decide", "c", "--claim=x", "--action=ban"}, "--action must be one of:"},
      {{"decide", "c", "--claim=x", "--action=remove", "--category=spam"},
       "--ground, --reference and --facts are required unless --action=no-action"},
      {with_statement({"decide", "c", "--claim=x", "--action=remove"}),
       "--category is required unless --action=no-action"},
      {{"decide", "c", "--claim=x", "--action=remove", "--category=spam", "--ground=terms", "--facts=f"},
       "a statement of reasons needs --reference"},
      {{"decide", "c", "--claim=x", "--action=no-action", "--facts=f"},
       "--facts is part of a statement of reasons: give --ground too"},
      {{"decide", "c", "--claim=x", "--action=remove", "--category=spam", "--ground=illegal", "--reference=r",
        "--facts=f"},
       "--ground=illegal needs --explanation: why the content is illegal"},
      {with_statement({"decide", "c", "--claim=x", "--action=suspend", "--category=spam"}),
       "--action=suspend needs --until: when the suspension ends"},
      {with_statement({"decide", "c", "--claim=x", "--action=suspend", "--category=spam", "--until=next week"}),
       "--until must be an RFC 3339 time, e.g. 2024-07-01T00:00:00Z"},
      {with_statement({"decide", "c", "--claim=x", "--action=remove", "--category=spam",
                       "--until=2030-01-01T00:00:00Z"}),
       "--until is only for --action=suspend"},
      {with_statement({"decide", "c", "--claim=x", "--action=restore", "--category=spam"}),
       "--action=restore: a decision is undone by reversing it on appeal"},
      {with_statement({"appeal", "decide", "a", "--claim=x", "--outcome=pending"}),
       "--outcome must be one of: upheld, reversed, modified"},
      {with_statement({"appeal", "decide", "a", "--claim=x", "--outcome=modified"}),
       "--outcome=modified needs --action: the new action"},
      {with_statement({"appeal", "decide", "a", "--claim=x", "--outcome=upheld", "--action=label"}),
       "--action is only for --outcome=modified"},
  };
  for (const auto& [args, message] : cases) {
    const RunResult run = RunWith(args);
    EXPECT_EQ(run.code, kExitUsage) << args[0] << " " << message;
    EXPECT_NE(run.err.find("clipforge: " + message), std::string::npos) << run.err;
  }
}

TEST(RunCliTest, PasswordNeedsATerminalOrPasswordStdin) {
  testing::FakeTerminal terminal;  // not interactive
  const RunResult run = RunWith({"login", "alice"}, &terminal);
  EXPECT_EQ(run.code, kExitUsage);
  EXPECT_NE(run.err.find("--password-stdin"), std::string::npos);

  testing::FakeTerminal mismatch;
  mismatch.interactive = true;
  mismatch.lines = {"correct horse battery", "correct horse battery staple"};
  const RunResult register_run = RunWith(
      {"register", "--handle=alice", "--email=a@example.com", "--display-name=Alice"}, &mismatch);
  EXPECT_EQ(register_run.code, kExitUsage);
  EXPECT_NE(register_run.err.find("the passwords do not match"), std::string::npos);

  testing::FakeTerminal empty_stdin;
  const RunResult empty = RunWith({"login", "alice", "--password-stdin"}, &empty_stdin);
  EXPECT_EQ(empty.code, kExitUsage);
  EXPECT_EQ(empty_stdin.reads, 1);
}

}  // namespace
}  // namespace clipforge::cli
