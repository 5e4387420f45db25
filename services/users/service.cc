#include "services/users/service.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/types/span.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "services/kit/call_observer.h"
#include "services/kit/logger.h"
#include "services/kit/pg_transaction.h"
#include "services/kit/sha256.h"
#include "services/kit/status_macros.h"
#include "services/kit/validation.h"
#include "services/users/convert.h"
#include "services/kit/chunk_writer.h"
#include "services/users/export_archive.h"
#include "services/users/page_token.h"
#include "users/account_rules.h"
#include "users/refresh_token.h"

namespace clipforge::users {
namespace {

constexpr int32_t kDefaultPageSize = 20;
constexpr int32_t kMaxPageSize = 100;
// Same message for "no such account" and "wrong password": no enumeration.
constexpr char kBadCredentials[] = "handle_or_email or password is incorrect";

// Hex SHA-256 of the request's deterministic serialization.
std::string Fingerprint(const google::protobuf::Message& request) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  return kit::Sha256Hex(bytes);
}

// Replays the first outcome of (caller, request_id). Returns true when the
// response was filled from it.
absl::StatusOr<bool> Replay(pqxx::work& txn, const std::string& caller_id, const std::string& request_id,
                            const google::protobuf::Message& request, google::protobuf::Message* response) {
  const auto record = UsersStore::FindIdempotency(txn, caller_id, request_id);
  if (!record) return false;
  if (record->method != request.GetDescriptor()->full_name() || record->fingerprint != Fingerprint(request)) {
    return absl::AlreadyExistsError("request_id: already used for a different request");
  }
  if (!response->ParseFromString(record->response)) return absl::InternalError("idempotency record unreadable");
  return true;
}

void Remember(pqxx::work& txn, const std::string& caller_id, const std::string& request_id,
              const google::protobuf::Message& request, const google::protobuf::Message& response) {
  UsersStore::SaveIdempotency(txn, caller_id, request_id, request.GetDescriptor()->full_name(),
                              Fingerprint(request), response.SerializeAsString());
}

// Joins the messages of failed checks: "handle: ...; password: ...".
absl::Status Collect(absl::Span<const absl::Status> checks) {
  std::vector<std::string> messages;
  for (const absl::Status& s : checks) {
    if (!s.ok()) messages.emplace_back(s.message());
  }
  if (messages.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(messages, "; "));
}

// "display_name: ..." -> "profile.display_name: ..." for fields inside
// UpdateMyProfileRequest.profile.
absl::Status InProfile(const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat("profile.", status.message()));
}

absl::Status CheckRequestId(const std::string& request_id) {
  kit::FieldValidator v;
  v.Uuid("request_id", request_id);
  return v.status();
}

// The client's IP address from gRPC's peer string ("ipv4:1.2.3.4:5678").
std::string PeerAddress(const grpc::ServerContextBase& ctx) {
  std::string peer = ctx.peer();
  const size_t colon = peer.find(':');
  const size_t last = peer.rfind(':');
  if (colon != std::string::npos && last != std::string::npos && last > colon) {
    return peer.substr(colon + 1, last - colon - 1);
  }
  return peer;
}

std::string LoginKey(absl::string_view handle_or_email) {
  std::string key = absl::AsciiStrToLower(absl::StripAsciiWhitespace(handle_or_email));
  if (!key.empty() && key[0] == '@') key.erase(0, 1);
  return key;
}

// Every path in the mask must be updatable and its new value valid.
absl::Status ValidateProfileUpdate(const v1::UpdateMyProfileRequest& r) {
  const v1::UpdateMyProfileRequest* request = &r;
  std::vector<absl::Status> checks = {CheckRequestId(request->request_id())};
  const auto& paths = request->update_mask().paths();
  if (paths.empty()) checks.push_back(absl::InvalidArgumentError("update_mask: name at least one field"));
  for (const std::string& path : paths) {
    if (path == "display_name") {
      checks.push_back(InProfile(NormalizeDisplayName(request->profile().display_name()).status()));
    } else if (path == "bio") {
      checks.push_back(InProfile(CheckBio(request->profile().bio())));
    } else if (path == "languages") {
      checks.push_back(InProfile(CheckLanguages(std::vector<std::string>(request->profile().languages().begin(),
                                                                          request->profile().languages().end()))));
    } else if (path == "avatar") {
      const std::string& sha = request->profile().avatar().sha256();
      const bool hex = sha.size() == 64 && std::all_of(sha.begin(), sha.end(), [](char c) {
                         return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                       });
      if (request->profile().has_avatar() && !hex) {
        checks.push_back(absl::InvalidArgumentError("profile.avatar.sha256: must be 64 lowercase hex digits"));
      }
    } else {
      checks.push_back(absl::InvalidArgumentError(absl::StrCat("update_mask: '", path.substr(0, 64), "' cannot be updated")));
    }
  }
  return Collect(checks);
}

}  // namespace

std::vector<kit::PreparedStatement> UsersServiceImpl::Statements() {
  std::vector<kit::PreparedStatement> statements = UsersStore::Statements();
  statements.push_back(kit::OutboxWriter::Statement());
  return statements;
}

kit::PgPoolOptions UsersServiceImpl::SessionPoolOptions(kit::PgPoolOptions main) {
  kit::PgPoolOptions sessions = std::move(main);
  // Each login holds one of these for a single short statement.
  sessions.size = std::max(2, sessions.size / 4);
  sessions.async_commit = true;
  return sessions;
}

template <typename Work>
grpc::ServerUnaryReactor* UsersServiceImpl::WithSession(grpc::CallbackServerContext* ctx, Work work) {
  return d_.runner.Authenticated(ctx, [this, work = std::move(work)](const kit::Caller& caller) mutable {
    return kit::RunInTransaction(d_.pool, [&](pqxx::work& txn) -> absl::Status {
      if (!UsersStore::SessionActive(txn, caller.session_id)) {
        return absl::UnauthenticatedError("authorization: the session has ended; log in again");
      }
      return work(txn, caller);
    });
  });
}

bool UsersServiceImpl::VerifyPassword(absl::string_view hash, absl::string_view password) {
  return d_.compute.Run([&] { return d_.hasher.Verify(hash, password); });
}

void UsersServiceImpl::BurnPasswordTime(absl::string_view password) {
  d_.compute.Run([&] { d_.hasher.BurnEquivalentTime(password); });
}

absl::StatusOr<std::string> UsersServiceImpl::HashPassword(absl::string_view password) {
  return d_.compute.Run([&] { return d_.hasher.Hash(password); });
}

void UsersServiceImpl::FillTokens(const Account& account, const std::string& session_id,
                                  const NewRefreshToken& refresh, absl::Time now, v1::AuthTokens* tokens) const {
  kit::AccessClaims claims;
  claims.key_id = d_.signer.key_id();
  claims.user_id = account.user_id;
  claims.session_id = session_id;
  claims.roles = RolesOf(account.roles);
  claims.issued_at = now;
  claims.expires_at = now + options_.access_token_ttl;
  tokens->set_access_token(d_.signer.Sign(claims));
  *tokens->mutable_access_token_expire_time() = ToTimestamp(claims.expires_at);
  tokens->set_refresh_token(refresh.token);
  *tokens->mutable_refresh_token_expire_time() = ToTimestamp(now + options_.refresh_token_ttl);
  tokens->set_session_id(session_id);
}

absl::StatusOr<std::string> UsersServiceImpl::IssueTokens(pqxx::work& txn, const Account& account,
                                                          const std::string& session_id, v1::AuthTokens* tokens) {
  const absl::Time now = d_.clock.Now();
  const NewRefreshToken refresh = GenerateRefreshToken(d_.random);
  UsersStore::InsertRefreshToken(txn, refresh.hash, session_id, now, now + options_.refresh_token_ttl);
  FillTokens(account, session_id, refresh, now, tokens);
  return refresh.hash;
}

std::optional<UsersServiceImpl::EarlierRegistration> UsersServiceImpl::FindEarlierRegistration(
    pqxx::work& txn, const std::string& handle, const std::string& email, const std::string& request_id,
    absl::Time now) const {
  auto account = UsersStore::AccountByHandle(txn, handle);
  if (!account || account->email != email) return std::nullopt;
  const auto session = UsersStore::SessionByLoginRequest(txn, account->user_id, request_id);
  if (!session || session->revoked || now - session->created_at > options_.login_replay_window) return std::nullopt;
  return EarlierRegistration{*std::move(account), session->session_id};
}

grpc::ServerUnaryReactor* UsersServiceImpl::Register(grpc::CallbackServerContext* ctx,
                                                     const v1::RegisterRequest* request,
                                                     v1::RegisterResponse* response) {
  return d_.runner.Public(ctx, [this, ctx, request, response]() -> absl::Status {
    absl::StatusOr<std::string> handle = NormalizeHandle(request->handle());
    absl::StatusOr<std::string> email = NormalizeEmail(request->email());
    kit::FieldValidator v;
    v.Text("consent_policy_version", request->consent_policy_version(), {.max_chars = 32});
    CF_RETURN_IF_ERROR(Collect({CheckRequestId(request->request_id()), handle.status(), email.status(),
                                CheckPassword(request->password(), handle.value_or(""), email.value_or("")),
                                NormalizeDisplayName(request->display_name()).status(),
                                CheckLanguages(std::vector<std::string>(request->languages().begin(), request->languages().end())),
                                v.status()}));
    // Sign-ups cost an Argon2id hash: budget them per client address.
    const std::string address = PeerAddress(*ctx);
    const absl::Time start = d_.clock.Now();
    const ThrottleDecision decision = d_.throttle.Check(absl::StrCat("register@", address), address, start);
    if (!decision.allowed) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "too many sign-ups from this address; retry in ",
          std::max<int64_t>(1, absl::ToInt64Seconds(decision.retry_after)), " s"));
    }
    d_.throttle.RecordSuccess(absl::StrCat("register@", address), start);
    // Cheap refusals first; Argon2id takes tens of milliseconds and never
    // runs inside a transaction.
    bool handle_taken = false;
    std::optional<EarlierRegistration> earlier;
    CF_RETURN_IF_ERROR(kit::RunInTransaction(d_.pool, {.read_only = true}, [&](pqxx::work& txn) {
      handle_taken = UsersStore::HandleTaken(txn, *handle, start);
      if (!handle_taken && UsersStore::EmailTaken(txn, *email)) {
        return absl::AlreadyExistsError("email: is already registered");
      }
      earlier = handle_taken ? FindEarlierRegistration(txn, *handle, *email, request->request_id(), start)
                             : std::nullopt;
      return absl::OkStatus();
    }));
    // A taken handle can only be a retry of this very registration, whose
    // password is checked against the stored hash instead.
    std::string password_hash;
    bool retry_verified = false;
    if (!handle_taken) {
      CF_ASSIGN_OR_RETURN(password_hash, HashPassword(request->password()));
    } else if (earlier) {
      retry_verified = VerifyPassword(earlier->account.password_hash, request->password());
    }
    const absl::Time now = d_.clock.Now();
    return kit::RunInTransaction(d_.pool, [&](pqxx::work& txn) -> absl::Status {
      response->Clear();
      if (UsersStore::HandleTaken(txn, *handle, now)) {
        // A verified retry signs in again to its session, if nothing changed
        // since it was verified.
        const auto again =
            retry_verified ? FindEarlierRegistration(txn, *handle, *email, request->request_id(), now) : std::nullopt;
        if (again && again->account.user_id == earlier->account.user_id &&
            again->account.password_hash == earlier->account.password_hash) {
          UsersStore::RetireSessionRefreshTokens(txn, again->session_id, now);
          FillUser(again->account, response->mutable_user());
          return IssueTokens(txn, again->account, again->session_id, response->mutable_tokens()).status();
        }
        return absl::AlreadyExistsError("handle: is taken");
      }
      if (UsersStore::EmailTaken(txn, *email)) return absl::AlreadyExistsError("email: is already registered");
      if (password_hash.empty()) return absl::AbortedError("handle: was released meanwhile; send the request again");
      Account account;
      account.user_id = d_.ids.Next();
      account.handle = *handle;
      account.email = *email;
      account.password_hash = password_hash;
      account.display_name = NormalizeDisplayName(request->display_name()).value();
      account.languages = {request->languages().begin(), request->languages().end()};
      account.analytics_opt_in = request->analytics_opt_in();
      if (account.analytics_opt_in) account.consent_time = now;
      account.consent_policy_version = request->consent_policy_version();
      account.created_at = account.updated_at = account.roles_updated_at = now;
      UsersStore::InsertAccount(txn, account);
      const std::string session_id = d_.ids.Next();
      UsersStore::InsertSession(txn, session_id, account.user_id, "", request->request_id(), now);
      CF_RETURN_IF_ERROR(IssueTokens(txn, account, session_id, response->mutable_tokens()).status());
      FillUser(account, response->mutable_user());

      v1::EventEnvelope event = d_.events.New("clipforge.user.registered", "user", account.user_id);
      auto* registered = event.mutable_user_registered();
      registered->set_user_id(account.user_id);
      registered->set_handle(account.handle);
      registered->set_display_name(account.display_name);
      for (const auto& l : account.languages) registered->add_languages(l);
      registered->set_analytics_opted_in(account.analytics_opt_in);
      registered->set_tier(v1::TIER_FREE);
      return kit::OutboxWriter::Append(txn, event);
    });
  });
}

grpc::ServerUnaryReactor* UsersServiceImpl::Login(grpc::CallbackServerContext* ctx, const v1::LoginRequest* request,
                                                  v1::LoginResponse* response) {
  return d_.runner.Public(ctx, [this, ctx, request, response]() -> absl::Status {
    kit::FieldValidator v;
    v.Uuid("request_id", request->request_id())
        .Text("handle_or_email", request->handle_or_email(), {.min_chars = 1, .max_chars = 254})
        .Text("password", request->password(), {.min_chars = 1, .max_chars = 128, .allow_control = true})
        .Text("device_name", request->device_name(), {.max_chars = 64});
    CF_RETURN_IF_ERROR(v.status());
    const std::string key = LoginKey(request->handle_or_email());
    const std::string address = PeerAddress(*ctx);
    const ThrottleDecision decision = d_.throttle.Check(key, address, d_.clock.Now());
    if (!decision.allowed) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "too many login attempts; retry in ", std::max<int64_t>(1, absl::ToInt64Seconds(decision.retry_after)),
          " s"));
    }
    std::optional<Account> account;
    CF_RETURN_IF_ERROR(kit::RunAutocommit(d_.pool, [&](pqxx::transaction_base& read) {
      account = UsersStore::AccountByLogin(read, key);
      return absl::OkStatus();
    }));
    // One Argon2id verification on every path, so timing does not tell
    // whether the account exists.
    const bool verified = account ? VerifyPassword(account->password_hash, request->password())
                                  : (BurnPasswordTime(request->password()), false);
    if (!verified) {
      d_.throttle.RecordFailure(key, address, d_.clock.Now());
      return absl::UnauthenticatedError(kBadCredentials);
    }
    d_.throttle.RecordSuccess(key, d_.clock.Now());
    // Hashes made with older (cheaper) parameters are upgraded on login.
    if (d_.hasher.NeedsRehash(account->password_hash)) {
      CF_ASSIGN_OR_RETURN(const std::string upgraded, HashPassword(request->password()));
      CF_RETURN_IF_ERROR(kit::RunAutocommit(d_.pool, [&](pqxx::transaction_base& write) {
        UsersStore::UpgradePasswordHash(write, account->user_id, account->password_hash, upgraded);
        return absl::OkStatus();
      }));
    }
    FillUser(*account, response->mutable_user());
    // A new login writes its session and first refresh token in one
    // statement on connections that skip the WAL flush wait (the largest cost
    // of a login after Argon2id): a session lost to a crash only means
    // logging in again.
    const absl::Time now = d_.clock.Now();
    const NewRefreshToken refresh = GenerateRefreshToken(d_.random);
    const std::string session_id = d_.ids.Next();
    bool opened = false;
    CF_RETURN_IF_ERROR(kit::RunAutocommit(d_.session_pool, [&](pqxx::transaction_base& write) {
      opened = UsersStore::TryOpenSession(write, {.session_id = session_id,
                                                  .user_id = account->user_id,
                                                  .device_name = request->device_name(),
                                                  .login_request = request->request_id(),
                                                  .now = now,
                                                  .refresh_hash = refresh.hash,
                                                  .refresh_expires_at = now + options_.refresh_token_ttl});
      return absl::OkStatus();
    }));
    if (opened) {
      FillTokens(*account, session_id, refresh, now, response->mutable_tokens());
      return absl::OkStatus();
    }
    // A retried login (same request_id) continues the session it opened.
    return kit::RunInTransaction(d_.pool, [&](pqxx::work& txn) -> absl::Status {
      response->clear_tokens();
      const auto session = UsersStore::SessionByLoginRequest(txn, account->user_id, request->request_id());
      // Gone since the insert found it: the account was deleted meanwhile.
      if (!session) return absl::UnauthenticatedError(kBadCredentials);
      if (now - session->created_at > options_.login_replay_window) {
        return absl::FailedPreconditionError("request_id: already used for an earlier login; use a new one");
      }
      if (session->revoked) {
        return absl::FailedPreconditionError("request_id: its session has ended; use a new request_id");
      }
      UsersStore::RetireSessionRefreshTokens(txn, session->session_id, now);
      return IssueTokens(txn, *account, session->session_id, response->mutable_tokens()).status();
    });
  });
}

grpc::ServerUnaryReactor* UsersServiceImpl::RefreshToken(grpc::CallbackServerContext* ctx,
                                                         const v1::RefreshTokenRequest* request,
                                                         v1::RefreshTokenResponse* response) {
  return d_.runner.Public(ctx, [this, request, response]() -> absl::Status {
    kit::FieldValidator v;
    v.Uuid("request_id", request->request_id())
        .Text("refresh_token", request->refresh_token(), {.min_chars = 1, .max_chars = 512});
    CF_RETURN_IF_ERROR(v.status());
    if (!LooksLikeRefreshToken(request->refresh_token())) {
      return absl::UnauthenticatedError("refresh_token: invalid or expired");
    }
    const std::string hash = HashRefreshToken(request->refresh_token());
    // Reuse detection must commit the revocation and still fail the call.
    absl::Status outcome;
    CF_RETURN_IF_ERROR(kit::RunInTransaction(d_.pool, [&](pqxx::work& txn) -> absl::Status {
      outcome = absl::OkStatus();
      response->Clear();
      const absl::Time now = d_.clock.Now();
      const auto record = UsersStore::RefreshTokenByHash(txn, hash);
      if (!record || record->session_revoked || record->expires_at <= now) {
        outcome = absl::UnauthenticatedError("refresh_token: invalid or expired");
        return absl::OkStatus();
      }
      if (record->retired) {
        // A retry of the very exchange that retired it, whose result was
        // never used, gets a new pair; anything else is a stolen copy.
        const bool retry = record->retired_by == request->request_id() && record->successor_unused &&
                           now - record->retired_at <= options_.refresh_retry_grace;
        if (!retry) {
          // A retired token came back: someone holds a copy. End the family.
          UsersStore::RevokeSession(txn, record->session_id, "refresh_token_reuse", now);
          outcome = absl::UnauthenticatedError("refresh_token: already used; the session was ended for safety");
          return absl::OkStatus();
        }
        UsersStore::RetireSessionRefreshTokens(txn, record->session_id, now);
      }
      const auto account = UsersStore::AccountById(txn, record->user_id);
      if (!account) {
        outcome = absl::UnauthenticatedError("refresh_token: invalid or expired");
        return absl::OkStatus();
      }
      CF_ASSIGN_OR_RETURN(const std::string successor,
                          IssueTokens(txn, *account, record->session_id, response->mutable_tokens()));
      if (!record->retired) UsersStore::RetireRefreshToken(txn, hash, request->request_id(), successor, now);
      return absl::OkStatus();
    }));
    return outcome;
  });
}

grpc::ServerUnaryReactor* UsersServiceImpl::Logout(grpc::CallbackServerContext* ctx, const v1::LogoutRequest* request,
                                                   google::protobuf::Empty*) {
  return WithSession(ctx, [this, request](pqxx::work& txn, const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(CheckRequestId(request->request_id()));
    std::string session_id = caller.session_id;
    if (!request->refresh_token().empty()) {
      if (request->refresh_token().size() > 512 || !LooksLikeRefreshToken(request->refresh_token())) {
        return absl::InvalidArgumentError("refresh_token: malformed");
      }
      const auto record = UsersStore::RefreshTokenByHash(txn, HashRefreshToken(request->refresh_token()));
      if (!record) return absl::NotFoundError("refresh_token: no such session");
      if (record->user_id != caller.user_id) {
        return absl::PermissionDeniedError("refresh_token: belongs to another user's session");
      }
      session_id = record->session_id;
    }
    UsersStore::RevokeSession(txn, session_id, "logout", d_.clock.Now());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UsersServiceImpl::LogoutEverywhere(grpc::CallbackServerContext* ctx,
                                                             const v1::LogoutEverywhereRequest* request,
                                                             v1::LogoutEverywhereResponse* response) {
  return WithSession(ctx, [this, request, response](pqxx::work& txn, const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(CheckRequestId(request->request_id()));
    response->set_sessions_ended(UsersStore::RevokeAllSessions(txn, caller.user_id, "logout_everywhere", d_.clock.Now()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UsersServiceImpl::GetMyProfile(grpc::CallbackServerContext* ctx,
                                                         const v1::GetMyProfileRequest*, v1::User* response) {
  return WithSession(ctx, [response](pqxx::work& txn, const kit::Caller& caller) -> absl::Status {
    const auto account = UsersStore::AccountById(txn, caller.user_id);
    if (!account) return absl::UnauthenticatedError("authorization: the account no longer exists");
    response->Clear();
    FillUser(*account, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UsersServiceImpl::UpdateMyProfile(grpc::CallbackServerContext* ctx,
                                                            const v1::UpdateMyProfileRequest* request,
                                                            v1::User* response) {
  return WithSession(ctx, [this, request, response](pqxx::work& txn, const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(ValidateProfileUpdate(*request));
    response->Clear();
    CF_ASSIGN_OR_RETURN(const bool replayed, Replay(txn, caller.user_id, request->request_id(), *request, response));
    if (replayed) return absl::OkStatus();
    auto account = UsersStore::AccountById(txn, caller.user_id, /*for_update=*/true);
    if (!account) return absl::UnauthenticatedError("authorization: the account no longer exists");
    const v1::Profile& p = request->profile();
    for (const std::string& path : request->update_mask().paths()) {
      if (path == "display_name") account->display_name = NormalizeDisplayName(p.display_name()).value();
      if (path == "bio") account->bio = p.bio();
      if (path == "languages") account->languages = {p.languages().begin(), p.languages().end()};
      if (path == "avatar") account->avatar_blob_id = p.has_avatar() ? p.avatar().sha256() : "";
    }
    const absl::Time now = d_.clock.Now();
    UsersStore::UpdateProfile(txn, *account, now);
    account->updated_at = now;
    FillUser(*account, response);

    v1::EventEnvelope event = d_.events.New("clipforge.user.profile_updated", "user", account->user_id);
    auto* updated = event.mutable_user_profile_updated();
    updated->set_user_id(account->user_id);
    *updated->mutable_update_mask() = request->update_mask();
    updated->set_handle(account->handle);
    updated->set_display_name(account->display_name);
    if (!account->avatar_blob_id.empty()) updated->mutable_avatar()->set_sha256(account->avatar_blob_id);
    for (const auto& l : account->languages) updated->add_languages(l);
    CF_RETURN_IF_ERROR(kit::OutboxWriter::Append(txn, event));
    Remember(txn, caller.user_id, request->request_id(), *request, *response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UsersServiceImpl::GetPublicProfile(grpc::CallbackServerContext* ctx,
                                                             const v1::GetPublicProfileRequest* request,
                                                             v1::Profile* response) {
  return d_.runner.Public(ctx, [this, ctx, request, response]() -> absl::Status {
    std::string handle;
    kit::FieldValidator v;
    switch (request->lookup_case()) {
      case v1::GetPublicProfileRequest::kUserId:
        v.Uuid("user_id", request->user_id());
        break;
      case v1::GetPublicProfileRequest::kHandle: {
        absl::StatusOr<std::string> normalized = NormalizeHandle(request->handle());
        if (!normalized.ok()) return normalized.status();
        handle = *normalized;
        break;
      }
      default:
        v.Check(false, "lookup", "set user_id or handle");
    }
    CF_RETURN_IF_ERROR(v.status());
    // Public, but a valid token adds the viewer's relationship.
    const absl::StatusOr<kit::Caller> viewer = d_.auth.Authenticate(*ctx);
    return kit::RunInTransaction(d_.pool, {.read_only = true}, [&](pqxx::work& txn) -> absl::Status {
      response->Clear();
      const auto account = handle.empty() ? UsersStore::AccountById(txn, request->user_id())
                                          : UsersStore::AccountByHandle(txn, handle);
      if (!account) return absl::NotFoundError("user: not found");
      FillProfile(*account, response);
      if (viewer.ok() && viewer->user_id != account->user_id) {
        const Relation relation = UsersStore::RelationBetween(txn, viewer->user_id, account->user_id);
        // Whoever blocks you is invisible to you.
        if (relation.blocked_by) return absl::NotFoundError("user: not found");
        FillRelationship(account->user_id, relation, response->mutable_viewer_relationship());
      }
      return absl::OkStatus();
    });
  });
}

grpc::ServerUnaryReactor* UsersServiceImpl::ChangeRelation(grpc::CallbackServerContext* ctx, GraphOp op,
                                                           const google::protobuf::Message& request,
                                                           const std::string& request_id, const std::string& target,
                                                           v1::Relationship* response) {
  return WithSession(ctx, [this, op, &request, request_id, target, response](pqxx::work& txn,
                                                                             const kit::Caller& caller) -> absl::Status {
    kit::FieldValidator v;
    v.Uuid("request_id", request_id).Uuid("target_user_id", target);
    CF_RETURN_IF_ERROR(v.status());
    if (target == caller.user_id) return absl::InvalidArgumentError("target_user_id: cannot be yourself");
    response->Clear();
    CF_ASSIGN_OR_RETURN(const bool replayed, Replay(txn, caller.user_id, request_id, request, response));
    if (replayed) return absl::OkStatus();
    UsersStore::LockPair(txn, caller.user_id, target);
    const auto me = UsersStore::AccountById(txn, caller.user_id);
    if (!me) return absl::UnauthenticatedError("authorization: the account no longer exists");
    if (!UsersStore::AccountById(txn, target)) return absl::NotFoundError("target_user_id: no such user");
    const Relation before = UsersStore::RelationBetween(txn, caller.user_id, target);
    const absl::Time now = d_.clock.Now();
    bool changed = false;
    v1::EventEnvelope event;
    switch (op) {
      case GraphOp::kFollow:
        if (before.blocked_by) return absl::FailedPreconditionError("target_user_id: BLOCKED: this user blocks you");
        if (before.blocking) return absl::FailedPreconditionError("target_user_id: you block this user; unblock first");
        if (!before.following && me->following_count >= options_.max_following) {
          return absl::ResourceExhaustedError(
              absl::StrCat("target_user_id: you follow the maximum of ", options_.max_following, " users"));
        }
        changed = UsersStore::InsertFollow(txn, caller.user_id, target, now);
        event = d_.events.New("clipforge.user.followed", "user", caller.user_id);
        event.mutable_user_followed()->set_follower_id(caller.user_id);
        event.mutable_user_followed()->set_followee_id(target);
        break;
      case GraphOp::kUnfollow:
        changed = UsersStore::DeleteFollow(txn, caller.user_id, target);
        event = d_.events.New("clipforge.user.unfollowed", "user", caller.user_id);
        event.mutable_user_unfollowed()->set_follower_id(caller.user_id);
        event.mutable_user_unfollowed()->set_followee_id(target);
        break;
      case GraphOp::kBlock:
        changed = UsersStore::InsertBlock(txn, caller.user_id, target, now);
        // A block ends follows both ways.
        UsersStore::DeleteFollow(txn, caller.user_id, target);
        UsersStore::DeleteFollow(txn, target, caller.user_id);
        event = d_.events.New("clipforge.user.blocked", "user", caller.user_id);
        event.mutable_user_blocked()->set_blocker_id(caller.user_id);
        event.mutable_user_blocked()->set_blocked_id(target);
        break;
      case GraphOp::kUnblock:
        changed = UsersStore::DeleteBlock(txn, caller.user_id, target);
        event = d_.events.New("clipforge.user.unblocked", "user", caller.user_id);
        event.mutable_user_unblocked()->set_blocker_id(caller.user_id);
        event.mutable_user_unblocked()->set_blocked_id(target);
        break;
      case GraphOp::kMute:
        changed = UsersStore::InsertMute(txn, caller.user_id, target, now);
        event = d_.events.New("clipforge.user.muted", "user", caller.user_id);
        event.mutable_user_muted()->set_muter_id(caller.user_id);
        event.mutable_user_muted()->set_muted_id(target);
        break;
      case GraphOp::kUnmute:
        changed = UsersStore::DeleteMute(txn, caller.user_id, target);
        event = d_.events.New("clipforge.user.unmuted", "user", caller.user_id);
        event.mutable_user_unmuted()->set_muter_id(caller.user_id);
        event.mutable_user_unmuted()->set_muted_id(target);
        break;
    }
    if (changed) CF_RETURN_IF_ERROR(kit::OutboxWriter::Append(txn, event));
    FillRelationship(target, UsersStore::RelationBetween(txn, caller.user_id, target), response);
    Remember(txn, caller.user_id, request_id, request, *response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UsersServiceImpl::Follow(grpc::CallbackServerContext* ctx, const v1::FollowRequest* r,
                                                   v1::Relationship* out) {
  return ChangeRelation(ctx, GraphOp::kFollow, *r, r->request_id(), r->target_user_id(), out);
}
grpc::ServerUnaryReactor* UsersServiceImpl::Unfollow(grpc::CallbackServerContext* ctx, const v1::UnfollowRequest* r,
                                                     v1::Relationship* out) {
  return ChangeRelation(ctx, GraphOp::kUnfollow, *r, r->request_id(), r->target_user_id(), out);
}
grpc::ServerUnaryReactor* UsersServiceImpl::Block(grpc::CallbackServerContext* ctx, const v1::BlockRequest* r,
                                                  v1::Relationship* out) {
  return ChangeRelation(ctx, GraphOp::kBlock, *r, r->request_id(), r->target_user_id(), out);
}
grpc::ServerUnaryReactor* UsersServiceImpl::Unblock(grpc::CallbackServerContext* ctx, const v1::UnblockRequest* r,
                                                    v1::Relationship* out) {
  return ChangeRelation(ctx, GraphOp::kUnblock, *r, r->request_id(), r->target_user_id(), out);
}
grpc::ServerUnaryReactor* UsersServiceImpl::Mute(grpc::CallbackServerContext* ctx, const v1::MuteRequest* r,
                                                 v1::Relationship* out) {
  return ChangeRelation(ctx, GraphOp::kMute, *r, r->request_id(), r->target_user_id(), out);
}
grpc::ServerUnaryReactor* UsersServiceImpl::Unmute(grpc::CallbackServerContext* ctx, const v1::UnmuteRequest* r,
                                                   v1::Relationship* out) {
  return ChangeRelation(ctx, GraphOp::kUnmute, *r, r->request_id(), r->target_user_id(), out);
}

grpc::ServerUnaryReactor* UsersServiceImpl::ListRelated(grpc::CallbackServerContext* ctx, ListKind kind,
                                                        const std::string& user_id, int32_t page_size,
                                                        const std::string& page_token,
                                                        google::protobuf::RepeatedPtrField<v1::RelatedUser>* out,
                                                        std::string* next_page_token) {
  const bool own_list = kind == ListKind::kBlocked || kind == ListKind::kMuted;
  return WithSession(ctx, [=](pqxx::work& txn, const kit::Caller& caller) -> absl::Status {
    kit::FieldValidator v;
    if (!own_list) v.Uuid("user_id", user_id);
    const int32_t size = v.PageSize("page_size", page_size, kDefaultPageSize, kMaxPageSize);
    v.Text("page_token", page_token, {.max_chars = 1024});
    CF_RETURN_IF_ERROR(v.status());
    const std::string subject = own_list ? caller.user_id : user_id;
    CF_ASSIGN_OR_RETURN(const std::optional<ListCursor> after, DecodePageToken(page_token, kind, subject));
    if (!own_list) {
      if (!UsersStore::AccountById(txn, subject)) return absl::NotFoundError("user_id: no such user");
      if (subject != caller.user_id && UsersStore::RelationBetween(txn, caller.user_id, subject).blocked_by) {
        return absl::NotFoundError("user_id: no such user");
      }
    }
    out->Clear();
    next_page_token->clear();
    std::vector<RelatedAccount> rows = UsersStore::List(txn, kind, subject, caller.user_id, after, size + 1);
    if (static_cast<int32_t>(rows.size()) > size) {
      rows.resize(size);
      *next_page_token = EncodePageToken(kind, subject, {rows.back().since, rows.back().user_id});
    }
    for (const RelatedAccount& row : rows) FillRelatedUser(row, out->Add());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UsersServiceImpl::ListFollowers(grpc::CallbackServerContext* ctx,
                                                          const v1::ListFollowersRequest* r,
                                                          v1::ListFollowersResponse* out) {
  return ListRelated(ctx, ListKind::kFollowers, r->user_id(), r->page_size(), r->page_token(),
                     out->mutable_followers(), out->mutable_next_page_token());
}
grpc::ServerUnaryReactor* UsersServiceImpl::ListFollowing(grpc::CallbackServerContext* ctx,
                                                          const v1::ListFollowingRequest* r,
                                                          v1::ListFollowingResponse* out) {
  return ListRelated(ctx, ListKind::kFollowing, r->user_id(), r->page_size(), r->page_token(),
                     out->mutable_following(), out->mutable_next_page_token());
}
grpc::ServerUnaryReactor* UsersServiceImpl::ListBlocked(grpc::CallbackServerContext* ctx,
                                                        const v1::ListBlockedRequest* r, v1::ListBlockedResponse* out) {
  return ListRelated(ctx, ListKind::kBlocked, "", r->page_size(), r->page_token(), out->mutable_blocked(),
                     out->mutable_next_page_token());
}
grpc::ServerUnaryReactor* UsersServiceImpl::ListMuted(grpc::CallbackServerContext* ctx, const v1::ListMutedRequest* r,
                                                      v1::ListMutedResponse* out) {
  return ListRelated(ctx, ListKind::kMuted, "", r->page_size(), r->page_token(), out->mutable_muted(),
                     out->mutable_next_page_token());
}

grpc::ServerUnaryReactor* UsersServiceImpl::ChangeRole(grpc::CallbackServerContext* ctx,
                                                       const google::protobuf::Message& request,
                                                       const std::string& request_id, const std::string& user_id,
                                                       v1::Role role, bool grant, const std::string& reason,
                                                       v1::UserRoles* response) {
  return WithSession(ctx, [=, this, &request](pqxx::work& txn, const kit::Caller& caller) -> absl::Status {
    kit::FieldValidator v;
    v.Uuid("request_id", request_id).Uuid("user_id", user_id).Text("reason", reason, {.min_chars = 1, .max_chars = 500});
    const std::optional<kit::Role> kit_role = FromProtoRole(role);
    v.Check(kit_role.has_value() && role != v1::ROLE_USER, "role",
            "must be ROLE_CREATOR, ROLE_BRAND, ROLE_MODERATOR or ROLE_ADMIN");
    CF_RETURN_IF_ERROR(v.status());
    // The token's roles may be up to 15 minutes old: check the store too.
    const auto admin = UsersStore::AccountById(txn, caller.user_id);
    if (!caller.HasRole(kit::Role::kAdmin) || !admin || !(admin->roles & (1 << static_cast<int>(kit::Role::kAdmin)))) {
      return absl::PermissionDeniedError("only an admin can change roles");
    }
    response->Clear();
    CF_ASSIGN_OR_RETURN(const bool replayed, Replay(txn, caller.user_id, request_id, request, response));
    if (replayed) return absl::OkStatus();
    auto target = UsersStore::AccountById(txn, user_id, /*for_update=*/true);
    if (!target) return absl::NotFoundError("user_id: no such user");
    if (!grant && *kit_role == kit::Role::kAdmin) {
      const std::vector<std::string> admins = UsersStore::LockAdmins(txn);
      if (admins.size() == 1 && admins[0] == user_id) {
        return absl::FailedPreconditionError("user_id: LAST_ADMIN: the last admin keeps the role");
      }
    }
    const int bit = 1 << static_cast<int>(*kit_role);
    const int roles = grant ? (target->roles | bit) : (target->roles & ~bit);
    const absl::Time now = d_.clock.Now();
    if (roles != target->roles) {
      UsersStore::UpdateRoles(txn, user_id, roles, now);
      target->roles_updated_at = now;
      v1::EventEnvelope event = d_.events.New("clipforge.user.roles_changed", "user", user_id);
      auto* changed = event.mutable_user_roles_changed();
      changed->set_user_id(user_id);
      changed->set_role(role);
      changed->set_granted(grant);
      for (kit::Role r : RolesOf(roles)) changed->add_roles(ToProtoRole(r));
      changed->set_reason(reason);
      event.mutable_actor()->set_id(caller.user_id);
      CF_RETURN_IF_ERROR(kit::OutboxWriter::Append(txn, event));
    }
    response->set_user_id(user_id);
    for (kit::Role r : RolesOf(roles)) response->add_roles(ToProtoRole(r));
    *response->mutable_update_time() = ToTimestamp(target->roles_updated_at);
    Remember(txn, caller.user_id, request_id, request, *response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UsersServiceImpl::GrantRole(grpc::CallbackServerContext* ctx, const v1::GrantRoleRequest* r,
                                                      v1::UserRoles* out) {
  return ChangeRole(ctx, *r, r->request_id(), r->user_id(), r->role(), true, r->reason(), out);
}
grpc::ServerUnaryReactor* UsersServiceImpl::RevokeRole(grpc::CallbackServerContext* ctx,
                                                       const v1::RevokeRoleRequest* r, v1::UserRoles* out) {
  return ChangeRole(ctx, *r, r->request_id(), r->user_id(), r->role(), false, r->reason(), out);
}

grpc::ServerUnaryReactor* UsersServiceImpl::SetAnalyticsConsent(grpc::CallbackServerContext* ctx,
                                                                const v1::SetAnalyticsConsentRequest* request,
                                                                v1::AnalyticsConsent* response) {
  return WithSession(ctx, [this, request, response](pqxx::work& txn, const kit::Caller& caller) -> absl::Status {
    kit::FieldValidator v;
    v.Uuid("request_id", request->request_id()).Text("policy_version", request->policy_version(), {.max_chars = 32});
    CF_RETURN_IF_ERROR(v.status());
    response->Clear();
    CF_ASSIGN_OR_RETURN(const bool replayed, Replay(txn, caller.user_id, request->request_id(), *request, response));
    if (replayed) return absl::OkStatus();
    const absl::Time now = d_.clock.Now();
    UsersStore::UpdateConsent(txn, caller.user_id, request->opted_in(), request->policy_version(), now);
    response->set_opted_in(request->opted_in());
    *response->mutable_update_time() = ToTimestamp(now);
    response->set_policy_version(request->policy_version());
    v1::EventEnvelope event = d_.events.New("clipforge.user.consent_changed", "user", caller.user_id);
    event.mutable_user_consent_changed()->set_user_id(caller.user_id);
    event.mutable_user_consent_changed()->set_opted_in(request->opted_in());
    event.mutable_user_consent_changed()->set_policy_version(request->policy_version());
    CF_RETURN_IF_ERROR(kit::OutboxWriter::Append(txn, event));
    Remember(txn, caller.user_id, request->request_id(), *request, *response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UsersServiceImpl::GetAnalyticsConsent(grpc::CallbackServerContext* ctx,
                                                                const v1::GetAnalyticsConsentRequest*,
                                                                v1::AnalyticsConsent* response) {
  return WithSession(ctx, [response](pqxx::work& txn, const kit::Caller& caller) -> absl::Status {
    const auto account = UsersStore::AccountById(txn, caller.user_id);
    if (!account) return absl::UnauthenticatedError("authorization: the account no longer exists");
    response->Clear();
    FillConsent(*account, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UsersServiceImpl::DeleteMyAccount(grpc::CallbackServerContext* ctx,
                                                            const v1::DeleteMyAccountRequest* request,
                                                            v1::DeleteMyAccountResponse* response) {
  return d_.runner.Authenticated(ctx, [this, ctx, request, response](const kit::Caller& caller) -> absl::Status {
    std::optional<Account> account;
    bool active = false;
    CF_RETURN_IF_ERROR(kit::RunInTransaction(d_.pool, {.read_only = true}, [&](pqxx::work& txn) {
      active = UsersStore::SessionActive(txn, caller.session_id);
      account = UsersStore::AccountById(txn, caller.user_id);
      return absl::OkStatus();
    }));
    if (!active || !account) return absl::UnauthenticatedError("authorization: the session has ended; log in again");
    kit::FieldValidator v;
    v.Uuid("request_id", request->request_id())
        .Text("password", request->password(), {.min_chars = 1, .max_chars = 128, .allow_control = true});
    CF_RETURN_IF_ERROR(v.status());
    // Password guesses here are throttled like logins.
    const std::string key = absl::StrCat("delete@", caller.user_id);
    const std::string address = PeerAddress(*ctx);
    const ThrottleDecision decision = d_.throttle.Check(key, address, d_.clock.Now());
    if (!decision.allowed) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "too many attempts; retry in ", std::max<int64_t>(1, absl::ToInt64Seconds(decision.retry_after)), " s"));
    }
    if (!VerifyPassword(account->password_hash, request->password())) {
      d_.throttle.RecordFailure(key, address, d_.clock.Now());
      return absl::PermissionDeniedError("password: incorrect (BAD_PASSWORD)");
    }
    d_.throttle.RecordSuccess(key, d_.clock.Now());
    const absl::Time now = d_.clock.Now();
    return kit::RunInTransaction(d_.pool, [&](pqxx::work& txn) -> absl::Status {
      // Lock the account first: follows and unfollows of it then wait, so
      // the counters fixed below stay right.
      const auto locked = UsersStore::AccountById(txn, caller.user_id, /*for_update=*/true);
      if (!locked) return absl::UnauthenticatedError("authorization: the account no longer exists");
      if (locked->roles & (1 << static_cast<int>(kit::Role::kAdmin))) {
        const std::vector<std::string> admins = UsersStore::LockAdmins(txn);
        if (admins.size() == 1) {
          return absl::FailedPreconditionError("LAST_ADMIN: make another admin before deleting the last one");
        }
      }
      // Sessions, tokens, follows, blocks and mutes go with the account
      // (ON DELETE CASCADE); other services erase theirs on the event.
      UsersStore::DeleteAccount(txn, *locked, now, options_.handle_reservation);
      v1::EventEnvelope event = d_.events.New("clipforge.user.deleted", "user", caller.user_id);
      event.mutable_user_deleted()->set_user_id(caller.user_id);
      *event.mutable_user_deleted()->mutable_purge_time() = ToTimestamp(now);
      CF_RETURN_IF_ERROR(kit::OutboxWriter::Append(txn, event));
      *response->mutable_delete_time() = ToTimestamp(now);
      return absl::OkStatus();
    });
  });
}

grpc::ServerWriteReactor<v1::DataChunk>* UsersServiceImpl::ExportMyData(grpc::CallbackServerContext* ctx,
                                                                        const v1::ExportMyDataRequest*) {
  auto* writer = new kit::ChunkWriter(options_.export_chunk_bytes);
  absl::StatusOr<kit::Caller> caller = d_.auth.Authenticate(*ctx);
  if (!caller.ok()) {
    writer->Fail(kit::ToGrpcStatus(caller.status()));
    return writer;
  }
  const absl::Status submitted = d_.executor.Submit([this, writer, caller = *caller] {
    std::string archive;
    // One snapshot for the whole archive.
    const absl::Status built = kit::RunInTransaction(
        d_.pool, {.isolation = kit::Isolation::kRepeatableRead}, [&](pqxx::work& txn) {
      if (!UsersStore::SessionActive(txn, caller.session_id)) {
        return absl::UnauthenticatedError("authorization: the session has ended; log in again");
      }
      const absl::Time now = d_.clock.Now();
      if (!UsersStore::RecordExport(txn, caller.user_id, now, now - absl::Hours(24), options_.exports_per_day)) {
        return absl::ResourceExhaustedError(
            absl::StrCat("export: at most ", options_.exports_per_day, " exports per 24 hours"));
      }
      CF_ASSIGN_OR_RETURN(archive, BuildExportArchive(txn, caller.user_id, d_.clock.Now()));
      return absl::OkStatus();
    });
    if (!built.ok()) {
      writer->Fail(kit::ToGrpcStatus(built));
      return;
    }
    writer->Send(std::move(archive), "application/json");
  });
  if (!submitted.ok()) writer->Fail(kit::ToGrpcStatus(submitted));
  return writer;
}

}  // namespace clipforge::users
