// The commands. Each returns OK or the failure to report (see errors.h).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "base/status_macros.h"
#include "cli/command_context.h"
#include "cli/enum_words.h"

namespace clipforge::cli {

// account_commands.cc
absl::Status RunRegister(CommandContext& ctx);
absl::Status RunLogin(CommandContext& ctx);
absl::Status RunLogout(CommandContext& ctx);
absl::Status RunDeleteAccount(CommandContext& ctx);
absl::Status RunConsent(CommandContext& ctx);

// profile_commands.cc
absl::Status RunWhoami(CommandContext& ctx);
absl::Status RunProfile(CommandContext& ctx);
absl::Status RunProfileSet(CommandContext& ctx);

// social_commands.cc
absl::Status RunFollow(CommandContext& ctx);
absl::Status RunUnfollow(CommandContext& ctx);
absl::Status RunFollowers(CommandContext& ctx);
absl::Status RunFollowing(CommandContext& ctx);

// export_command.cc
absl::Status RunExport(CommandContext& ctx);

// moderation_commands.cc
absl::Status RunCheck(CommandContext& ctx);
absl::Status RunRules(CommandContext& ctx);
absl::Status RunRulesAdd(CommandContext& ctx);
absl::Status RunRulesSet(CommandContext& ctx);
absl::Status RunRulesDelete(CommandContext& ctx);
absl::Status RunPolicies(CommandContext& ctx);
absl::Status RunPoliciesSet(CommandContext& ctx);
absl::Status RunAudit(CommandContext& ctx);
absl::Status RunAuditVerify(CommandContext& ctx);

// bank_commands.cc
absl::Status RunBanks(CommandContext& ctx);
absl::Status RunBanksCreate(CommandContext& ctx);
absl::Status RunBanksImport(CommandContext& ctx);

// verify_command.cc
absl::Status RunVerify(CommandContext& ctx);

// generate_command.cc
absl::Status RunGenerate(CommandContext& ctx);

// job_commands.cc
absl::Status RunJobs(CommandContext& ctx);
absl::Status RunJob(CommandContext& ctx);
absl::Status RunCancel(CommandContext& ctx);
absl::Status RunApiKeys(CommandContext& ctx);
absl::Status RunApiKeysCreate(CommandContext& ctx);
absl::Status RunApiKeysRevoke(CommandContext& ctx);
absl::Status RunDownload(CommandContext& ctx);

// clip_commands.cc
absl::Status RunPublish(CommandContext& ctx);
absl::Status RunClip(CommandContext& ctx);
absl::Status RunClips(CommandContext& ctx);
absl::Status RunLike(CommandContext& ctx);
absl::Status RunUnlike(CommandContext& ctx);
absl::Status RunDeleteClip(CommandContext& ctx);
absl::Status RunEditClip(CommandContext& ctx);

// fork_command.cc
absl::Status RunFork(CommandContext& ctx);

// comment_commands.cc
absl::Status RunComment(CommandContext& ctx);
absl::Status RunComments(CommandContext& ctx);
absl::Status RunDeleteComment(CommandContext& ctx);

// clip_graph_commands.cc
absl::Status RunLineage(CommandContext& ctx);
absl::Status RunVariants(CommandContext& ctx);
absl::Status RunTree(CommandContext& ctx);

// feed_commands.cc
absl::Status RunFeed(CommandContext& ctx);
absl::Status RunMore(CommandContext& ctx);
absl::Status RunLess(CommandContext& ctx);
absl::Status RunWhy(CommandContext& ctx);
absl::Status RunWeights(CommandContext& ctx);
absl::Status RunWeightsSet(CommandContext& ctx);
absl::Status RunThemes(CommandContext& ctx);
absl::Status RunThemesCreate(CommandContext& ctx);
absl::Status RunJoin(CommandContext& ctx);
absl::Status RunLeave(CommandContext& ctx);
absl::Status RunReach(CommandContext& ctx);
absl::Status RunReachAppeal(CommandContext& ctx);

// money_commands.cc
absl::Status RunWallet(CommandContext& ctx);
absl::Status RunWalletStatement(CommandContext& ctx);
absl::Status RunTopUp(CommandContext& ctx);
absl::Status RunTopUpRefund(CommandContext& ctx);
absl::Status RunTip(CommandContext& ctx);
absl::Status RunTipShow(CommandContext& ctx);

// review_commands.cc
absl::Status RunReport(CommandContext& ctx);
absl::Status RunReports(CommandContext& ctx);
absl::Status RunQueue(CommandContext& ctx);
absl::Status RunClaim(CommandContext& ctx);
absl::Status RunCase(CommandContext& ctx);
absl::Status RunRelease(CommandContext& ctx);
absl::Status RunDecide(CommandContext& ctx);
absl::Status RunAppeal(CommandContext& ctx);
absl::Status RunAppealShow(CommandContext& ctx);
absl::Status RunAppealDecide(CommandContext& ctx);

// Shared helpers.

// The password from --password-stdin, else from a no-echo prompt (twice
// when `confirm`); a UsageError when neither is possible.
absl::StatusOr<std::string> ReadPassword(CommandContext& ctx, absl::string_view prompt,
                                         bool confirm);
// GetPublicProfile by handle (with the session's token when there is one);
// NOT_FOUND reads "no user @handle".
absl::StatusOr<v1::Profile> LookUpHandle(CommandContext& ctx, Session* session,
                                         absl::string_view handle);
// Checks profile fields against the limits in users.proto before sending;
// a UsageError "invalid input: display_name: ..." when one is broken.
absl::Status CheckProfileInput(const v1::Profile& profile, bool display_name, bool bio,
                               bool languages);

// The value of --flag as an enum E (a word as enum_words.h reads it), when
// given.
template <typename E>
absl::StatusOr<std::optional<E>> EnumFlag(const Invocation& inv, absl::string_view flag, absl::string_view prefix,
                                          std::span<const ShortWord> short_words = {}) {
  const std::optional<std::string> text = inv.Get(flag);
  if (!text) return std::optional<E>();
  CF_ASSIGN_OR_RETURN(const E value, ParseEnumWord<E>(absl::StrCat("--", flag), *text, prefix, short_words));
  return std::optional<E>(value);
}

// The comma-separated words of --flag as enums E; empty when not given.
template <typename E>
absl::StatusOr<std::vector<E>> EnumListFlag(const Invocation& inv, absl::string_view flag, absl::string_view prefix) {
  std::vector<E> values;
  for (const std::string& word : SplitList(inv.Get(flag).value_or(""))) {
    CF_ASSIGN_OR_RETURN(const E value, ParseEnumWord<E>(absl::StrCat("--", flag), word, prefix));
    values.push_back(value);
  }
  return values;
}

}  // namespace clipforge::cli
