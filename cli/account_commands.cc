// register, login, logout, delete-account, consent.
#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "cli/commands.h"
#include "cli/errors.h"
#include "cli/time_format.h"
#include "cli/views.h"
#include "base/status_macros.h"

namespace clipforge::cli {
namespace {

std::string DefaultDeviceName() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "clipforge CLI";
  std::string name = absl::StrCat("clipforge CLI on ", host);
  if (name.size() > 64) name.resize(64);
  for (char& c : name) {
    if (static_cast<unsigned char>(c) >= 0x80) c = '?';  // keep it valid UTF-8
  }
  return name;
}

Record LoginRecord(const v1::User& user, const v1::AuthTokens& tokens) {
  Record record;
  record.Str("handle", user.profile().handle())
      .Str("user_id", user.profile().user_id())
      .Str("display_name", user.profile().display_name())
      .Str("session_id", tokens.session_id(), Show::kJsonOnly);
  if (user.teen_account()) record.Bool("teen_account", true);
  return record;
}

// --birth-date's shape and calendar, checked before the password prompt
// (the server judges the age, and a date in the future).
absl::Status CheckBirthDate(absl::string_view text) {
  bool shaped = text.size() == 10;
  for (size_t i = 0; shaped && i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    shaped = (i == 4 || i == 7) ? c == '-' : absl::ascii_isdigit(c);
  }
  // ParseCivilTime does not normalize: 2011-02-30 does not parse.
  absl::CivilDay day;
  if (!shaped || !absl::ParseCivilTime(text, &day)) {
    return UsageError(absl::StrCat("--birth-date: '", text,
                                   "' is not a date as YYYY-MM-DD, e.g. 2009-04-30"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> ReadPassword(CommandContext& ctx, absl::string_view prompt,
                                         bool confirm) {
  Terminal& terminal = ctx.terminal();
  if (ctx.invocation().Has("password-stdin")) {
    CF_ASSIGN_OR_RETURN(std::string password, terminal.ReadStdinLine());
    if (password.empty()) return UsageError("--password-stdin: no password on stdin");
    return password;
  }
  if (!terminal.Interactive()) {
    return UsageError(
        "cannot prompt for the password: stdin is not a terminal; pipe it in with "
        "--password-stdin");
  }
  CF_ASSIGN_OR_RETURN(std::string password, terminal.ReadSecret(prompt));
  if (password.empty()) return UsageError("no password given");
  if (confirm) {
    CF_ASSIGN_OR_RETURN(const std::string again, terminal.ReadSecret("Repeat the password: "));
    if (again != password) return UsageError("the passwords do not match");
  }
  return password;
}

absl::Status RunRegister(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::RegisterRequest request;
  request.set_handle(StripAt(*inv.Get("handle")));
  request.set_email(*inv.Get("email"));
  request.set_display_name(*inv.Get("display-name"));
  if (const auto languages = inv.Get("languages")) {
    for (std::string& tag : SplitList(*languages)) request.add_languages(std::move(tag));
  }
  request.set_analytics_opt_in(inv.Has("analytics-opt-in"));
  if (const auto birth_date = inv.Get("birth-date")) {
    CF_RETURN_IF_ERROR(CheckBirthDate(*birth_date));
    request.set_birth_date(*birth_date);
  }
  v1::Profile as_profile;
  as_profile.set_display_name(request.display_name());
  *as_profile.mutable_languages() = request.languages();
  CF_RETURN_IF_ERROR(CheckProfileInput(as_profile, true, false, true));

  CF_ASSIGN_OR_RETURN(const std::string password,
                      ReadPassword(ctx, "Choose a password: ", /*confirm=*/true));
  request.set_password(password);
  request.set_request_id(ctx.connection().NewId());

  v1::RegisterResponse response;
  CF_RETURN_IF_ERROR(CallPublic(ctx, &v1::UsersService::StubInterface::Register, request, response));
  CF_RETURN_IF_ERROR(ctx.SaveLogin(response.tokens(), response.user()));
  ctx.out().Result(LoginRecord(response.user(), response.tokens()));
  ctx.out().Note(absl::StrCat("Registered @", response.user().profile().handle(),
                              " and logged in."));
  return absl::OkStatus();
}

absl::Status RunLogin(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::LoginRequest request;
  request.set_handle_or_email(inv.Operand(0));
  request.set_device_name(inv.Get("device-name").value_or(DefaultDeviceName()));
  CF_ASSIGN_OR_RETURN(const std::string password,
                      ReadPassword(ctx, absl::StrCat("Password for ", inv.Operand(0), ": "),
                                   /*confirm=*/false));
  request.set_password(password);
  request.set_request_id(ctx.connection().NewId());

  v1::LoginResponse response;
  absl::Status status = CallPublic(ctx, &v1::UsersService::StubInterface::Login, request, response);
  if (absl::IsUnauthenticated(status)) {
    // Login is the one call where UNAUTHENTICATED means bad credentials.
    return WithReason(WithExitCode(absl::UnauthenticatedError("wrong handle, email or password"),
                                   kExitFailure),
                      ReasonOf(status));
  }
  CF_RETURN_IF_ERROR(status);
  CF_RETURN_IF_ERROR(ctx.SaveLogin(response.tokens(), response.user()));
  ctx.out().Result(LoginRecord(response.user(), response.tokens()));
  ctx.out().Note(absl::StrCat("Logged in as @", response.user().profile().handle(), "."));
  return absl::OkStatus();
}

absl::Status RunLogout(CommandContext& ctx) {
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  Connection& connection = ctx.connection();
  const bool everywhere = ctx.invocation().Has("everywhere");
  const std::string handle = session->credentials().handle;
  int64_t sessions_ended = 1;
  absl::Status status = session->Call([&](const Credentials& credentials) {
    auto context = connection.NewContext(kCallTimeout, credentials.access_token);
    grpc::Status rpc;
    if (everywhere) {
      v1::LogoutEverywhereRequest request;
      request.set_request_id(connection.NewId());
      v1::LogoutEverywhereResponse response;
      rpc = connection.users().LogoutEverywhere(context.get(), request, &response);
      sessions_ended = response.sessions_ended();
    } else {
      v1::LogoutRequest request;
      request.set_request_id(connection.NewId());
      request.set_refresh_token(credentials.refresh_token);
      google::protobuf::Empty response;
      rpc = connection.users().Logout(context.get(), request, &response);
    }
    return connection.Finish(rpc, *context);
  });
  // A session the server no longer accepts is as good as ended.
  const bool already_ended = ExitCodeOf(status) == kExitNotLoggedIn;
  if (!status.ok() && !already_ended) {
    return absl::Status(status.code(),
                        absl::StrCat(status.message(), " (still logged in; to forget this "
                                     "session anyway, delete ", ctx.store().path(), ")"));
  }
  CF_RETURN_IF_ERROR(ctx.store().Remove());
  Record record;
  record.Str("handle", handle).Bool("logged_out", true);
  if (everywhere && !already_ended) record.Int("sessions_ended", sessions_ended);
  ctx.out().Result(record);
  if (already_ended) ctx.out().Note("The session had already ended; its tokens are forgotten.");
  return absl::OkStatus();
}

absl::Status RunDeleteAccount(CommandContext& ctx) {
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  const std::string handle = session->credentials().handle;
  if (!ctx.invocation().Has("yes")) {
    if (!ctx.terminal().Interactive()) {
      return UsageError(
          "delete-account asks you to type the handle, but stdin is not a terminal; pass --yes");
    }
    CF_ASSIGN_OR_RETURN(
        const std::string typed,
        ctx.terminal().ReadLine(absl::StrCat("This permanently deletes @", handle,
                                             " and its personal data.\nType the handle to "
                                             "confirm: ")));
    if (absl::AsciiStrToLower(StripAt(absl::StripAsciiWhitespace(typed))) !=
        absl::AsciiStrToLower(handle)) {
      return absl::CancelledError(
          absl::StrCat("that is not @", handle, "; nothing was deleted"));
    }
  }
  CF_ASSIGN_OR_RETURN(const std::string password,
                      ReadPassword(ctx, absl::StrCat("Password for @", handle, ": "), false));
  v1::DeleteMyAccountRequest request;
  request.set_request_id(ctx.connection().NewId());
  request.set_password(password);
  v1::DeleteMyAccountResponse response;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &v1::UsersService::StubInterface::DeleteMyAccount,
                                request, response));
  CF_RETURN_IF_ERROR(ctx.store().Remove());
  Record record;
  record.Str("handle", handle).Bool("deleted", true);
  if (const std::string t = FormatProtoTime(response.delete_time()); !t.empty()) {
    record.Str("delete_time", t);
  }
  if (const std::string t = FormatProtoTime(response.purge_time()); !t.empty()) {
    record.Str("purge_time", t);
  }
  ctx.out().Result(record);
  ctx.out().Note("Your account is deleted and you are logged out.");
  return absl::OkStatus();
}

absl::Status RunConsent(CommandContext& ctx) {
  const std::string choice = absl::AsciiStrToLower(ctx.invocation().Operand(0));
  if (!choice.empty() && choice != "on" && choice != "off") {
    return UsageError(absl::StrCat("consent takes on or off, not '", choice, "'"));
  }
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  v1::AnalyticsConsent consent;
  if (choice.empty()) {
    CF_RETURN_IF_ERROR(CallAuthed(ctx, *session,
                                  &v1::UsersService::StubInterface::GetAnalyticsConsent,
                                  v1::GetAnalyticsConsentRequest(), consent));
  } else {
    v1::SetAnalyticsConsentRequest request;
    request.set_request_id(ctx.connection().NewId());
    request.set_opted_in(choice == "on");
    CF_RETURN_IF_ERROR(CallAuthed(ctx, *session,
                                  &v1::UsersService::StubInterface::SetAnalyticsConsent, request,
                                  consent));
  }
  ctx.out().Result(ConsentRecord(consent));
  return absl::OkStatus();
}

}  // namespace clipforge::cli
