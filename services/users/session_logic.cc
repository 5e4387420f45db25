#include "services/users/session_logic.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/error_reason.h"
#include "base/status_macros.h"
#include "users/age.h"
#include "users/refresh_token.h"
#include "users/session.h"

namespace clipforge::users {
namespace {

// Same message for "no such account" and "wrong password": no enumeration.
constexpr char kBadCredentials[] = "handle_or_email or password is incorrect";
constexpr char kBadRefreshToken[] = "refresh_token: invalid or expired";

int64_t RetrySeconds(const ThrottleDecision& decision) {
  return std::max<int64_t>(1, absl::ToInt64Seconds(decision.retry_after));
}

}  // namespace

std::string LoginKey(absl::string_view handle_or_email) {
  std::string key = absl::AsciiStrToLower(absl::StripAsciiWhitespace(handle_or_email));
  if (!key.empty() && key[0] == '@') key.erase(0, 1);
  return key;
}

IssuedTokens SessionLogic::SignTokens(const Account& account, const std::string& session_id,
                                      const std::string& refresh_token, absl::Time now,
                                      absl::Time session_created_at) const {
  const absl::Time session_end = session_created_at + options_.session_lifetime;
  kit::AccessClaims claims;
  claims.user_id = account.user_id;
  claims.session_id = session_id;
  claims.roles = account.roles;
  claims.issued_at = now;
  claims.expires_at = std::min(now + options_.access_token_ttl, session_end);
  return {.access_token = signer_.Sign(claims),
          .access_expires_at = claims.expires_at,
          .refresh_token = refresh_token,
          .refresh_expires_at = std::min(now + options_.refresh_token_ttl, session_end),
          .session_id = session_id};
}

IssuedTokens SessionLogic::IssueTokens(UsersTx& tx, const Account& account, const std::string& session_id,
                                       absl::Time session_created_at, std::string* hash) {
  const absl::Time now = clock_.Now();
  const NewRefreshToken refresh = GenerateRefreshToken(random_);
  IssuedTokens tokens = SignTokens(account, session_id, refresh.token, now, session_created_at);
  tx.InsertRefreshToken(refresh.hash, session_id, now, tokens.refresh_expires_at);
  if (hash != nullptr) *hash = refresh.hash;
  return tokens;
}

std::optional<SessionLogic::EarlierRegistration> SessionLogic::FindEarlierRegistration(UsersTx& tx,
                                                                                       const Registration& r,
                                                                                       absl::Time now) const {
  std::optional<Account> account = tx.AccountByHandle(r.handle);
  if (!account || account->email != r.email) return std::nullopt;
  const std::optional<Session> session = tx.SessionByLoginRequest(account->user_id, r.request_id);
  if (!session || !CanContinueSession(*session, now, options_.login_replay_window)) return std::nullopt;
  return EarlierRegistration{*std::move(account), session->session_id, session->created_at};
}

absl::StatusOr<SignedIn> SessionLogic::Register(const Registration& r, const std::string& client_address) {
  const absl::Time start = clock_.Now();
  // The age rules read nothing and cost nothing: they refuse first, before
  // the sign-up budget. The birth date goes no further than this.
  std::optional<absl::Time> adult_at;
  if (r.birth_date) {
    CF_ASSIGN_OR_RETURN(adult_at, SignUpAdultTime(*r.birth_date, start));
  }
  if (r.analytics_opt_in) CF_RETURN_IF_ERROR(CheckAnalyticsOptIn(adult_at, start));
  // Sign-ups cost an Argon2id hash: budget them per client address, in a
  // scope of their own (no login key can reach it).
  const ThrottleDecision decision =
      throttle_.Check(ThrottleScope::kSignUp, client_address, client_address, start);
  if (!decision.allowed) {
    return base::WithReason(absl::ResourceExhaustedError(absl::StrCat(
                                "too many sign-ups from this address; retry in ", RetrySeconds(decision), " s")),
                            "SIGN_UP_THROTTLED");
  }
  throttle_.RecordSuccess(ThrottleScope::kSignUp, client_address, client_address, start);
  // Cheap refusals first; Argon2id takes tens of milliseconds and never
  // runs inside a transaction.
  bool handle_taken = false;
  std::optional<EarlierRegistration> earlier;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](UsersTx& tx) {
    handle_taken = tx.HandleTaken(r.handle, start);
    if (!handle_taken && tx.EmailTaken(r.email)) return base::WithReason(absl::AlreadyExistsError("email: is already registered"), "EMAIL_TAKEN");
    earlier = handle_taken ? FindEarlierRegistration(tx, r, start) : std::nullopt;
    return absl::OkStatus();
  }));
  // A taken handle can only be a retry of this very registration, whose
  // password is checked against the stored hash instead.
  std::string password_hash;
  bool retry_verified = false;
  if (!handle_taken) {
    CF_ASSIGN_OR_RETURN(password_hash, passwords_.Hash(r.password));
  } else if (earlier) {
    retry_verified = passwords_.Verify(earlier->account.password_hash, r.password);
  }
  const absl::Time now = clock_.Now();
  SignedIn result;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](UsersTx& tx) -> absl::Status {
    if (tx.HandleTaken(r.handle, now)) {
      // A verified retry signs in again to its session, if nothing changed
      // since it was verified.
      const auto again = retry_verified ? FindEarlierRegistration(tx, r, now) : std::nullopt;
      if (again && again->account.user_id == earlier->account.user_id &&
          again->account.password_hash == earlier->account.password_hash) {
        tx.RetireSessionRefreshTokens(again->session_id, now);
        result = {again->account, IssueTokens(tx, again->account, again->session_id, again->session_created_at)};
        return absl::OkStatus();
      }
      return base::WithReason(absl::AlreadyExistsError("handle: is taken"), "HANDLE_TAKEN");
    }
    if (tx.EmailTaken(r.email)) return base::WithReason(absl::AlreadyExistsError("email: is already registered"), "EMAIL_TAKEN");
    if (password_hash.empty()) return absl::AbortedError("handle: was released meanwhile; send the request again");
    Account account;
    account.user_id = ids_.Next();
    account.handle = r.handle;
    account.email = r.email;
    account.password_hash = password_hash;
    account.display_name = r.display_name;
    account.languages = r.languages;
    account.analytics_opt_in = r.analytics_opt_in;
    if (account.analytics_opt_in) account.consent_time = now;
    account.consent_policy_version = r.consent_policy_version;
    account.adult_at = adult_at;
    account.created_at = account.updated_at = account.roles_updated_at = now;
    tx.InsertAccount(account);
    const std::string session_id = ids_.Next();
    tx.InsertSession(session_id, account.user_id, "", r.request_id, now);
    result = {account, IssueTokens(tx, account, session_id, now)};
    return tx.AppendEvent(events_.Registered(account));
  }));
  return result;
}

absl::StatusOr<SignedIn> SessionLogic::Login(const LoginAttempt& attempt, const std::string& client_address) {
  const std::string& key = attempt.login_key;
  const ThrottleDecision decision = throttle_.Check(ThrottleScope::kLogin, key, client_address, clock_.Now());
  if (!decision.allowed) {
    return base::WithReason(absl::ResourceExhaustedError(absl::StrCat(
                                "too many login attempts; retry in ", RetrySeconds(decision), " s")),
                            "LOGIN_THROTTLED");
  }
  CF_ASSIGN_OR_RETURN(const std::optional<Account> account, store_.AccountByLogin(key));
  // One Argon2id verification on every path, so timing does not tell
  // whether the account exists.
  const bool verified =
      account ? passwords_.Verify(account->password_hash, attempt.password) : (passwords_.Burn(attempt.password), false);
  if (!verified) {
    throttle_.RecordFailure(ThrottleScope::kLogin, key, client_address, clock_.Now());
    return absl::UnauthenticatedError(kBadCredentials);
  }
  throttle_.RecordSuccess(ThrottleScope::kLogin, key, client_address, clock_.Now());
  // Hashes made with older (cheaper) parameters are upgraded on login.
  if (passwords_.NeedsRehash(account->password_hash)) {
    CF_ASSIGN_OR_RETURN(const std::string upgraded, passwords_.Hash(attempt.password));
    CF_RETURN_IF_ERROR(store_.UpgradePasswordHash(account->user_id, account->password_hash, upgraded));
  }
  // A new login writes its session and first refresh token in one
  // statement (the largest cost of a login after Argon2id is the commit).
  const absl::Time now = clock_.Now();
  const NewRefreshToken refresh = GenerateRefreshToken(random_);
  const std::string session_id = ids_.Next();
  CF_ASSIGN_OR_RETURN(const bool opened, store_.OpenSession({.session_id = session_id,
                                                             .user_id = account->user_id,
                                                             .device_name = attempt.device_name,
                                                             .login_request = attempt.request_id,
                                                             .now = now,
                                                             .refresh_hash = refresh.hash,
                                                             .refresh_expires_at = now + std::min(options_.refresh_token_ttl,
                                                                                                  options_.session_lifetime)}));
  if (opened) return SignedIn{*account, SignTokens(*account, session_id, refresh.token, now, now)};
  // A retried login (same request_id) continues the session it opened.
  SignedIn result{*account, {}};
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](UsersTx& tx) -> absl::Status {
    const std::optional<Session> session = tx.SessionByLoginRequest(account->user_id, attempt.request_id);
    // Gone since the insert found it: the account was deleted meanwhile.
    if (!session) return absl::UnauthenticatedError(kBadCredentials);
    if (now - session->created_at > options_.login_replay_window) {
      return absl::FailedPreconditionError("request_id: already used for an earlier login; use a new one");
    }
    if (session->revoked) {
      return absl::FailedPreconditionError("request_id: its session has ended; use a new request_id");
    }
    tx.RetireSessionRefreshTokens(session->session_id, now);
    result.tokens = IssueTokens(tx, *account, session->session_id, session->created_at);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<IssuedTokens> SessionLogic::Refresh(const std::string& request_id, const std::string& refresh_token) {
  if (!LooksLikeRefreshToken(refresh_token)) return absl::UnauthenticatedError(kBadRefreshToken);
  const std::string hash = HashRefreshToken(refresh_token);
  // Reuse detection must commit the revocation and still fail the call.
  absl::Status outcome;
  IssuedTokens tokens;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](UsersTx& tx) -> absl::Status {
    const absl::Time now = clock_.Now();
    const std::optional<RefreshRecord> record = tx.RefreshTokenByHash(hash);
    const RefreshVerdict verdict =
        JudgeRefresh(record ? &*record : nullptr, request_id, now, options_.refresh_retry_grace,
                     options_.session_lifetime);
    outcome = absl::OkStatus();
    switch (verdict) {
      case RefreshVerdict::kInvalid:
        outcome = absl::UnauthenticatedError(kBadRefreshToken);
        return absl::OkStatus();
      case RefreshVerdict::kReuse:
        // A retired token came back: someone holds a copy. End the family.
        tx.RevokeSession(record->session_id, "refresh_token_reuse", now);
        outcome = absl::UnauthenticatedError("refresh_token: already used; the session was ended for safety");
        return AppendSessionsRevoked(tx, events_, record->user_id, {record->session_id}, "refresh_token_reuse");
      case RefreshVerdict::kRetry:
        tx.RetireSessionRefreshTokens(record->session_id, now);
        break;
      case RefreshVerdict::kExchange:
        break;
    }
    const std::optional<Account> account = tx.AccountById(record->user_id);
    if (!account) {
      outcome = absl::UnauthenticatedError(kBadRefreshToken);
      return absl::OkStatus();
    }
    std::string successor;
    tokens = IssueTokens(tx, *account, record->session_id, record->session_created_at, &successor);
    if (verdict == RefreshVerdict::kExchange) tx.RetireRefreshToken(hash, request_id, successor, now);
    return absl::OkStatus();
  }));
  CF_RETURN_IF_ERROR(outcome);
  return tokens;
}

absl::Status SessionLogic::Logout(const kit::Caller& caller, const std::string& refresh_token) {
  return store_.Transact(TxMode::kReadWrite, [&](UsersTx& tx) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireSession(tx, caller));
    if (!refresh_token.empty() && !LooksLikeRefreshToken(refresh_token)) {
      return absl::InvalidArgumentError("refresh_token: malformed");
    }
    std::string session_id = caller.session_id;
    if (!refresh_token.empty()) {
      const std::optional<RefreshRecord> record = tx.RefreshTokenByHash(HashRefreshToken(refresh_token));
      if (!record) return absl::NotFoundError("refresh_token: no such session");
      if (record->user_id != caller.user_id) {
        return absl::PermissionDeniedError("refresh_token: belongs to another user's session");
      }
      session_id = record->session_id;
    }
    tx.RevokeSession(session_id, "logout", clock_.Now());
    return AppendSessionsRevoked(tx, events_, caller.user_id, {session_id}, "logout");
  });
}

absl::Status SessionLogic::CheckSession(const kit::Caller& caller) {
  return store_.Transact(TxMode::kReadOnly, [&](UsersTx& tx) { return RequireSession(tx, caller); });
}

absl::StatusOr<int> SessionLogic::LogoutEverywhere(const kit::Caller& caller) {
  int ended = 0;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](UsersTx& tx) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireSession(tx, caller));
    const std::vector<std::string> sessions = tx.RevokeAllSessions(caller.user_id, "logout_everywhere", clock_.Now());
    ended = static_cast<int>(sessions.size());
    return AppendSessionsRevoked(tx, events_, caller.user_id, sessions, "logout_everywhere");
  }));
  return ended;
}

absl::StatusOr<PurgedRows> SessionLogic::PurgeEnded(int batch, int max_batches) {
  const absl::Time now = clock_.Now();
  const PurgeCutoffs cutoffs{
      .tokens_expired_before = now,
      .sessions_revoked_before = now - options_.ended_session_retention,
      .sessions_started_before = now - options_.session_lifetime - options_.ended_session_retention};
  PurgedRows total;
  for (int i = 0; i < max_batches; ++i) {
    CF_ASSIGN_OR_RETURN(const PurgedRows purged, store_.PurgeEndedSessions(cutoffs, batch));
    total.tokens += purged.tokens;
    total.sessions += purged.sessions;
    if (purged.tokens < batch && purged.sessions < batch) break;
  }
  return total;
}

}  // namespace clipforge::users
