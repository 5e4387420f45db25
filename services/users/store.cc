#include "services/users/store.h"

#include <pqxx/pqxx>

#include <optional>

#include "services/kit/outbox.h"
#include "services/kit/pg_time.h"
#include "services/kit/pg_tx_base.h"
#include "services/kit/pg_transaction.h"
#include "base/status_macros.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace clipforge::users {
namespace {

// Statement names: each prepared once per connection under this name.
constexpr char kAccountByHandle[] = "users_account_by_handle";
constexpr char kAccountById[] = "users_account_by_id";
constexpr char kAccountByIdLocked[] = "users_account_by_id_locked";
constexpr char kAccountByLogin[] = "users_account_by_login";
constexpr char kCountExports[] = "users_count_exports";
constexpr char kLockAccount[] = "users_lock_account";
constexpr char kDeleteAccount[] = "users_delete_account";
constexpr char kDeleteBlock[] = "users_delete_block";
constexpr char kDeleteFollow[] = "users_delete_follow";
constexpr char kDeleteMute[] = "users_delete_mute";
constexpr char kEmailTaken[] = "users_email_taken";
constexpr char kHandleTaken[] = "users_handle_taken";
constexpr char kInsertAccount[] = "users_insert_account";
constexpr char kInsertBlock[] = "users_insert_block";
constexpr char kInsertExport[] = "users_insert_export";
constexpr char kInsertFollow[] = "users_insert_follow";
constexpr char kInsertMute[] = "users_insert_mute";
constexpr char kInsertRefresh[] = "users_insert_refresh";
constexpr char kInsertSession[] = "users_insert_session";
constexpr char kListBlocked[] = "users_list_blocked";
constexpr char kListFollowers[] = "users_list_followers";
constexpr char kListFollowing[] = "users_list_following";
constexpr char kListMuted[] = "users_list_muted";
constexpr char kLockAdmins[] = "users_lock_admins";
constexpr char kLockPair[] = "users_lock_pair";
constexpr char kOpenSession[] = "users_open_session";
constexpr char kRefreshByHash[] = "users_refresh_by_hash";
constexpr char kLockRefresh[] = "users_lock_refresh";
constexpr char kRelation[] = "users_relation";
constexpr char kReserveHandle[] = "users_reserve_handle";
constexpr char kRetireRefresh[] = "users_retire_refresh";
constexpr char kRetireSessionRefresh[] = "users_retire_session_refresh";
constexpr char kPurgeSessions[] = "users_purge_sessions";
constexpr char kPurgeTokens[] = "users_purge_tokens";
constexpr char kRevokeAllSessions[] = "users_revoke_all_sessions";
constexpr char kRevokeSession[] = "users_revoke_session";
constexpr char kSessionActive[] = "users_session_active";
constexpr char kSessionByLoginRequest[] = "users_session_by_login_request";
constexpr char kSessionsOfUser[] = "users_sessions_of_user";
constexpr char kUncountFollowed[] = "users_uncount_followed";
constexpr char kUncountFollowers[] = "users_uncount_followers";
constexpr char kUpdateConsent[] = "users_update_consent";
constexpr char kUpdateProfile[] = "users_update_profile";
constexpr char kUpdateRoles[] = "users_update_roles";
constexpr char kUpgradePasswordHash[] = "users_upgrade_password_hash";

const kit::PgIdempotencyLog& Idempotency() {
  static const kit::PgIdempotencyLog log("users");
  return log;
}

// Times cross the boundary as integer microseconds since the Unix epoch:
// Ts(n) is the SQL for parameter $n as a timestamptz.
std::string Ts(int n) { return kit::SqlTimestampParam(n); }
std::string Micros(const char* column) { return kit::SqlMicros(column); }
using kit::ToMicros;
absl::Time FromMicros(const pqxx::field& f) { return kit::TimeFromMicros(f); }

// Languages are validated BCP-47 tags (letters, digits, '-'), so a comma
// join is unambiguous.
std::string LanguagesLiteral(const std::vector<std::string>& languages) {
  std::vector<std::string> quoted;
  for (const std::string& l : languages) quoted.push_back(absl::StrCat("\"", l, "\""));
  return absl::StrCat("{", absl::StrJoin(quoted, ","), "}");
}

const std::string kAccountColumns = absl::StrCat(
    "user_id::text, handle, email, password_hash, display_name, bio, avatar_blob_id, "
    "array_to_string(languages, ','), roles, analytics_opt_in, ",
    "CASE WHEN consent_time IS NULL THEN NULL ELSE ", Micros("consent_time"), " END, ",
    "consent_policy_version, follower_count, following_count, ", Micros("created_at"), ", ",
    Micros("updated_at"), ", ", Micros("roles_updated_at"), ", ",
    "CASE WHEN adult_at IS NULL THEN NULL ELSE ", Micros("adult_at"), " END");

Account AccountFromRow(const pqxx::row& r) {
  Account a;
  a.user_id = r[0].as<std::string>();
  a.handle = r[1].as<std::string>();
  a.email = r[2].as<std::string>();
  a.password_hash = r[3].as<std::string>();
  a.display_name = r[4].as<std::string>();
  a.bio = r[5].as<std::string>();
  a.avatar_blob_id = r[6].as<std::string>();
  const std::string languages = r[7].as<std::string>();
  if (!languages.empty()) a.languages = absl::StrSplit(languages, ',');
  const std::optional<base::RoleSet> roles = base::RoleSet::FromBits(r[8].as<unsigned>());
  if (!roles) throw std::runtime_error("users.accounts.roles holds an unknown role");  // -> INTERNAL
  a.roles = *roles;
  a.analytics_opt_in = r[9].as<bool>();
  if (!r[10].is_null()) a.consent_time = FromMicros(r[10]);
  a.consent_policy_version = r[11].as<std::string>();
  a.follower_count = r[12].as<int64_t>();
  a.following_count = r[13].as<int64_t>();
  a.created_at = FromMicros(r[14]);
  a.updated_at = FromMicros(r[15]);
  a.roles_updated_at = FromMicros(r[16]);
  if (!r[17].is_null()) a.adult_at = FromMicros(r[17]);
  return a;
}

std::optional<Account> OneAccount(const pqxx::result& r) {
  if (r.empty()) return std::nullopt;
  return AccountFromRow(r[0]);
}

// List statements: (subject, viewer, after_since_micros or NULL, after_id, limit).
std::string ListSql(const char* table, const char* subject_col, const char* other_col, bool hide_blocked) {
  return absl::StrCat(
      "SELECT a.user_id::text, a.handle, a.display_name, ", Micros("r.created_at"), " FROM users.", table,
      " r JOIN users.accounts a ON a.user_id = r.", other_col, " WHERE r.", subject_col, " = $1::uuid",
      hide_blocked ? " AND NOT EXISTS (SELECT 1 FROM users.blocks b WHERE b.blocker_id = $2::uuid "
                     "AND b.blocked_id = r." : " AND $2::text IS NOT NULL",
      hide_blocked ? std::string(other_col) + ")" : "",
      " AND ($3::bigint IS NULL OR (r.created_at, r.", other_col, ") < (", Ts(3), ", $4::uuid))",
      " ORDER BY r.created_at DESC, r.", other_col, " DESC LIMIT $5");
}

const char* ListStatement(ListKind kind) {
  switch (kind) {
    case ListKind::kFollowers: return kListFollowers;
    case ListKind::kFollowing: return kListFollowing;
    case ListKind::kBlocked: return kListBlocked;
    case ListKind::kMuted: return kListMuted;
  }
  return "";
}

}  // namespace


std::vector<kit::PreparedStatement> PgUsersStore::Statements() {
  // A session, and the head of a refresh-token insert: on their own, and
  // combined into a login's one statement.
  const std::string insert_session = absl::StrCat(
      "INSERT INTO users.sessions (session_id, user_id, device_name, login_request, created_at) "
      "VALUES ($1::uuid, $2::uuid, $3, $4::uuid, ", Ts(5), ") ON CONFLICT DO NOTHING");
  const std::string insert_refresh =
      "INSERT INTO users.refresh_tokens (token_hash, session_id, issued_at, expires_at) ";
  std::vector<kit::PreparedStatement> statements = {
      {kInsertAccount,
       absl::StrCat("INSERT INTO users.accounts (user_id, handle, email, password_hash, display_name, "
                    "languages, roles, analytics_opt_in, consent_time, consent_policy_version, created_at, "
                    "updated_at, roles_updated_at, adult_at) VALUES ($1::uuid, $2, $3, $4, $5, $6::text[], $7, $8, "
                    "CASE WHEN $8 THEN ", Ts(9), " ELSE NULL END, $10, ", Ts(9), ", ", Ts(9), ", ", Ts(9), ", ",
                    Ts(11), ")")},
      {kAccountById, absl::StrCat("SELECT ", kAccountColumns, " FROM users.accounts WHERE user_id = $1::uuid")},
      {kAccountByIdLocked,
       absl::StrCat("SELECT ", kAccountColumns, " FROM users.accounts WHERE user_id = $1::uuid FOR UPDATE")},
      {kAccountByHandle, absl::StrCat("SELECT ", kAccountColumns, " FROM users.accounts WHERE handle = $1")},
      {kAccountByLogin,
       absl::StrCat("SELECT ", kAccountColumns, " FROM users.accounts WHERE handle = $1 OR email = $1")},
      {kHandleTaken,
       absl::StrCat("SELECT EXISTS (SELECT 1 FROM users.accounts WHERE handle = $1) OR "
                    "EXISTS (SELECT 1 FROM users.reserved_handles WHERE handle = $1 AND reserved_until > ",
                    Ts(2), ")")},
      {kReserveHandle,
       absl::StrCat("INSERT INTO users.reserved_handles VALUES ($1, ", Ts(2), ") "
                    "ON CONFLICT (handle) DO UPDATE SET reserved_until = EXCLUDED.reserved_until")},
      {kUpgradePasswordHash,
       "UPDATE users.accounts SET password_hash = $3 WHERE user_id = $1::uuid AND password_hash = $2"},
      {kLockPair,
       "SELECT 1 FROM users.accounts WHERE user_id IN ($1::uuid, $2::uuid) ORDER BY user_id FOR UPDATE"},
      {kLockAdmins,
       "SELECT user_id::text FROM users.accounts WHERE roles & 16 <> 0 ORDER BY user_id FOR UPDATE"},
      {kEmailTaken, "SELECT EXISTS (SELECT 1 FROM users.accounts WHERE email = $1)"},
      {kUpdateProfile,
       absl::StrCat("UPDATE users.accounts SET display_name = $2, bio = $3, avatar_blob_id = $4, "
                    "languages = $5::text[], updated_at = ", Ts(6), " WHERE user_id = $1::uuid")},
      {kUpdateConsent,
       absl::StrCat("UPDATE users.accounts SET analytics_opt_in = $2, consent_policy_version = $3, "
                    "consent_time = ", Ts(4), ", updated_at = ", Ts(4), " WHERE user_id = $1::uuid")},
      {kUpdateRoles,
       absl::StrCat("UPDATE users.accounts SET roles = $2, roles_updated_at = ", Ts(3), ", updated_at = ", Ts(3),
                    " WHERE user_id = $1::uuid")},
      // Follows vanish with the account (ON DELETE CASCADE); the other
      // side's counters must drop with them.
      // (Two statements: one statement may not update the same row twice,
      // and a mutual follower's row is hit from both sides.)
      {kUncountFollowed,
       "UPDATE users.accounts a SET follower_count = follower_count - 1 "
       "FROM users.follows f WHERE f.follower_id = $1::uuid AND a.user_id = f.followee_id"},
      {kUncountFollowers,
       "UPDATE users.accounts a SET following_count = following_count - 1 "
       "FROM users.follows f WHERE f.followee_id = $1::uuid AND a.user_id = f.follower_id"},
      {kDeleteAccount, "DELETE FROM users.accounts WHERE user_id = $1::uuid"},
      {kInsertSession, insert_session},
      {kSessionByLoginRequest,
       absl::StrCat("SELECT session_id::text, user_id::text, revoked_at IS NOT NULL, ", Micros("created_at"),
                    " FROM users.sessions WHERE user_id = $1::uuid AND login_request = $2::uuid")},
      {kSessionActive,
       "SELECT EXISTS (SELECT 1 FROM users.sessions WHERE session_id = $1::uuid AND revoked_at IS NULL)"},
      {kRevokeSession,
       absl::StrCat("UPDATE users.sessions SET revoked_at = ", Ts(3), ", revoke_reason = $2 "
                    "WHERE session_id = $1::uuid AND revoked_at IS NULL")},
      {kPurgeTokens,
       absl::StrCat("DELETE FROM users.refresh_tokens WHERE token_hash IN (SELECT token_hash FROM "
                    "users.refresh_tokens WHERE expires_at < ", Ts(1), " LIMIT $2)")},
      {kPurgeSessions,
       absl::StrCat("DELETE FROM users.sessions WHERE session_id IN (SELECT session_id FROM users.sessions "
                    "WHERE revoked_at < ", Ts(1), " OR created_at < ", Ts(2), " LIMIT $3)")},
      {kRevokeAllSessions,
       absl::StrCat("UPDATE users.sessions SET revoked_at = ", Ts(3), ", revoke_reason = $2 "
                    "WHERE user_id = $1::uuid AND revoked_at IS NULL RETURNING session_id::text")},
      {kOpenSession,
       absl::StrCat("WITH session AS (", insert_session, " RETURNING session_id) ", insert_refresh,
                    "SELECT $6, session_id, ", Ts(5), ", ", Ts(7), " FROM session")},
      {kInsertRefresh, absl::StrCat(insert_refresh, "VALUES ($1, $2::uuid, ", Ts(3), ", ", Ts(4), ")")},
      {kLockRefresh, "SELECT 1 FROM users.refresh_tokens WHERE token_hash = $1 FOR UPDATE"},
      {kRefreshByHash,
       absl::StrCat("SELECT t.session_id::text, s.user_id::text, ", Micros("t.expires_at"),
                    ", t.retired_at IS NOT NULL, coalesce(t.retired_by::text, ''), "
                    "coalesce(", Micros("t.retired_at"), ", 0), s.revoked_at IS NOT NULL, "
                    "EXISTS (SELECT 1 FROM users.refresh_tokens n WHERE n.token_hash = t.successor_hash "
                    "AND n.retired_at IS NULL), ", Micros("s.created_at"), " "
                    "FROM users.refresh_tokens t JOIN users.sessions s USING (session_id) "
                    "WHERE t.token_hash = $1 FOR UPDATE OF t FOR SHARE OF s")},
      {kRetireRefresh,
       absl::StrCat("UPDATE users.refresh_tokens SET retired_at = ", Ts(4), ", retired_by = $2::uuid, "
                    "successor_hash = $3 WHERE token_hash = $1")},
      {kRetireSessionRefresh,
       absl::StrCat("UPDATE users.refresh_tokens SET retired_at = ", Ts(2),
                    " WHERE session_id = $1::uuid AND retired_at IS NULL")},
      {kRelation,
       absl::StrCat("SELECT "
                    "(SELECT ", Micros("created_at"), " FROM users.follows WHERE follower_id = $1::uuid AND followee_id = $2::uuid), "
                    "EXISTS (SELECT 1 FROM users.follows WHERE follower_id = $2::uuid AND followee_id = $1::uuid), "
                    "EXISTS (SELECT 1 FROM users.blocks WHERE blocker_id = $1::uuid AND blocked_id = $2::uuid), "
                    "EXISTS (SELECT 1 FROM users.blocks WHERE blocker_id = $2::uuid AND blocked_id = $1::uuid), "
                    "EXISTS (SELECT 1 FROM users.mutes WHERE muter_id = $1::uuid AND muted_id = $2::uuid)")},
      {kInsertFollow,
       absl::StrCat("WITH ins AS (INSERT INTO users.follows VALUES ($1::uuid, $2::uuid, ", Ts(3), ") "
                    "ON CONFLICT DO NOTHING RETURNING 1), "
                    "a AS (UPDATE users.accounts SET following_count = following_count + 1 "
                    "WHERE user_id = $1::uuid AND EXISTS (SELECT 1 FROM ins)), "
                    "b AS (UPDATE users.accounts SET follower_count = follower_count + 1 "
                    "WHERE user_id = $2::uuid AND EXISTS (SELECT 1 FROM ins)) "
                    "SELECT count(*) FROM ins")},
      {kDeleteFollow,
       "WITH del AS (DELETE FROM users.follows WHERE follower_id = $1::uuid AND followee_id = $2::uuid "
       "RETURNING 1), "
       "a AS (UPDATE users.accounts SET following_count = following_count - 1 "
       "WHERE user_id = $1::uuid AND EXISTS (SELECT 1 FROM del)), "
       "b AS (UPDATE users.accounts SET follower_count = follower_count - 1 "
       "WHERE user_id = $2::uuid AND EXISTS (SELECT 1 FROM del)) "
       "SELECT count(*) FROM del"},
      {kInsertBlock,
       absl::StrCat("INSERT INTO users.blocks VALUES ($1::uuid, $2::uuid, ", Ts(3), ") ON CONFLICT DO NOTHING")},
      {kDeleteBlock, "DELETE FROM users.blocks WHERE blocker_id = $1::uuid AND blocked_id = $2::uuid"},
      {kInsertMute,
       absl::StrCat("INSERT INTO users.mutes VALUES ($1::uuid, $2::uuid, ", Ts(3), ") ON CONFLICT DO NOTHING")},
      {kDeleteMute, "DELETE FROM users.mutes WHERE muter_id = $1::uuid AND muted_id = $2::uuid"},
      {kListFollowers, ListSql("follows", "followee_id", "follower_id", true)},
      {kListFollowing, ListSql("follows", "follower_id", "followee_id", true)},
      {kListBlocked, ListSql("blocks", "blocker_id", "blocked_id", false)},
      {kListMuted, ListSql("mutes", "muter_id", "muted_id", false)},
      {kSessionsOfUser,
       absl::StrCat("SELECT session_id::text, device_name, ", Micros("created_at"), ", ",
                    "CASE WHEN revoked_at IS NULL THEN NULL ELSE ", Micros("revoked_at"), " END "
                    "FROM users.sessions WHERE user_id = $1::uuid ORDER BY created_at")},
      {kLockAccount, "SELECT 1 FROM users.accounts WHERE user_id = $1::uuid FOR UPDATE"},
      {kCountExports,
       absl::StrCat("SELECT count(*) FROM users.exports WHERE user_id = $1::uuid AND exported_at > ", Ts(2))},
      {kInsertExport, absl::StrCat("INSERT INTO users.exports VALUES ($1::uuid, ", Ts(2), ")")},
  };
  for (kit::PreparedStatement& s : Idempotency().Statements()) statements.push_back(std::move(s));
  statements.push_back(kit::OutboxWriter::Statement());
  return statements;
}

namespace {

// One transaction of the users service: every UsersTx call is one prepared
// statement on `txn_`.
class PgUsersTx final : public kit::PgTxBase<UsersTx> {
 public:
  explicit PgUsersTx(pqxx::work& txn) : PgTxBase(txn, Idempotency()) {}

  void InsertAccount(const Account& a) override {
    txn_.exec_prepared(kInsertAccount, a.user_id, a.handle, a.email, a.password_hash, a.display_name,
                       LanguagesLiteral(a.languages), static_cast<int>(a.roles.bits()), a.analytics_opt_in,
                       ToMicros(a.created_at), a.consent_policy_version,
                       // NULL (an adult's account) makes Ts(11) NULL.
                       a.adult_at ? std::optional<int64_t>(ToMicros(*a.adult_at)) : std::nullopt);
  }
  std::optional<Account> AccountById(const std::string& user_id) override {
    return OneAccount(txn_.exec_prepared(kAccountById, user_id));
  }
  std::optional<Account> LockAccount(const std::string& user_id) override {
    return OneAccount(txn_.exec_prepared(kAccountByIdLocked, user_id));
  }
  std::optional<Account> AccountByHandle(const std::string& handle) override {
    return OneAccount(txn_.exec_prepared(kAccountByHandle, handle));
  }
  bool HandleTaken(const std::string& handle, absl::Time now) override {
    return txn_.exec_prepared1(kHandleTaken, handle, ToMicros(now))[0].as<bool>();
  }
  bool EmailTaken(const std::string& email) override {
    return txn_.exec_prepared1(kEmailTaken, email)[0].as<bool>();
  }
  void UpdateProfile(const Account& a, absl::Time now) override {
    txn_.exec_prepared(kUpdateProfile, a.user_id, a.display_name, a.bio, a.avatar_blob_id,
                       LanguagesLiteral(a.languages), ToMicros(now));
  }
  void UpdateConsent(const std::string& user_id, const Consent& consent) override {
    txn_.exec_prepared(kUpdateConsent, user_id, consent.opted_in, consent.policy_version,
                       ToMicros(consent.update_time.value_or(absl::UnixEpoch())));
  }
  void UpdateRoles(const std::string& user_id, base::RoleSet roles, absl::Time now) override {
    txn_.exec_prepared(kUpdateRoles, user_id, static_cast<int>(roles.bits()), ToMicros(now));
  }
  void DeleteAccount(const Account& account, absl::Time now, absl::Duration reserve_handle_for) override {
    txn_.exec_prepared(kUncountFollowed, account.user_id);
    txn_.exec_prepared(kUncountFollowers, account.user_id);
    Idempotency().ForgetCaller(txn_, account.user_id);
    txn_.exec_prepared(kDeleteAccount, account.user_id);
    txn_.exec_prepared(kReserveHandle, account.handle, ToMicros(now + reserve_handle_for));
  }
  void LockPair(const std::string& a, const std::string& b) override { txn_.exec_prepared(kLockPair, a, b); }
  std::vector<std::string> LockAdmins() override {
    std::vector<std::string> admins;
    for (const auto& row : txn_.exec_prepared(kLockAdmins)) admins.push_back(row[0].as<std::string>());
    return admins;
  }

  void InsertSession(const std::string& session_id, const std::string& user_id, const std::string& device_name,
                     const std::string& request_id, absl::Time now) override {
    if (txn_.exec_prepared(kInsertSession, session_id, user_id, device_name, request_id, ToMicros(now))
            .affected_rows() == 0) {
      throw pqxx::serialization_failure("a concurrent request with the same request_id opened the session");
    }
  }
  std::optional<Session> SessionByLoginRequest(const std::string& user_id, const std::string& request_id) override {
    const pqxx::result r = txn_.exec_prepared(kSessionByLoginRequest, user_id, request_id);
    if (r.empty()) return std::nullopt;
    return Session{r[0][0].as<std::string>(), r[0][1].as<std::string>(), r[0][2].as<bool>(), FromMicros(r[0][3])};
  }
  bool SessionActive(const std::string& session_id) override {
    return txn_.exec_prepared1(kSessionActive, session_id)[0].as<bool>();
  }
  void RevokeSession(const std::string& session_id, const std::string& reason, absl::Time now) override {
    txn_.exec_prepared(kRevokeSession, session_id, reason, ToMicros(now));
  }
  std::vector<std::string> RevokeAllSessions(const std::string& user_id, const std::string& reason,
                                             absl::Time now) override {
    std::vector<std::string> ended;
    for (const auto& row : txn_.exec_prepared(kRevokeAllSessions, user_id, reason, ToMicros(now))) {
      ended.push_back(row[0].as<std::string>());
    }
    return ended;
  }
  std::vector<SessionInfo> SessionsOf(const std::string& user_id) override {
    std::vector<SessionInfo> out;
    for (const auto& row : txn_.exec_prepared(kSessionsOfUser, user_id)) {
      SessionInfo info{row[0].as<std::string>(), row[1].as<std::string>(), FromMicros(row[2]), std::nullopt};
      if (!row[3].is_null()) info.revoked_at = FromMicros(row[3]);
      out.push_back(std::move(info));
    }
    return out;
  }
  void InsertRefreshToken(const std::string& hash, const std::string& session_id, absl::Time now,
                          absl::Time expires_at) override {
    txn_.exec_prepared(kInsertRefresh, hash, session_id, ToMicros(now), ToMicros(expires_at));
  }
  std::optional<RefreshRecord> RefreshTokenByHash(const std::string& hash) override {
    // Lock first, read after, in two statements: at READ COMMITTED each
    // statement reads its own snapshot. A retry that waited here for the
    // first exchange's lock must see that exchange's successor token; one
    // statement would re-read the locked row but judge the successor from
    // the snapshot taken before it existed, and end the session as stolen.
    txn_.exec_prepared(kLockRefresh, hash);
    const pqxx::result r = txn_.exec_prepared(kRefreshByHash, hash);
    if (r.empty()) return std::nullopt;
    RefreshRecord rec;
    rec.session_id = r[0][0].as<std::string>();
    rec.user_id = r[0][1].as<std::string>();
    rec.expires_at = FromMicros(r[0][2]);
    rec.retired = r[0][3].as<bool>();
    rec.retired_by = r[0][4].as<std::string>();
    rec.retired_at = FromMicros(r[0][5]);
    rec.session_revoked = r[0][6].as<bool>();
    rec.successor_unused = r[0][7].as<bool>();
    rec.session_created_at = FromMicros(r[0][8]);
    return rec;
  }
  void RetireRefreshToken(const std::string& hash, const std::string& request_id, const std::string& successor_hash,
                          absl::Time now) override {
    txn_.exec_prepared(kRetireRefresh, hash, request_id, successor_hash, ToMicros(now));
  }
  void RetireSessionRefreshTokens(const std::string& session_id, absl::Time now) override {
    txn_.exec_prepared(kRetireSessionRefresh, session_id, ToMicros(now));
  }

  Relation RelationBetween(const std::string& viewer, const std::string& other) override {
    const pqxx::row r = txn_.exec_prepared1(kRelation, viewer, other);
    Relation rel;
    if (!r[0].is_null()) {
      rel.following = true;
      rel.follow_time = FromMicros(r[0]);
    }
    rel.followed_by = r[1].as<bool>();
    rel.blocking = r[2].as<bool>();
    rel.blocked_by = r[3].as<bool>();
    rel.muting = r[4].as<bool>();
    return rel;
  }
  bool InsertFollow(const std::string& follower, const std::string& followee, absl::Time now) override {
    return txn_.exec_prepared1(kInsertFollow, follower, followee, ToMicros(now))[0].as<int>() > 0;
  }
  bool DeleteFollow(const std::string& follower, const std::string& followee) override {
    return txn_.exec_prepared1(kDeleteFollow, follower, followee)[0].as<int>() > 0;
  }
  bool InsertBlock(const std::string& blocker, const std::string& blocked, absl::Time now) override {
    return txn_.exec_prepared(kInsertBlock, blocker, blocked, ToMicros(now)).affected_rows() > 0;
  }
  bool DeleteBlock(const std::string& blocker, const std::string& blocked) override {
    return txn_.exec_prepared(kDeleteBlock, blocker, blocked).affected_rows() > 0;
  }
  bool InsertMute(const std::string& muter, const std::string& muted, absl::Time now) override {
    return txn_.exec_prepared(kInsertMute, muter, muted, ToMicros(now)).affected_rows() > 0;
  }
  bool DeleteMute(const std::string& muter, const std::string& muted) override {
    return txn_.exec_prepared(kDeleteMute, muter, muted).affected_rows() > 0;
  }
  std::vector<RelatedAccount> List(ListKind kind, const std::string& subject, const std::string& viewer,
                                   const std::optional<ListCursor>& after, int limit) override {
    const pqxx::result r =
        after ? txn_.exec_prepared(ListStatement(kind), subject, viewer, ToMicros(after->since), after->user_id, limit)
              : txn_.exec_prepared(ListStatement(kind), subject, viewer, nullptr, nullptr, limit);
    std::vector<RelatedAccount> out;
    for (const auto& row : r) {
      out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(), FromMicros(row[3])});
    }
    return out;
  }

  bool RecordExport(const std::string& user_id, absl::Time now, absl::Time since, int limit) override {
    // Parallel exports of one user queue on the account's row; each then
    // counts (in a statement of its own, so with a fresh snapshot at READ
    // COMMITTED) the records of those before it.
    txn_.exec_prepared(kLockAccount, user_id);
    if (txn_.exec_prepared1(kCountExports, user_id, ToMicros(since))[0].as<int64_t>() >= limit) return false;
    txn_.exec_prepared(kInsertExport, user_id, ToMicros(now));
    return true;
  }
};

kit::TxnOptions TxnOptionsFor(TxMode mode) {
  switch (mode) {
    case TxMode::kReadWrite: return {};
    case TxMode::kReadOnly: return {.read_only = true};
    case TxMode::kSnapshot: return {.isolation = kit::Isolation::kRepeatableRead};
  }
  return {};
}

}  // namespace

absl::Status PgUsersStore::Transact(TxMode mode, absl::FunctionRef<absl::Status(UsersTx&)> work) {
  return kit::RunInTransaction(pool_, TxnOptionsFor(mode), [&](pqxx::work& txn) {
    PgUsersTx tx(txn);
    return work(tx);
  });
}

absl::StatusOr<std::optional<Account>> PgUsersStore::AccountByLogin(const std::string& handle_or_email) {
  std::optional<Account> account;
  CF_RETURN_IF_ERROR(kit::RunAutocommit(pool_, [&](pqxx::transaction_base& read) {
    account = OneAccount(read.exec_prepared(kAccountByLogin, handle_or_email));
    return absl::OkStatus();
  }));
  return account;
}

absl::StatusOr<bool> PgUsersStore::OpenSession(const NewSession& s) {
  bool opened = false;
  CF_RETURN_IF_ERROR(kit::RunAutocommit(session_pool_, [&](pqxx::transaction_base& write) {
    opened = write.exec_prepared(kOpenSession, s.session_id, s.user_id, s.device_name, s.login_request,
                                 ToMicros(s.now), s.refresh_hash, ToMicros(s.refresh_expires_at))
                 .affected_rows() == 1;
    return absl::OkStatus();
  }));
  return opened;
}

absl::StatusOr<PurgedRows> PgUsersStore::PurgeEndedSessions(const PurgeCutoffs& cutoffs, int batch) {
  PurgedRows purged;
  CF_RETURN_IF_ERROR(kit::RunAutocommit(pool_, [&](pqxx::transaction_base& write) {
    purged.tokens = write.exec_prepared(kPurgeTokens, ToMicros(cutoffs.tokens_expired_before), batch).affected_rows();
    return absl::OkStatus();
  }));
  CF_RETURN_IF_ERROR(kit::RunAutocommit(pool_, [&](pqxx::transaction_base& write) {
    purged.sessions = write.exec_prepared(kPurgeSessions, ToMicros(cutoffs.sessions_revoked_before),
                                          ToMicros(cutoffs.sessions_started_before), batch)
                          .affected_rows();
    return absl::OkStatus();
  }));
  return purged;
}

absl::Status PgUsersStore::UpgradePasswordHash(const std::string& user_id, const std::string& old_hash,
                                               const std::string& new_hash) {
  return kit::RunAutocommit(pool_, [&](pqxx::transaction_base& write) {
    write.exec_prepared(kUpgradePasswordHash, user_id, old_hash, new_hash);
    return absl::OkStatus();
  });
}

}  // namespace clipforge::users
