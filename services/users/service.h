// UsersService's gRPC adapter. Each handler validates the request (every
// bad field named), converts it, calls the logic (logic.h) and converts the
// result; rules, SQL and events live below it.
#pragma once

#include "base/clock.h"
#include "clipforge/v1/users.grpc.pb.h"
#include "services/kit/auth.h"
#include "services/kit/call_runner.h"
#include "services/kit/chunk_writer.h"
#include "services/kit/client_address.h"
#include "services/kit/executor.h"
#include "services/users/logic.h"

namespace clipforge::users {

class UsersServiceImpl final : public v1::UsersService::CallbackService {
 public:
  // None of the arguments is owned. `clock` dates the answers that depend
  // on the time (User.teen_account). `export_stream` shapes the
  // ExportMyData stream (chunk size, write timeout).
  UsersServiceImpl(UsersLogic logic, const base::Clock& clock, kit::CallRunner& runner, const kit::AuthGate& auth,
                   kit::BlockingExecutor& executor, const kit::ClientAddresses& addresses,
                   kit::ChunkStreamOptions export_stream = {})
      : logic_(logic), clock_(clock), runner_(runner), auth_(auth), executor_(executor), addresses_(addresses),
        export_stream_(export_stream) {}

  grpc::ServerUnaryReactor* Register(grpc::CallbackServerContext*, const v1::RegisterRequest*,
                                     v1::RegisterResponse*) override;
  grpc::ServerUnaryReactor* Login(grpc::CallbackServerContext*, const v1::LoginRequest*,
                                  v1::LoginResponse*) override;
  grpc::ServerUnaryReactor* RefreshToken(grpc::CallbackServerContext*, const v1::RefreshTokenRequest*,
                                         v1::RefreshTokenResponse*) override;
  grpc::ServerUnaryReactor* Logout(grpc::CallbackServerContext*, const v1::LogoutRequest*,
                                   google::protobuf::Empty*) override;
  grpc::ServerUnaryReactor* LogoutEverywhere(grpc::CallbackServerContext*, const v1::LogoutEverywhereRequest*,
                                             v1::LogoutEverywhereResponse*) override;
  grpc::ServerUnaryReactor* GetMyProfile(grpc::CallbackServerContext*, const v1::GetMyProfileRequest*,
                                         v1::User*) override;
  grpc::ServerUnaryReactor* UpdateMyProfile(grpc::CallbackServerContext*, const v1::UpdateMyProfileRequest*,
                                            v1::User*) override;
  grpc::ServerUnaryReactor* GetPublicProfile(grpc::CallbackServerContext*, const v1::GetPublicProfileRequest*,
                                             v1::Profile*) override;
  grpc::ServerUnaryReactor* Follow(grpc::CallbackServerContext*, const v1::FollowRequest*,
                                   v1::Relationship*) override;
  grpc::ServerUnaryReactor* Unfollow(grpc::CallbackServerContext*, const v1::UnfollowRequest*,
                                     v1::Relationship*) override;
  grpc::ServerUnaryReactor* Block(grpc::CallbackServerContext*, const v1::BlockRequest*,
                                  v1::Relationship*) override;
  grpc::ServerUnaryReactor* Unblock(grpc::CallbackServerContext*, const v1::UnblockRequest*,
                                    v1::Relationship*) override;
  grpc::ServerUnaryReactor* Mute(grpc::CallbackServerContext*, const v1::MuteRequest*, v1::Relationship*) override;
  grpc::ServerUnaryReactor* Unmute(grpc::CallbackServerContext*, const v1::UnmuteRequest*,
                                   v1::Relationship*) override;
  grpc::ServerUnaryReactor* ListFollowers(grpc::CallbackServerContext*, const v1::ListFollowersRequest*,
                                          v1::ListFollowersResponse*) override;
  grpc::ServerUnaryReactor* ListFollowing(grpc::CallbackServerContext*, const v1::ListFollowingRequest*,
                                          v1::ListFollowingResponse*) override;
  grpc::ServerUnaryReactor* ListBlocked(grpc::CallbackServerContext*, const v1::ListBlockedRequest*,
                                        v1::ListBlockedResponse*) override;
  grpc::ServerUnaryReactor* ListMuted(grpc::CallbackServerContext*, const v1::ListMutedRequest*,
                                      v1::ListMutedResponse*) override;
  grpc::ServerUnaryReactor* GrantRole(grpc::CallbackServerContext*, const v1::GrantRoleRequest*,
                                      v1::UserRoles*) override;
  grpc::ServerUnaryReactor* RevokeRole(grpc::CallbackServerContext*, const v1::RevokeRoleRequest*,
                                       v1::UserRoles*) override;
  grpc::ServerUnaryReactor* SetAnalyticsConsent(grpc::CallbackServerContext*, const v1::SetAnalyticsConsentRequest*,
                                                v1::AnalyticsConsent*) override;
  grpc::ServerUnaryReactor* GetAnalyticsConsent(grpc::CallbackServerContext*, const v1::GetAnalyticsConsentRequest*,
                                                v1::AnalyticsConsent*) override;
  grpc::ServerWriteReactor<v1::DataChunk>* ExportMyData(grpc::CallbackServerContext*,
                                                        const v1::ExportMyDataRequest*) override;
  grpc::ServerUnaryReactor* DeleteMyAccount(grpc::CallbackServerContext*, const v1::DeleteMyAccountRequest*,
                                            v1::DeleteMyAccountResponse*) override;

 private:
  // Follow ... Unmute: `request` is the RPC's own message (its
  // idempotency fingerprint).
  template <typename Request>
  grpc::ServerUnaryReactor* ChangeRelation(grpc::CallbackServerContext* ctx, GraphOp op, const Request* request,
                                           v1::Relationship* response);
  // ListFollowers ... ListMuted.
  template <typename Response>
  grpc::ServerUnaryReactor* ListRelated(grpc::CallbackServerContext* ctx, ListKind kind, const std::string& user_id,
                                        int32_t page_size, const std::string& page_token, Response* response,
                                        google::protobuf::RepeatedPtrField<v1::RelatedUser>* (Response::*users)());
  // GrantRole and RevokeRole.
  template <typename Request>
  grpc::ServerUnaryReactor* ChangeRole(grpc::CallbackServerContext* ctx, const Request* request, bool grant,
                                       v1::UserRoles* response);

  // `invalid` (the request's validation) as the handler's answer, unless
  // the caller's session has ended: then UNAUTHENTICATED, as for every call
  // of an ended session, whatever it sent. Costs a lookup only when the
  // request is invalid; valid requests meet the session check in the logic.
  absl::Status SessionFirst(const kit::Caller& caller, absl::Status invalid);

  UsersLogic logic_;
  const base::Clock& clock_;
  kit::CallRunner& runner_;
  const kit::AuthGate& auth_;
  kit::BlockingExecutor& executor_;
  const kit::ClientAddresses& addresses_;
  const kit::ChunkStreamOptions export_stream_;
};

}  // namespace clipforge::users
