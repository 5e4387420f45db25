// whoami, profile, profile set.
#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/errors.h"
#include "cli/views.h"
#include "base/status_macros.h"
#include "base/validation.h"

namespace clipforge::cli {

absl::Status CheckProfileInput(const v1::Profile& profile, bool display_name, bool bio,
                               bool languages) {
  base::FieldValidator v;
  if (display_name) v.Text("display_name", profile.display_name(), {.min_chars = 1, .max_chars = 50});
  if (bio) v.Text("bio", profile.bio(), {.min_chars = 0, .max_chars = 500});
  if (languages) {
    v.Count("languages", profile.languages_size(), 8);
    for (int i = 0; i < profile.languages_size(); ++i) {
      v.Text(absl::StrCat("languages[", i, "]"), profile.languages(i),
             {.min_chars = 2, .max_chars = 35});
      for (int j = 0; j < i; ++j) {
        v.Check(profile.languages(j) != profile.languages(i), absl::StrCat("languages[", i, "]"),
                "is a duplicate");
      }
    }
  }
  if (!v.ok()) return UsageError(absl::StrCat("invalid input: ", v.status().message()));
  return absl::OkStatus();
}

absl::StatusOr<v1::Profile> LookUpHandle(CommandContext& ctx, Session* session,
                                         absl::string_view handle) {
  v1::GetPublicProfileRequest request;
  request.set_handle(StripAt(handle));
  v1::Profile profile;
  const auto method = &v1::UsersService::StubInterface::GetPublicProfile;
  absl::Status status = session != nullptr ? CallAuthed(ctx, *session, method, request, profile)
                                           : CallPublic(ctx, method, request, profile);
  if (absl::IsNotFound(status)) {
    return WithReason(absl::NotFoundError(absl::StrCat("no user @", StripAt(handle))),
                      ReasonOf(status));
  }
  CF_RETURN_IF_ERROR(status);
  return profile;
}

absl::Status RunWhoami(CommandContext& ctx) {
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  v1::User user;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &v1::UsersService::StubInterface::GetMyProfile,
                                v1::GetMyProfileRequest(), user));
  ctx.out().Result(AccountRecord(user));
  return absl::OkStatus();
}

absl::Status RunProfile(CommandContext& ctx) {
  const std::string handle = ctx.invocation().Operand(0);
  if (handle.empty()) {
    CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
    v1::User user;
    CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &v1::UsersService::StubInterface::GetMyProfile,
                                  v1::GetMyProfileRequest(), user));
    ctx.out().Result(ProfileRecord(user.profile()));
    return absl::OkStatus();
  }
  // Public: a stored session only adds the relationship to the viewer.
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.OptionalSession());
  CF_ASSIGN_OR_RETURN(const v1::Profile profile, LookUpHandle(ctx, session, handle));
  ctx.out().Result(ProfileRecord(profile));
  return absl::OkStatus();
}

absl::Status RunProfileSet(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::UpdateMyProfileRequest request;
  v1::Profile& profile = *request.mutable_profile();
  auto& paths = *request.mutable_update_mask()->mutable_paths();
  if (const auto name = inv.Get("display-name")) {
    profile.set_display_name(*name);
    paths.Add("display_name");
  }
  if (const auto bio = inv.Get("bio")) {
    profile.set_bio(*bio);
    paths.Add("bio");
  }
  if (const auto languages = inv.Get("languages")) {
    for (std::string& tag : SplitList(*languages)) profile.add_languages(std::move(tag));
    paths.Add("languages");
  }
  if (paths.empty()) {
    return UsageError("nothing to change: give --display-name, --bio or --languages");
  }
  CF_RETURN_IF_ERROR(CheckProfileInput(profile, inv.Has("display-name"), inv.Has("bio"),
                                       inv.Has("languages")));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::User user;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &v1::UsersService::StubInterface::UpdateMyProfile,
                                request, user));
  ctx.out().Result(ProfileRecord(user.profile()));
  ctx.out().Note("Profile updated.");
  return absl::OkStatus();
}

}  // namespace clipforge::cli
