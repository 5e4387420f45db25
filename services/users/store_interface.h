// What the users logic needs from storage, as interfaces: PgUsersStore
// (store.h) implements them over Postgres, the unit tests' fake in memory.
//
// UsersTx is one transaction: a state change, its idempotency record and its
// event are written through the same UsersTx and commit together or not at
// all. Its methods report failure by throwing (the Postgres store's driver
// exceptions, which Transact maps to a status); logic never catches them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/role.h"
#include "clipforge/v1/events.pb.h"
#include "services/kit/idempotency.h"
#include "users/account.h"
#include "users/graph.h"
#include "users/session.h"

namespace clipforge::users {

// What a login writes in one statement: a session and its first refresh
// token.
struct NewSession {
  std::string session_id;
  std::string user_id;
  std::string device_name;
  std::string login_request;  // The Login's request_id.
  absl::Time now;
  std::string refresh_hash;
  absl::Time refresh_expires_at;
};

// A session as the data export lists it.
struct SessionInfo {
  std::string session_id;
  std::string device_name;
  absl::Time created_at;
  std::optional<absl::Time> revoked_at;
};

class UsersTx : public kit::IdempotencyLog {
 public:
  // Accounts.
  virtual void InsertAccount(const Account& account) = 0;
  virtual std::optional<Account> AccountById(const std::string& user_id) = 0;
  // Also locks the account's row until the transaction ends.
  virtual std::optional<Account> LockAccount(const std::string& user_id) = 0;
  virtual std::optional<Account> AccountByHandle(const std::string& handle) = 0;
  // Taken by an account, or reserved after an account's deletion.
  virtual bool HandleTaken(const std::string& handle, absl::Time now) = 0;
  virtual bool EmailTaken(const std::string& email) = 0;
  // Stores the account's profile fields (display name, bio, avatar, languages).
  virtual void UpdateProfile(const Account& account, absl::Time now) = 0;
  virtual void UpdateConsent(const std::string& user_id, const Consent& consent) = 0;
  virtual void UpdateRoles(const std::string& user_id, base::RoleSet roles, absl::Time now) = 0;
  // Erases the account and everything hanging off it (sessions, tokens,
  // follows, blocks, mutes, idempotency records), fixes the counters of the
  // accounts it followed or was followed by, and reserves the handle until
  // now + reserve_handle_for.
  virtual void DeleteAccount(const Account& account, absl::Time now, absl::Duration reserve_handle_for) = 0;
  // Locks both accounts' rows in id order, so that graph changes between
  // the same two users serialize (a block cannot race a follow).
  virtual void LockPair(const std::string& a, const std::string& b) = 0;
  // Locks every admin's row and returns their ids.
  virtual std::vector<std::string> LockAdmins() = 0;

  // Sessions and refresh tokens. InsertSession aborts the transaction (to
  // be retried) when a concurrent request with the same request_id opened
  // the session first.
  virtual void InsertSession(const std::string& session_id, const std::string& user_id,
                             const std::string& device_name, const std::string& request_id, absl::Time now) = 0;
  virtual std::optional<Session> SessionByLoginRequest(const std::string& user_id, const std::string& request_id) = 0;
  // True when the session exists and is not revoked.
  virtual bool SessionActive(const std::string& session_id) = 0;
  virtual void RevokeSession(const std::string& session_id, const std::string& reason, absl::Time now) = 0;
  // Returns the sessions it ended (those still live).
  virtual std::vector<std::string> RevokeAllSessions(const std::string& user_id, const std::string& reason,
                                                     absl::Time now) = 0;
  virtual std::vector<SessionInfo> SessionsOf(const std::string& user_id) = 0;
  virtual void InsertRefreshToken(const std::string& hash, const std::string& session_id, absl::Time now,
                                  absl::Time expires_at) = 0;
  // Also locks the token's row (and shares its session's) until the
  // transaction ends.
  virtual std::optional<RefreshRecord> RefreshTokenByHash(const std::string& hash) = 0;
  virtual void RetireRefreshToken(const std::string& hash, const std::string& request_id,
                                  const std::string& successor_hash, absl::Time now) = 0;
  // Retires every live refresh token of a session.
  virtual void RetireSessionRefreshTokens(const std::string& session_id, absl::Time now) = 0;

  // The social graph. Insert*/Delete* return whether anything changed and
  // keep the follower/following counters right.
  virtual Relation RelationBetween(const std::string& viewer, const std::string& other) = 0;
  virtual bool InsertFollow(const std::string& follower, const std::string& followee, absl::Time now) = 0;
  virtual bool DeleteFollow(const std::string& follower, const std::string& followee) = 0;
  virtual bool InsertBlock(const std::string& blocker, const std::string& blocked, absl::Time now) = 0;
  virtual bool DeleteBlock(const std::string& blocker, const std::string& blocked) = 0;
  virtual bool InsertMute(const std::string& muter, const std::string& muted, absl::Time now) = 0;
  virtual bool DeleteMute(const std::string& muter, const std::string& muted) = 0;
  // Up to `limit` rows after `after`, newest first. In follower/following
  // lists, users that `viewer` blocks are left out.
  virtual std::vector<RelatedAccount> List(ListKind kind, const std::string& subject, const std::string& viewer,
                                           const std::optional<ListCursor>& after, int limit) = 0;

  // Records an export at `now` unless `limit` were made after `since`;
  // returns whether it was recorded. Atomic against parallel calls for the
  // same user in kReadWrite transactions (it locks the account's row, then
  // counts); in a kSnapshot one the count would miss the others' records.
  virtual bool RecordExport(const std::string& user_id, absl::Time now, absl::Time since, int limit) = 0;

  // Appends an event to the outbox: published if and only if the
  // transaction commits.
  virtual absl::Status AppendEvent(const v1::EventEnvelope& event) = 0;
};

// What the session purge deletes: refresh tokens that expired before one
// time, sessions revoked before another or started before a third (past
// their absolute lifetime), with their tokens.
struct PurgeCutoffs {
  absl::Time tokens_expired_before;
  absl::Time sessions_revoked_before;
  absl::Time sessions_started_before;
};

struct PurgedRows {
  int64_t tokens = 0;
  int64_t sessions = 0;
};

enum class TxMode {
  kReadWrite,
  kReadOnly,
  kSnapshot,  // Every read from one snapshot (repeatable read): an export and its record.
};

class UsersStore {
 public:
  virtual ~UsersStore() = default;

  // Runs `work` in one transaction and commits when it returns OK. Work may
  // run more than once (transient failures are retried), so it must have no
  // effect outside the transaction. Storage failures come back as statuses
  // (UNAVAILABLE, ABORTED, ...).
  virtual absl::Status Transact(TxMode mode, absl::FunctionRef<absl::Status(UsersTx&)> work) = 0;

  // A login's fast path: single statements outside a transaction block.
  // The account whose handle or email is `handle_or_email` (normalized).
  virtual absl::StatusOr<std::optional<Account>> AccountByLogin(const std::string& handle_or_email) = 0;
  // Writes the session and its first refresh token, on connections that do
  // not wait for the WAL flush (a session lost to a crash only means logging
  // in again). False, with nothing written, when the login request already
  // opened a session (a retried login).
  virtual absl::StatusOr<bool> OpenSession(const NewSession& session) = 0;
  // Replaces `old_hash` by `new_hash`; a no-op if the hash changed meanwhile.
  virtual absl::Status UpgradePasswordHash(const std::string& user_id, const std::string& old_hash,
                                           const std::string& new_hash) = 0;
  // One purge batch: at most `batch` tokens and `batch` sessions, each
  // delete committed on its own (short locks).
  virtual absl::StatusOr<PurgedRows> PurgeEndedSessions(const PurgeCutoffs& cutoffs, int batch) = 0;
};

}  // namespace clipforge::users
