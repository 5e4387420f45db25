// Every SQL statement of the users service, as named prepared statements.
// Functions run inside the caller's transaction (so a state change, its
// idempotency record and its event commit together) and may throw libpqxx
// exceptions, which kit::RunInTransaction maps to status codes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "absl/time/time.h"
#include "services/kit/auth.h"
#include "services/kit/pg_pool.h"

namespace clipforge::users {

struct Account {
  std::string user_id;
  std::string handle;
  std::string email;
  std::string password_hash;
  std::string display_name;
  std::string bio;
  std::string avatar_blob_id;
  std::vector<std::string> languages;
  int roles = 1;  // Bitmask: bit i is kit::Role(i).
  bool analytics_opt_in = false;
  std::optional<absl::Time> consent_time;
  std::string consent_policy_version;
  int64_t follower_count = 0;
  int64_t following_count = 0;
  absl::Time created_at;
  absl::Time updated_at;
  absl::Time roles_updated_at;
};

struct Session {
  std::string session_id;
  std::string user_id;
  bool revoked = false;
  absl::Time created_at;
};

// What TryOpenSession writes.
struct NewSession {
  std::string session_id;
  std::string user_id;
  std::string device_name;
  std::string login_request;  // The Login's request_id.
  absl::Time now;
  std::string refresh_hash;
  absl::Time refresh_expires_at;
};

struct RefreshRecord {
  std::string session_id;
  std::string user_id;
  absl::Time expires_at;
  bool retired = false;
  std::string retired_by;  // request_id of the exchange that retired it.
  absl::Time retired_at;
  bool session_revoked = false;
  // The token that replaced this one is still unused (a retried exchange
  // may replace it again; otherwise a retired token coming back is theft).
  bool successor_unused = false;
};

// A user in a list, with when the relation began.
struct RelatedAccount {
  std::string user_id;
  std::string handle;
  std::string display_name;
  absl::Time since;
};

// Keyset position in a list ordered by (since DESC, user_id DESC).
struct ListCursor {
  absl::Time since;
  std::string user_id;
};

struct Relation {
  bool following = false;
  bool followed_by = false;
  bool blocking = false;
  bool blocked_by = false;
  bool muting = false;
  std::optional<absl::Time> follow_time;
};

struct IdempotencyRecord {
  std::string method;
  std::string fingerprint;
  std::string response;
};

enum class ListKind { kFollowers, kFollowing, kBlocked, kMuted };

int RoleMask(const std::vector<kit::Role>& roles);
std::vector<kit::Role> RolesOf(int mask);

class UsersStore {
 public:
  static std::vector<kit::PreparedStatement> Statements();

  // Accounts.
  static void InsertAccount(pqxx::work& txn, const Account& account);
  static std::optional<Account> AccountById(pqxx::work& txn, const std::string& user_id,
                                            bool for_update = false);
  static std::optional<Account> AccountByHandle(pqxx::work& txn, const std::string& handle);
  // One statement: safe outside a transaction block (kit::RunAutocommit).
  static std::optional<Account> AccountByLogin(pqxx::transaction_base& txn, const std::string& handle_or_email);
  // Taken by an account, or reserved after an account's deletion.
  static bool HandleTaken(pqxx::work& txn, const std::string& handle, absl::Time now);
  static bool EmailTaken(pqxx::work& txn, const std::string& email);
  static void UpdateProfile(pqxx::work& txn, const Account& account, absl::Time now);
  static void UpdateConsent(pqxx::work& txn, const std::string& user_id, bool opted_in,
                            const std::string& policy_version, absl::Time now);
  static void UpdateRoles(pqxx::work& txn, const std::string& user_id, int roles, absl::Time now);
  // Erases the account and everything hanging off it, fixes the counters of
  // the accounts it followed or was followed by, and reserves the handle
  // for `reserve_handle_for`.
  static void DeleteAccount(pqxx::work& txn, const Account& account, absl::Time now,
                            absl::Duration reserve_handle_for);
  // Replaces `old_hash` by a hash of the same password with current
  // parameters; a no-op if the hash changed meanwhile. One statement.
  static void UpgradePasswordHash(pqxx::transaction_base& txn, const std::string& user_id,
                                  const std::string& old_hash, const std::string& new_hash);
  // Locks both accounts' rows in id order, so that graph changes between
  // the same two users serialize (a block cannot race a follow).
  static void LockPair(pqxx::work& txn, const std::string& a, const std::string& b);
  // Locks every admin's row and returns their ids.
  static std::vector<std::string> LockAdmins(pqxx::work& txn);

  // Sessions and refresh tokens.
  // Throws pqxx::serialization_failure (retried by RunInTransaction) when a
  // concurrent request with the same request_id opened it first.
  static void InsertSession(pqxx::work& txn, const std::string& session_id, const std::string& user_id,
                            const std::string& device_name, const std::string& request_id, absl::Time now);
  // A new session and its first refresh token in one statement (a login's
  // whole write); false, with nothing written, when the login request
  // already opened a session (a retried login).
  // One statement: safe outside a transaction block (kit::RunAutocommit).
  static bool TryOpenSession(pqxx::transaction_base& txn, const NewSession& session);
  static std::optional<Session> SessionByLoginRequest(pqxx::work& txn, const std::string& user_id,
                                                      const std::string& request_id);
  // True when the session exists and is not revoked.
  static bool SessionActive(pqxx::work& txn, const std::string& session_id);
  static void RevokeSession(pqxx::work& txn, const std::string& session_id, const std::string& reason,
                            absl::Time now);
  static int RevokeAllSessions(pqxx::work& txn, const std::string& user_id, const std::string& reason,
                               absl::Time now);
  static void InsertRefreshToken(pqxx::work& txn, const std::string& hash, const std::string& session_id,
                                 absl::Time now, absl::Time expires_at);
  static std::optional<RefreshRecord> RefreshTokenByHash(pqxx::work& txn, const std::string& hash);
  static void RetireRefreshToken(pqxx::work& txn, const std::string& hash, const std::string& request_id,
                                 const std::string& successor_hash, absl::Time now);
  // Retires every live refresh token of a session (a re-login replaces them).
  static void RetireSessionRefreshTokens(pqxx::work& txn, const std::string& session_id, absl::Time now);
  static std::optional<std::string> SessionOfRefreshToken(pqxx::work& txn, const std::string& hash);

  // The social graph. Insert*/Delete* return whether anything changed.
  static Relation RelationBetween(pqxx::work& txn, const std::string& viewer, const std::string& other);
  static bool InsertFollow(pqxx::work& txn, const std::string& follower, const std::string& followee,
                           absl::Time now);
  static bool DeleteFollow(pqxx::work& txn, const std::string& follower, const std::string& followee);
  static bool InsertBlock(pqxx::work& txn, const std::string& blocker, const std::string& blocked,
                          absl::Time now);
  static bool DeleteBlock(pqxx::work& txn, const std::string& blocker, const std::string& blocked);
  static bool InsertMute(pqxx::work& txn, const std::string& muter, const std::string& muted, absl::Time now);
  static bool DeleteMute(pqxx::work& txn, const std::string& muter, const std::string& muted);
  // One page (limit + 1 rows fetched to know whether more follow). For
  // follower/following lists, users that `viewer` blocks are left out.
  static std::vector<RelatedAccount> List(pqxx::work& txn, ListKind kind, const std::string& subject,
                                          const std::string& viewer, const std::optional<ListCursor>& after,
                                          int limit);

  struct SessionInfo {
    std::string session_id;
    std::string device_name;
    absl::Time created_at;
    std::optional<absl::Time> revoked_at;
  };
  static std::vector<SessionInfo> SessionsOf(pqxx::work& txn, const std::string& user_id);

  // Records an export unless `limit` were made since `since`; returns
  // whether it was recorded.
  static bool RecordExport(pqxx::work& txn, const std::string& user_id, absl::Time now, absl::Time since,
                           int limit);

  // Idempotency.
  static std::optional<IdempotencyRecord> FindIdempotency(pqxx::work& txn, const std::string& caller_id,
                                                          const std::string& request_id);
  // Also forgets the caller's records older than a day. Throws
  // pqxx::serialization_failure when a concurrent request with the same id
  // saved first, so that the retry replays it.
  static void SaveIdempotency(pqxx::work& txn, const std::string& caller_id, const std::string& request_id,
                              const std::string& method, const std::string& fingerprint,
                              const std::string& response);
};

}  // namespace clipforge::users
