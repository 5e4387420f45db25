// UsersService: accounts, sessions, profiles, the social graph, roles,
// consent, export and deletion. Handlers validate, authorize, call the
// domain rules (users/), store through UsersStore inside one transaction with
// their idempotency record and outbox event, and map errors at the edge.
#pragma once

#include <memory>
#include <string>

#include "clipforge/v1/users.grpc.pb.h"
#include "services/kit/access_token.h"
#include "services/kit/call_runner.h"
#include "services/kit/compute_slots.h"
#include "services/kit/outbox.h"
#include "services/kit/pg_pool.h"
#include "services/users/store.h"
#include "users/login_throttle.h"
#include "users/password_hasher.h"
#include "users/refresh_token.h"

namespace clipforge::users {

struct UsersServiceOptions {
  absl::Duration access_token_ttl = absl::Minutes(15);
  absl::Duration refresh_token_ttl = absl::Hours(24 * 30);
  // A RefreshToken retried with the same request_id within this window gets
  // a new pair instead of tripping reuse detection.
  absl::Duration refresh_retry_grace = absl::Seconds(60);
  // A retried Login/Register (same request_id) continues its session only
  // within this window.
  absl::Duration login_replay_window = absl::Minutes(5);
  // A deleted account's handle cannot be registered again before this.
  absl::Duration handle_reservation = absl::Hours(24 * 30);
  // Following more users than this is RESOURCE_EXHAUSTED.
  int64_t max_following = 7500;
  int export_chunk_bytes = 64 * 1024;
  // Exports allowed per user per day.
  int exports_per_day = 3;
};

// What the service needs; none of it is owned.
struct UsersServiceDeps {
  kit::PgPool& pool;
  // Connections that commit without waiting for the WAL flush, for the one
  // write of a login (a session lost to a crash means logging in again).
  kit::PgPool& session_pool;
  kit::CallRunner& runner;
  const kit::AuthGate& auth;
  const kit::AccessTokenSigner& signer;
  const PasswordHasher& hasher;
  // Argon2id runs in one of these (at most one per core at a time).
  kit::ComputeSlots& compute;
  LoginThrottle& throttle;
  kit::BlockingExecutor& executor;
  const kit::EventFactory& events;
  kit::UuidV7Generator& ids;
  kit::RandomSource& random;
  const kit::Clock& clock;
};

class UsersServiceImpl final : public v1::UsersService::CallbackService {
 public:
  UsersServiceImpl(UsersServiceDeps deps, UsersServiceOptions options)
      : d_(deps), options_(options) {}

  static std::vector<kit::PreparedStatement> Statements();
  // The async-commit pool's options (deps.session_pool), from the main one's.
  static kit::PgPoolOptions SessionPoolOptions(kit::PgPoolOptions main);

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
  grpc::ServerUnaryReactor* ListFollowers(grpc::CallbackServerContext*, const v1::ListFollowersRequest*,
                                          v1::ListFollowersResponse*) override;
  grpc::ServerUnaryReactor* ListFollowing(grpc::CallbackServerContext*, const v1::ListFollowingRequest*,
                                          v1::ListFollowingResponse*) override;
  grpc::ServerUnaryReactor* Block(grpc::CallbackServerContext*, const v1::BlockRequest*,
                                  v1::Relationship*) override;
  grpc::ServerUnaryReactor* Unblock(grpc::CallbackServerContext*, const v1::UnblockRequest*,
                                    v1::Relationship*) override;
  grpc::ServerUnaryReactor* Mute(grpc::CallbackServerContext*, const v1::MuteRequest*,
                                 v1::Relationship*) override;
  grpc::ServerUnaryReactor* Unmute(grpc::CallbackServerContext*, const v1::UnmuteRequest*,
                                   v1::Relationship*) override;
  grpc::ServerUnaryReactor* ListBlocked(grpc::CallbackServerContext*, const v1::ListBlockedRequest*,
                                        v1::ListBlockedResponse*) override;
  grpc::ServerUnaryReactor* ListMuted(grpc::CallbackServerContext*, const v1::ListMutedRequest*,
                                      v1::ListMutedResponse*) override;
  grpc::ServerUnaryReactor* GrantRole(grpc::CallbackServerContext*, const v1::GrantRoleRequest*,
                                      v1::UserRoles*) override;
  grpc::ServerUnaryReactor* RevokeRole(grpc::CallbackServerContext*, const v1::RevokeRoleRequest*,
                                       v1::UserRoles*) override;
  grpc::ServerUnaryReactor* SetAnalyticsConsent(grpc::CallbackServerContext*,
                                                const v1::SetAnalyticsConsentRequest*,
                                                v1::AnalyticsConsent*) override;
  grpc::ServerUnaryReactor* GetAnalyticsConsent(grpc::CallbackServerContext*,
                                                const v1::GetAnalyticsConsentRequest*,
                                                v1::AnalyticsConsent*) override;
  grpc::ServerWriteReactor<v1::DataChunk>* ExportMyData(grpc::CallbackServerContext*,
                                                        const v1::ExportMyDataRequest*) override;
  grpc::ServerUnaryReactor* DeleteMyAccount(grpc::CallbackServerContext*, const v1::DeleteMyAccountRequest*,
                                            v1::DeleteMyAccountResponse*) override;

 private:
  // Authenticated work that also requires the token's session to be live
  // (logout and theft detection take effect at once here; other services
  // rely on the access token's short lifetime).
  template <typename Work>
  grpc::ServerUnaryReactor* WithSession(grpc::CallbackServerContext* ctx, Work work);

  // Shared by Follow/Unfollow/Block/Unblock/Mute/Unmute.
  enum class GraphOp { kFollow, kUnfollow, kBlock, kUnblock, kMute, kUnmute };
  // `request` is the RPC's own request message (its idempotency fingerprint).
  grpc::ServerUnaryReactor* ChangeRelation(grpc::CallbackServerContext* ctx, GraphOp op,
                                           const google::protobuf::Message& request,
                                           const std::string& request_id, const std::string& target,
                                           v1::Relationship* response);
  grpc::ServerUnaryReactor* ListRelated(grpc::CallbackServerContext* ctx, ListKind kind,
                                        const std::string& user_id, int32_t page_size,
                                        const std::string& page_token,
                                        google::protobuf::RepeatedPtrField<v1::RelatedUser>* out,
                                        std::string* next_page_token);
  grpc::ServerUnaryReactor* ChangeRole(grpc::CallbackServerContext* ctx, const google::protobuf::Message& request,
                                       const std::string& request_id,
                                       const std::string& user_id, v1::Role role, bool grant,
                                       const std::string& reason, v1::UserRoles* response);

  // What an earlier attempt of a registration (same handle, email and
  // request_id, within the replay window) created.
  struct EarlierRegistration {
    Account account;
    std::string session_id;
  };
  std::optional<EarlierRegistration> FindEarlierRegistration(pqxx::work& txn, const std::string& handle,
                                                             const std::string& email, const std::string& request_id,
                                                             absl::Time now) const;

  // The hasher's calls, each inside a compute slot.
  bool VerifyPassword(absl::string_view hash, absl::string_view password);
  void BurnPasswordTime(absl::string_view password);
  absl::StatusOr<std::string> HashPassword(absl::string_view password);

  // Signs the access token and fills `tokens` with it and `refresh`.
  void FillTokens(const Account& account, const std::string& session_id, const NewRefreshToken& refresh,
                  absl::Time now, v1::AuthTokens* tokens) const;
  // Stores a new refresh token for `session_id` and fills `tokens`.
  // Returns the new refresh token's hash.
  absl::StatusOr<std::string> IssueTokens(pqxx::work& txn, const Account& account, const std::string& session_id,
                                          v1::AuthTokens* tokens);

  UsersServiceDeps d_;
  UsersServiceOptions options_;
};

}  // namespace clipforge::users
