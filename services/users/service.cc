#include "services/users/service.h"

#include "base/status_macros.h"
#include "base/validation.h"
#include "services/kit/chunk_writer.h"
#include "services/kit/grpc_status.h"
#include "services/kit/idempotency.h"
#include "services/users/convert.h"
#include "services/users/request_parsing.h"

namespace clipforge::users {
namespace {

constexpr int32_t kDefaultPageSize = 20;
constexpr int32_t kMaxPageSize = 100;

}  // namespace

absl::Status UsersServiceImpl::SessionFirst(const kit::Caller& caller, absl::Status invalid) {
  if (invalid.ok()) return invalid;
  CF_RETURN_IF_ERROR(logic_.sessions.CheckSession(caller));
  return invalid;
}

grpc::ServerUnaryReactor* UsersServiceImpl::Register(grpc::CallbackServerContext* ctx,
                                                     const v1::RegisterRequest* request,
                                                     v1::RegisterResponse* response) {
  return runner_.Public(ctx, [this, ctx, request, response]() -> absl::Status {
    CF_ASSIGN_OR_RETURN(const Registration registration, ParseRegistration(*request));
    CF_ASSIGN_OR_RETURN(const SignedIn signed_in, logic_.sessions.Register(registration, addresses_.Of(*ctx)));
    FillUser(signed_in.account, clock_.Now(), response->mutable_user());
    FillTokens(signed_in.tokens, response->mutable_tokens());
    return absl::OkStatus();
  }, kit::Lane::kCompute);  // Argon2id.
}

grpc::ServerUnaryReactor* UsersServiceImpl::Login(grpc::CallbackServerContext* ctx, const v1::LoginRequest* request,
                                                  v1::LoginResponse* response) {
  return runner_.Public(ctx, [this, ctx, request, response]() -> absl::Status {
    CF_ASSIGN_OR_RETURN(const LoginAttempt attempt, ParseLogin(*request));
    CF_ASSIGN_OR_RETURN(const SignedIn signed_in, logic_.sessions.Login(attempt, addresses_.Of(*ctx)));
    FillUser(signed_in.account, clock_.Now(), response->mutable_user());
    FillTokens(signed_in.tokens, response->mutable_tokens());
    return absl::OkStatus();
  }, kit::Lane::kCompute);  // Argon2id.
}

grpc::ServerUnaryReactor* UsersServiceImpl::RefreshToken(grpc::CallbackServerContext* ctx,
                                                         const v1::RefreshTokenRequest* request,
                                                         v1::RefreshTokenResponse* response) {
  return runner_.Public(ctx, [this, request, response]() -> absl::Status {
    base::FieldValidator v;
    v.Uuid("request_id", request->request_id())
        .Text("refresh_token", request->refresh_token(), {.min_chars = 1, .max_chars = 512});
    CF_RETURN_IF_ERROR(v.status());
    CF_ASSIGN_OR_RETURN(const IssuedTokens tokens,
                        logic_.sessions.Refresh(request->request_id(), request->refresh_token()));
    FillTokens(tokens, response->mutable_tokens());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UsersServiceImpl::Logout(grpc::CallbackServerContext* ctx, const v1::LogoutRequest* request,
                                                   google::protobuf::Empty*) {
  return runner_.Authenticated(ctx, [this, request](const kit::Caller& caller) -> absl::Status {
    base::FieldValidator v;
    v.Uuid("request_id", request->request_id()).Text("refresh_token", request->refresh_token(), {.max_chars = 512});
    CF_RETURN_IF_ERROR(SessionFirst(caller, v.status()));
    return logic_.sessions.Logout(caller, request->refresh_token());
  });
}

grpc::ServerUnaryReactor* UsersServiceImpl::LogoutEverywhere(grpc::CallbackServerContext* ctx,
                                                             const v1::LogoutEverywhereRequest* request,
                                                             v1::LogoutEverywhereResponse* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(SessionFirst(caller, CheckRequestId(request->request_id())));
    CF_ASSIGN_OR_RETURN(const int ended, logic_.sessions.LogoutEverywhere(caller));
    response->set_sessions_ended(ended);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UsersServiceImpl::GetMyProfile(grpc::CallbackServerContext* ctx,
                                                         const v1::GetMyProfileRequest*, v1::User* response) {
  return runner_.Authenticated(ctx, [this, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const Account account, logic_.profiles.GetMine(caller));
    FillUser(account, clock_.Now(), response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UsersServiceImpl::UpdateMyProfile(grpc::CallbackServerContext* ctx,
                                                            const v1::UpdateMyProfileRequest* request,
                                                            v1::User* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    absl::StatusOr<ProfileChange> change = ParseProfileChange(*request);
    CF_RETURN_IF_ERROR(SessionFirst(caller, change.status()));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const Account account, logic_.profiles.Update(caller, key, *change));
    FillUser(account, clock_.Now(), response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UsersServiceImpl::GetPublicProfile(grpc::CallbackServerContext* ctx,
                                                             const v1::GetPublicProfileRequest* request,
                                                             v1::Profile* response) {
  return runner_.Public(ctx, [this, ctx, request, response]() -> absl::Status {
    CF_ASSIGN_OR_RETURN(const UserLookup lookup, ParseUserLookup(*request));
    // Public, but a valid token adds the viewer's relationship.
    const absl::StatusOr<kit::Caller> viewer = auth_.Authenticate(*ctx);
    CF_ASSIGN_OR_RETURN(const PublicProfile profile,
                        logic_.profiles.GetPublic(viewer.ok() ? std::optional(*viewer) : std::nullopt, lookup));
    FillProfile(profile.account, response);
    if (profile.relation) {
      FillRelationship({profile.account.user_id, *profile.relation}, response->mutable_viewer_relationship());
    }
    return absl::OkStatus();
  });
}

template <typename Request>
grpc::ServerUnaryReactor* UsersServiceImpl::ChangeRelation(grpc::CallbackServerContext* ctx, GraphOp op,
                                                           const Request* request, v1::Relationship* response) {
  return runner_.Authenticated(ctx, [this, op, request, response](const kit::Caller& caller) -> absl::Status {
    base::FieldValidator v;
    v.Uuid("request_id", request->request_id()).Uuid("target_user_id", request->target_user_id());
    CF_RETURN_IF_ERROR(SessionFirst(caller, v.status()));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const RelationshipView view,
                        logic_.graph.Change(caller, key, op, request->target_user_id()));
    FillRelationship(view, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UsersServiceImpl::Follow(grpc::CallbackServerContext* ctx, const v1::FollowRequest* r,
                                                   v1::Relationship* out) {
  return ChangeRelation(ctx, GraphOp::kFollow, r, out);
}
grpc::ServerUnaryReactor* UsersServiceImpl::Unfollow(grpc::CallbackServerContext* ctx, const v1::UnfollowRequest* r,
                                                     v1::Relationship* out) {
  return ChangeRelation(ctx, GraphOp::kUnfollow, r, out);
}
grpc::ServerUnaryReactor* UsersServiceImpl::Block(grpc::CallbackServerContext* ctx, const v1::BlockRequest* r,
                                                  v1::Relationship* out) {
  return ChangeRelation(ctx, GraphOp::kBlock, r, out);
}
grpc::ServerUnaryReactor* UsersServiceImpl::Unblock(grpc::CallbackServerContext* ctx, const v1::UnblockRequest* r,
                                                    v1::Relationship* out) {
  return ChangeRelation(ctx, GraphOp::kUnblock, r, out);
}
grpc::ServerUnaryReactor* UsersServiceImpl::Mute(grpc::CallbackServerContext* ctx, const v1::MuteRequest* r,
                                                 v1::Relationship* out) {
  return ChangeRelation(ctx, GraphOp::kMute, r, out);
}
grpc::ServerUnaryReactor* UsersServiceImpl::Unmute(grpc::CallbackServerContext* ctx, const v1::UnmuteRequest* r,
                                                   v1::Relationship* out) {
  return ChangeRelation(ctx, GraphOp::kUnmute, r, out);
}

template <typename Response>
grpc::ServerUnaryReactor* UsersServiceImpl::ListRelated(
    grpc::CallbackServerContext* ctx, ListKind kind, const std::string& user_id, int32_t page_size,
    const std::string& page_token, Response* response,
    google::protobuf::RepeatedPtrField<v1::RelatedUser>* (Response::*users)()) {
  return runner_.Authenticated(ctx, [=, this](const kit::Caller& caller) -> absl::Status {
    base::FieldValidator v;
    if (!IsOwnList(kind)) v.Uuid("user_id", user_id);
    const int32_t size = v.PageSize("page_size", page_size, kDefaultPageSize, kMaxPageSize);
    v.Text("page_token", page_token, {.max_chars = 1024});
    CF_RETURN_IF_ERROR(SessionFirst(caller, v.status()));
    CF_ASSIGN_OR_RETURN(const ListPage page, logic_.graph.List(caller, kind, user_id, size, page_token));
    for (const RelatedAccount& related : page.users) FillRelatedUser(related, (response->*users)()->Add());
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UsersServiceImpl::ListFollowers(grpc::CallbackServerContext* ctx,
                                                          const v1::ListFollowersRequest* r,
                                                          v1::ListFollowersResponse* out) {
  return ListRelated(ctx, ListKind::kFollowers, r->user_id(), r->page_size(), r->page_token(), out,
                     &v1::ListFollowersResponse::mutable_followers);
}
grpc::ServerUnaryReactor* UsersServiceImpl::ListFollowing(grpc::CallbackServerContext* ctx,
                                                          const v1::ListFollowingRequest* r,
                                                          v1::ListFollowingResponse* out) {
  return ListRelated(ctx, ListKind::kFollowing, r->user_id(), r->page_size(), r->page_token(), out,
                     &v1::ListFollowingResponse::mutable_following);
}
grpc::ServerUnaryReactor* UsersServiceImpl::ListBlocked(grpc::CallbackServerContext* ctx,
                                                        const v1::ListBlockedRequest* r, v1::ListBlockedResponse* out) {
  return ListRelated(ctx, ListKind::kBlocked, "", r->page_size(), r->page_token(), out,
                     &v1::ListBlockedResponse::mutable_blocked);
}
grpc::ServerUnaryReactor* UsersServiceImpl::ListMuted(grpc::CallbackServerContext* ctx, const v1::ListMutedRequest* r,
                                                      v1::ListMutedResponse* out) {
  return ListRelated(ctx, ListKind::kMuted, "", r->page_size(), r->page_token(), out,
                     &v1::ListMutedResponse::mutable_muted);
}

template <typename Request>
grpc::ServerUnaryReactor* UsersServiceImpl::ChangeRole(grpc::CallbackServerContext* ctx, const Request* request,
                                                       bool grant, v1::UserRoles* response) {
  return runner_.Authenticated(ctx, [this, request, grant, response](const kit::Caller& caller) -> absl::Status {
    base::FieldValidator v;
    v.Uuid("request_id", request->request_id())
        .Uuid("user_id", request->user_id())
        .Text("reason", request->reason(), {.min_chars = 1, .max_chars = 500});
    const std::optional<base::Role> role = FromProtoRole(request->role());
    v.Check(role.has_value() && role != base::Role::kUser, "role",
            "must be ROLE_CREATOR, ROLE_BRAND, ROLE_MODERATOR or ROLE_ADMIN");
    CF_RETURN_IF_ERROR(SessionFirst(caller, v.status()));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const RolesView roles,
                        logic_.roles.Change(caller, key, request->user_id(), *role, grant, request->reason()));
    FillRoles(roles, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UsersServiceImpl::GrantRole(grpc::CallbackServerContext* ctx, const v1::GrantRoleRequest* r,
                                                      v1::UserRoles* out) {
  return ChangeRole(ctx, r, /*grant=*/true, out);
}
grpc::ServerUnaryReactor* UsersServiceImpl::RevokeRole(grpc::CallbackServerContext* ctx,
                                                       const v1::RevokeRoleRequest* r, v1::UserRoles* out) {
  return ChangeRole(ctx, r, /*grant=*/false, out);
}

grpc::ServerUnaryReactor* UsersServiceImpl::SetAnalyticsConsent(grpc::CallbackServerContext* ctx,
                                                                const v1::SetAnalyticsConsentRequest* request,
                                                                v1::AnalyticsConsent* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    base::FieldValidator v;
    v.Uuid("request_id", request->request_id()).Text("policy_version", request->policy_version(), {.max_chars = 32});
    CF_RETURN_IF_ERROR(SessionFirst(caller, v.status()));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const Consent consent,
                        logic_.privacy.SetConsent(caller, key, request->opted_in(), request->policy_version()));
    FillConsent(consent, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UsersServiceImpl::GetAnalyticsConsent(grpc::CallbackServerContext* ctx,
                                                                const v1::GetAnalyticsConsentRequest*,
                                                                v1::AnalyticsConsent* response) {
  return runner_.Authenticated(ctx, [this, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const Consent consent, logic_.privacy.GetConsent(caller));
    FillConsent(consent, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UsersServiceImpl::DeleteMyAccount(grpc::CallbackServerContext* ctx,
                                                            const v1::DeleteMyAccountRequest* request,
                                                            v1::DeleteMyAccountResponse* response) {
  return runner_.Authenticated(ctx, [this, ctx, request, response](const kit::Caller& caller) -> absl::Status {
    base::FieldValidator v;
    v.Uuid("request_id", request->request_id())
        .Text("password", request->password(), {.min_chars = 1, .max_chars = 128, .allow_control = true});
    CF_RETURN_IF_ERROR(SessionFirst(caller, v.status()));
    CF_ASSIGN_OR_RETURN(const Deletion deletion,
                        logic_.privacy.DeleteAccount(caller, request->password(), addresses_.Of(*ctx)));
    *response->mutable_delete_time() = ToTimestamp(deletion.delete_time);
    *response->mutable_purge_time() = ToTimestamp(deletion.purge_time);
    return absl::OkStatus();
  }, kit::Lane::kCompute);  // Argon2id.
}

grpc::ServerWriteReactor<v1::DataChunk>* UsersServiceImpl::ExportMyData(grpc::CallbackServerContext* ctx,
                                                                        const v1::ExportMyDataRequest*) {
  auto* writer = new kit::ChunkWriter(ctx, export_stream_);
  absl::StatusOr<kit::Caller> caller = auth_.Authenticate(*ctx);
  if (!caller.ok()) {
    writer->Fail(runner_.ClientStatus(*ctx, caller.status()));
    return writer;
  }
  const absl::Status submitted = executor_.Submit([this, ctx, writer, caller = *std::move(caller)] {
    absl::StatusOr<std::string> archive = logic_.privacy.Export(caller);
    if (!archive.ok()) {
      writer->Fail(runner_.ClientStatus(*ctx, archive.status()));
      return;
    }
    writer->Send(*std::move(archive), "application/json");
  });
  if (!submitted.ok()) writer->Fail(runner_.ClientStatus(*ctx, submitted));
  return writer;
}

}  // namespace clipforge::users
