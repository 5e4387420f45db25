// What a command runs with: the parsed command line, the resolved config,
// output, the terminal, time and ids, and (created on first use) the
// connection and the stored session.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/status_macros.h"
#include "cli/args.h"
#include "cli/config.h"
#include "cli/connection.h"
#include "cli/credentials.h"
#include "cli/output.h"
#include "cli/session.h"
#include "cli/terminal.h"
#include "clipforge/v1/moderation.grpc.pb.h"
#include "clipforge/v1/users.grpc.pb.h"
#include "base/clock.h"
#include "base/uuid.h"

namespace clipforge::cli {

class CommandContext {
 public:
  CommandContext(const Invocation& invocation, const Config& config,
                 std::shared_ptr<grpc::ChannelCredentials> channel_credentials, Output& output,
                 Terminal& terminal, const base::Clock& clock, base::UuidV7Generator& ids)
      : invocation_(invocation),
        config_(config),
        channel_credentials_(std::move(channel_credentials)),
        output_(output),
        terminal_(terminal),
        clock_(clock),
        ids_(ids),
        store_(config.config_dir) {}

  const Invocation& invocation() const { return invocation_; }
  const Config& config() const { return config_; }
  Output& out() { return output_; }
  Terminal& terminal() { return terminal_; }
  const base::Clock& clock() const { return clock_; }
  const CredentialStore& store() const { return store_; }
  Connection& connection();

  // The session stored for this server; NotLoggedInError (exit 3) when
  // there is none or it belongs to another server.
  absl::StatusOr<Session*> RequireSession();
  // The stored session, or null when none is stored for this server.
  absl::StatusOr<Session*> OptionalSession();
  // Stores the session of a successful Register or Login.
  absl::Status SaveLogin(const v1::AuthTokens& tokens, const v1::User& user);

 private:
  const Invocation& invocation_;
  const Config& config_;
  std::shared_ptr<grpc::ChannelCredentials> channel_credentials_;
  Output& output_;
  Terminal& terminal_;
  const base::Clock& clock_;
  base::UuidV7Generator& ids_;
  CredentialStore store_;
  std::unique_ptr<Connection> connection_;
  std::unique_ptr<RpcTokenRefresher> refresher_;
  std::optional<Session> session_;
};

// A unary method of one of the service stubs Connection holds.
template <typename Stub, typename Request, typename Response>
using StubMethod = grpc::Status (Stub::*)(grpc::ClientContext*, const Request&, Response*);
template <typename Request, typename Response>
using UnaryMethod = StubMethod<v1::UsersService::StubInterface, Request, Response>;

// One unary call without a token (Register, Login, public reads).
template <typename Stub, typename Request, typename Response>
absl::Status CallPublic(CommandContext& ctx, StubMethod<Stub, Request, Response> method,
                        const Request& request, Response& response) {
  Connection& connection = ctx.connection();
  auto context = connection.NewContext(kCallTimeout, "");
  const grpc::Status status = (connection.stub<Stub>().*method)(context.get(), request, &response);
  return connection.Finish(status, *context);
}

// One unary call with the session's token, refreshed and retried as
// Session::Call describes. `request` must not depend on the tokens.
template <typename Stub, typename Request, typename Response>
absl::Status CallAuthed(CommandContext& ctx, Session& session, StubMethod<Stub, Request, Response> method,
                        const Request& request, Response& response) {
  Connection& connection = ctx.connection();
  return session.Call([&](const Credentials& credentials) {
    auto context = connection.NewContext(kCallTimeout, credentials.access_token);
    const grpc::Status status = (connection.stub<Stub>().*method)(context.get(), request, &response);
    return connection.Finish(status, *context);
  });
}

// Which pages FetchPages fetches: `request`'s and, with --all, every next
// one; or every page whatever the flags say, for a command that has no
// paging flags (`reports`: your own reports, a short list).
enum class Paging { kAsAsked, kEvery };

// A list call for `request`'s page and, with --all, every next one, each
// response handed to `add`. Returns the token of the page after the last
// one fetched (empty at the end); a server that repeats a token stops it.
template <typename Stub, typename Request, typename Response, typename Add>
absl::StatusOr<std::string> FetchPages(CommandContext& ctx, Session& session,
                                       StubMethod<Stub, Request, Response> method, Request& request, Add add,
                                       Paging paging = Paging::kAsAsked) {
  const bool every_page = paging == Paging::kEvery || ctx.invocation().Has("all");
  absl::flat_hash_set<std::string> seen_tokens;
  for (;;) {
    Response response;
    CF_RETURN_IF_ERROR(CallAuthed(ctx, session, method, request, response));
    add(response);
    const std::string& next = response.next_page_token();
    if (!every_page || next.empty()) return next;
    if (!seen_tokens.insert(next).second) return absl::InternalError("the server repeated a page token; stopping");
    request.set_page_token(next);
  }
}

// Prints `rows` as the table `key`, and how to get the next page.
void PrintPages(CommandContext& ctx, absl::string_view key, std::vector<Record> rows, const std::string& next);
// How to get the next page, `next` (a Note for people; nothing when it is
// empty), for a listing that prints more than PrintPages' table, or free
// text.
void NoteNextPage(CommandContext& ctx, const std::string& next);

}  // namespace clipforge::cli
