#include "cli/app.h"

#include "absl/strings/str_cat.h"
#include "cli/args.h"
#include "cli/command_context.h"
#include "cli/commands.h"
#include "cli/errors.h"
#include "cli/output.h"
#include "base/clock.h"
#include "base/random.h"
#include "base/uuid.h"

namespace clipforge::cli {
namespace {

using CommandFn = absl::Status (*)(CommandContext&);

struct Route {
  absl::string_view name;
  CommandFn run;
};

constexpr Route kRoutes[] = {
    {"register", RunRegister},     {"login", RunLogin},
    {"logout", RunLogout},         {"whoami", RunWhoami},
    {"profile", RunProfile},       {"profile set", RunProfileSet},
    {"follow", RunFollow},         {"unfollow", RunUnfollow},
    {"followers", RunFollowers},   {"following", RunFollowing},
    {"export", RunExport},         {"delete-account", RunDeleteAccount},
    {"consent", RunConsent},       {"check", RunCheck},
    {"rules", RunRules},           {"rules add", RunRulesAdd},
    {"rules set", RunRulesSet},    {"rules delete", RunRulesDelete},
    {"policies", RunPolicies},     {"policies set", RunPoliciesSet},
    {"audit", RunAudit},           {"audit verify", RunAuditVerify},
    {"report", RunReport},         {"reports", RunReports},
    {"queue", RunQueue},           {"claim", RunClaim},
    {"case", RunCase},             {"release", RunRelease},
    {"decide", RunDecide},         {"appeal", RunAppeal},
    {"appeal show", RunAppealShow}, {"appeal decide", RunAppealDecide},
    {"banks", RunBanks},           {"banks create", RunBanksCreate},
    {"banks import", RunBanksImport},  {"verify", RunVerify},
    {"generate", RunGenerate},     {"jobs", RunJobs},
    {"job", RunJob},               {"cancel", RunCancel},
    {"download", RunDownload},     {"api-keys", RunApiKeys},
    {"api-keys create", RunApiKeysCreate}, {"api-keys revoke", RunApiKeysRevoke},
    {"publish", RunPublish},       {"fork", RunFork},
    {"clip", RunClip},             {"clips", RunClips},
    {"lineage", RunLineage},       {"variants", RunVariants},
    {"tree", RunTree},             {"like", RunLike},
    {"unlike", RunUnlike},         {"delete-clip", RunDeleteClip},
    {"edit-clip", RunEditClip},    {"comment", RunComment},
    {"comments", RunComments},     {"delete-comment", RunDeleteComment},
    {"feed", RunFeed},             {"more", RunMore},
    {"less", RunLess},             {"why", RunWhy},
    {"weights", RunWeights},       {"weights set", RunWeightsSet},
    {"themes", RunThemes},         {"themes create", RunThemesCreate},
    {"join", RunJoin},             {"leave", RunLeave},
    {"reach", RunReach},           {"reach appeal", RunReachAppeal},
    {"wallet", RunWallet},         {"wallet statement", RunWalletStatement},
    {"topup", RunTopUp},           {"tip", RunTip},
    {"tip show", RunTipShow},      {"topup refund", RunTopUpRefund},
};

CommandFn RouteFor(const CommandSpec& command) {
  for (const Route& route : kRoutes) {
    if (route.name == command.name) return route.run;
  }
  return nullptr;
}

// The error line, then for usage errors where to read more.
int Report(Output& output, FILE* err, const absl::Status& status, const CommandSpec* command) {
  output.Error(status);
  const int code = ExitCodeOf(status);
  if (code == kExitUsage) {
    if (command != nullptr) {
      std::fprintf(err, "%s\nRun `clipforge %s --help` for details.\n",
                   UsageLine(*command).c_str(), std::string(command->name).c_str());
    } else {
      std::fprintf(err, "Run `clipforge --help` for the commands.\n");
    }
  }
  return code;
}

}  // namespace

int RunCli(const std::vector<std::string>& args, const GetEnvFn& getenv,
           const LocalStackFn& local_stack, Terminal& terminal, FILE* out, FILE* err) {
  Invocation invocation;
  const absl::Status parsed = ParseArgs(args, invocation);
  Output output(invocation.global.json, out, err);
  if (!parsed.ok()) return Report(output, err, parsed, invocation.command);
  if (invocation.help) {
    output.Text(invocation.command ? CommandUsage(*invocation.command) : GeneralUsage());
    return kExitOk;
  }
  const absl::StatusOr<Config> config = ResolveConfig(invocation.global, getenv, local_stack);
  if (!config.ok()) return Report(output, err, config.status(), invocation.command);
  auto channel_credentials = ChannelCredentialsFor(config->transport);
  if (!channel_credentials.ok()) {
    return Report(output, err, channel_credentials.status(), invocation.command);
  }

  const CommandFn run = RouteFor(*invocation.command);
  if (run == nullptr) {
    return Report(output, err, absl::InternalError(absl::StrCat("command '", invocation.command->name,
                                                                "' has no implementation")),
                  nullptr);
  }
  base::SystemClock clock;
  base::SecureRandom random;
  base::UuidV7Generator ids(clock, random);
  CommandContext context(invocation, *config, *std::move(channel_credentials), output, terminal,
                         clock, ids);
  const absl::Status status = run(context);
  if (!status.ok()) return Report(output, err, status, invocation.command);
  return kExitOk;
}

}  // namespace clipforge::cli
