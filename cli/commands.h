// The commands. Each returns OK or the failure to report (see errors.h).
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/command_context.h"

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

}  // namespace clipforge::cli
