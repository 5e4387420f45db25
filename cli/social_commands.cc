// follow, unfollow, followers, following.
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/errors.h"
#include "cli/views.h"
#include "base/status_macros.h"

namespace clipforge::cli {
namespace {

template <typename Request>
absl::Status ChangeFollow(CommandContext& ctx,
                          UnaryMethod<Request, v1::Relationship> method) {
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  CF_ASSIGN_OR_RETURN(const v1::Profile target,
                      LookUpHandle(ctx, session, ctx.invocation().Operand(0)));
  Request request;
  request.set_request_id(ctx.connection().NewId());
  request.set_target_user_id(target.user_id());
  v1::Relationship relationship;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, method, request, relationship));
  ctx.out().Result(RelationshipRecord(target.handle(), relationship));
  return absl::OkStatus();
}

// Lists followers (or followed users) page by page. `Rows` picks the
// repeated field out of a response.
template <typename Request, typename Response, typename Rows>
absl::Status ListRelated(CommandContext& ctx, UnaryMethod<Request, Response> method,
                         absl::string_view what, Rows rows_of) {
  const Invocation& inv = ctx.invocation();
  CF_ASSIGN_OR_RETURN(const std::optional<int32_t> page_size, inv.IntFlag("page-size", 1, 100));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());

  std::string user_id = session->credentials().user_id;
  std::string handle = session->credentials().handle;
  if (!inv.Operand(0).empty()) {
    CF_ASSIGN_OR_RETURN(const v1::Profile profile, LookUpHandle(ctx, session, inv.Operand(0)));
    user_id = profile.user_id();
    handle = profile.handle();
  }

  Request request;
  request.set_user_id(user_id);
  if (page_size) request.set_page_size(*page_size);
  request.set_page_token(inv.Get("page-token").value_or(""));
  std::vector<Record> rows;
  CF_ASSIGN_OR_RETURN(const std::string next, FetchPages(ctx, *session, method, request, [&](const Response& r) {
                        for (const v1::RelatedUser& related : rows_of(r)) rows.push_back(RelatedUserRow(related));
                      }));
  Record record;
  record.Str("handle", handle, Show::kJsonOnly)
      .Table(what, std::move(rows))
      .Str("next_page_token", next, Show::kJsonOnly);
  ctx.out().Result(record);
  NoteNextPage(ctx, next);
  return absl::OkStatus();
}

}  // namespace

absl::Status RunFollow(CommandContext& ctx) {
  return ChangeFollow<v1::FollowRequest>(ctx, &v1::UsersService::StubInterface::Follow);
}

absl::Status RunUnfollow(CommandContext& ctx) {
  return ChangeFollow<v1::UnfollowRequest>(ctx, &v1::UsersService::StubInterface::Unfollow);
}

absl::Status RunFollowers(CommandContext& ctx) {
  return ListRelated(ctx, &v1::UsersService::StubInterface::ListFollowers, "followers",
                     [](const v1::ListFollowersResponse& r) -> const auto& { return r.followers(); });
}

absl::Status RunFollowing(CommandContext& ctx) {
  return ListRelated(ctx, &v1::UsersService::StubInterface::ListFollowing, "following",
                     [](const v1::ListFollowingResponse& r) -> const auto& { return r.following(); });
}

}  // namespace clipforge::cli
