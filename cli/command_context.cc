#include "cli/command_context.h"

#include "absl/strings/str_cat.h"
#include "cli/errors.h"
#include "base/status_macros.h"

namespace clipforge::cli {

Connection& CommandContext::connection() {
  if (!connection_) {
    connection_ = std::make_unique<Connection>(config_.server, config_.transport.tls,
                                               channel_credentials_, clock_, ids_);
    refresher_ = std::make_unique<RpcTokenRefresher>(*connection_);
  }
  return *connection_;
}

absl::StatusOr<Session*> CommandContext::OptionalSession() {
  if (session_) return &*session_;
  absl::StatusOr<Credentials> credentials = store_.Load();
  if (absl::IsNotFound(credentials.status())) return nullptr;
  if (absl::IsDataLoss(credentials.status())) {
    return NotLoggedInError(credentials.status().message());
  }
  if (!credentials.ok()) return credentials.status();
  if (credentials->server != config_.server) return nullptr;
  connection();
  session_.emplace(store_, *std::move(credentials), *refresher_, clock_);
  return &*session_;
}

absl::StatusOr<Session*> CommandContext::RequireSession() {
  CF_ASSIGN_OR_RETURN(Session* const session, OptionalSession());
  if (session != nullptr) return session;
  absl::StatusOr<Credentials> other = store_.Load();
  if (other.ok()) {
    return NotLoggedInError(absl::StrCat("not logged in to ", config_.server,
                                         " (your stored session is for ", other->server,
                                         ") — run `clipforge login` or pass --server=",
                                         other->server));
  }
  return NotLoggedInError("not logged in — run `clipforge login`");
}

absl::Status CommandContext::SaveLogin(const v1::AuthTokens& tokens, const v1::User& user) {
  Credentials credentials;
  credentials.server = config_.server;
  credentials.user_id = user.profile().user_id();
  credentials.handle = user.profile().handle();
  ApplyTokens(tokens, clock_.Now(), credentials);
  if (credentials.access_token.empty() || credentials.refresh_token.empty() ||
      credentials.user_id.empty() || credentials.handle.empty()) {
    return absl::InternalError("the server's reply lacks the tokens or the user; nothing was stored");
  }
  CF_ASSIGN_OR_RETURN(const FileLock lock, store_.Lock());
  absl::Status saved = store_.Save(credentials);
  if (!saved.ok()) {
    return absl::Status(saved.code(), absl::StrCat("logged in, but could not store the session: ",
                                                   saved.message()));
  }
  session_.reset();
  return absl::OkStatus();
}

void PrintPages(CommandContext& ctx, absl::string_view key, std::vector<Record> rows, const std::string& next) {
  Record record;
  record.Table(key, std::move(rows)).Str("next_page_token", next, Show::kJsonOnly);
  ctx.out().Result(record);
  NoteNextPage(ctx, next);
}

void NoteNextPage(CommandContext& ctx, const std::string& next) {
  if (!next.empty()) ctx.out().Note(absl::StrCat("More: run again with --all, or with --page-token=", next));
}

}  // namespace clipforge::cli
