#include "services/users/store.h"

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace clipforge::users {
namespace {

// Times cross the boundary as integer microseconds since the Unix epoch:
// Ts(n) is the SQL for parameter $n as a timestamptz.
std::string Ts(int n) { return absl::StrCat("(timestamptz 'epoch' + $", n, "::bigint * interval '1 microsecond')"); }
std::string Micros(const char* column) {
  return absl::StrCat("(extract(epoch FROM ", column, ") * 1000000)::bigint");
}
int64_t ToMicros(absl::Time t) { return absl::ToUnixMicros(t); }
absl::Time FromMicros(const pqxx::field& f) { return absl::FromUnixMicros(f.as<int64_t>()); }

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
    Micros("updated_at"), ", ", Micros("roles_updated_at"));

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
  a.roles = r[8].as<int>();
  a.analytics_opt_in = r[9].as<bool>();
  if (!r[10].is_null()) a.consent_time = FromMicros(r[10]);
  a.consent_policy_version = r[11].as<std::string>();
  a.follower_count = r[12].as<int64_t>();
  a.following_count = r[13].as<int64_t>();
  a.created_at = FromMicros(r[14]);
  a.updated_at = FromMicros(r[15]);
  a.roles_updated_at = FromMicros(r[16]);
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
    case ListKind::kFollowers: return "users_list_followers";
    case ListKind::kFollowing: return "users_list_following";
    case ListKind::kBlocked: return "users_list_blocked";
    case ListKind::kMuted: return "users_list_muted";
  }
  return "";
}

}  // namespace

int RoleMask(const std::vector<kit::Role>& roles) {
  int mask = 1;  // ROLE_USER always.
  for (kit::Role r : roles) mask |= 1 << static_cast<int>(r);
  return mask;
}

std::vector<kit::Role> RolesOf(int mask) {
  std::vector<kit::Role> roles;
  for (int i = 0; i <= static_cast<int>(kit::Role::kAdmin); ++i) {
    if (mask & (1 << i)) roles.push_back(static_cast<kit::Role>(i));
  }
  return roles;
}

std::vector<kit::PreparedStatement> UsersStore::Statements() {
  // A session, and the head of a refresh-token insert: on their own, and
  // combined into a login's one statement.
  const std::string insert_session = absl::StrCat(
      "INSERT INTO users.sessions (session_id, user_id, device_name, login_request, created_at) "
      "VALUES ($1::uuid, $2::uuid, $3, $4::uuid, ", Ts(5), ") ON CONFLICT DO NOTHING");
  const std::string insert_refresh =
      "INSERT INTO users.refresh_tokens (token_hash, session_id, issued_at, expires_at) ";
  return {
      {"users_insert_account",
       absl::StrCat("INSERT INTO users.accounts (user_id, handle, email, password_hash, display_name, "
                    "languages, roles, analytics_opt_in, consent_time, consent_policy_version, created_at, "
                    "updated_at, roles_updated_at) VALUES ($1::uuid, $2, $3, $4, $5, $6::text[], $7, $8, "
                    "CASE WHEN $8 THEN ", Ts(9), " ELSE NULL END, $10, ", Ts(9), ", ", Ts(9), ", ", Ts(9), ")")},
      {"users_account_by_id", absl::StrCat("SELECT ", kAccountColumns, " FROM users.accounts WHERE user_id = $1::uuid")},
      {"users_account_by_id_locked",
       absl::StrCat("SELECT ", kAccountColumns, " FROM users.accounts WHERE user_id = $1::uuid FOR UPDATE")},
      {"users_account_by_handle", absl::StrCat("SELECT ", kAccountColumns, " FROM users.accounts WHERE handle = $1")},
      {"users_account_by_login",
       absl::StrCat("SELECT ", kAccountColumns, " FROM users.accounts WHERE handle = $1 OR email = $1")},
      {"users_handle_taken",
       absl::StrCat("SELECT EXISTS (SELECT 1 FROM users.accounts WHERE handle = $1) OR "
                    "EXISTS (SELECT 1 FROM users.reserved_handles WHERE handle = $1 AND reserved_until > ",
                    Ts(2), ")")},
      {"users_reserve_handle",
       absl::StrCat("INSERT INTO users.reserved_handles VALUES ($1, ", Ts(2), ") "
                    "ON CONFLICT (handle) DO UPDATE SET reserved_until = EXCLUDED.reserved_until")},
      {"users_forget_idempotency", "DELETE FROM users.idempotency WHERE caller_id = $1::uuid"},
      {"users_upgrade_password_hash",
       "UPDATE users.accounts SET password_hash = $3 WHERE user_id = $1::uuid AND password_hash = $2"},
      {"users_lock_pair",
       "SELECT 1 FROM users.accounts WHERE user_id IN ($1::uuid, $2::uuid) ORDER BY user_id FOR UPDATE"},
      {"users_lock_admins",
       "SELECT user_id::text FROM users.accounts WHERE roles & 16 <> 0 ORDER BY user_id FOR UPDATE"},
      {"users_email_taken", "SELECT EXISTS (SELECT 1 FROM users.accounts WHERE email = $1)"},
      {"users_update_profile",
       absl::StrCat("UPDATE users.accounts SET display_name = $2, bio = $3, avatar_blob_id = $4, "
                    "languages = $5::text[], updated_at = ", Ts(6), " WHERE user_id = $1::uuid")},
      {"users_update_consent",
       absl::StrCat("UPDATE users.accounts SET analytics_opt_in = $2, consent_policy_version = $3, "
                    "consent_time = ", Ts(4), ", updated_at = ", Ts(4), " WHERE user_id = $1::uuid")},
      {"users_update_roles",
       absl::StrCat("UPDATE users.accounts SET roles = $2, roles_updated_at = ", Ts(3), ", updated_at = ", Ts(3),
                    " WHERE user_id = $1::uuid")},
      // Follows vanish with the account (ON DELETE CASCADE); the other
      // side's counters must drop with them.
      // (Two statements: one statement may not update the same row twice,
      // and a mutual follower's row is hit from both sides.)
      {"users_uncount_followed",
       "UPDATE users.accounts a SET follower_count = follower_count - 1 "
       "FROM users.follows f WHERE f.follower_id = $1::uuid AND a.user_id = f.followee_id"},
      {"users_uncount_followers",
       "UPDATE users.accounts a SET following_count = following_count - 1 "
       "FROM users.follows f WHERE f.followee_id = $1::uuid AND a.user_id = f.follower_id"},
      {"users_delete_account", "DELETE FROM users.accounts WHERE user_id = $1::uuid"},
      {"users_insert_session", insert_session},
      {"users_session_by_login_request",
       absl::StrCat("SELECT session_id::text, user_id::text, revoked_at IS NOT NULL, ", Micros("created_at"),
                    " FROM users.sessions WHERE user_id = $1::uuid AND login_request = $2::uuid")},
      {"users_session_active",
       "SELECT EXISTS (SELECT 1 FROM users.sessions WHERE session_id = $1::uuid AND revoked_at IS NULL)"},
      {"users_revoke_session",
       absl::StrCat("UPDATE users.sessions SET revoked_at = ", Ts(3), ", revoke_reason = $2 "
                    "WHERE session_id = $1::uuid AND revoked_at IS NULL")},
      {"users_revoke_all_sessions",
       absl::StrCat("UPDATE users.sessions SET revoked_at = ", Ts(3), ", revoke_reason = $2 "
                    "WHERE user_id = $1::uuid AND revoked_at IS NULL")},
      {"users_open_session",
       absl::StrCat("WITH session AS (", insert_session, " RETURNING session_id) ", insert_refresh,
                    "SELECT $6, session_id, ", Ts(5), ", ", Ts(7), " FROM session")},
      {"users_insert_refresh", absl::StrCat(insert_refresh, "VALUES ($1, $2::uuid, ", Ts(3), ", ", Ts(4), ")")},
      {"users_refresh_by_hash",
       absl::StrCat("SELECT t.session_id::text, s.user_id::text, ", Micros("t.expires_at"),
                    ", t.retired_at IS NOT NULL, coalesce(t.retired_by::text, ''), "
                    "coalesce(", Micros("t.retired_at"), ", 0), s.revoked_at IS NOT NULL, "
                    "EXISTS (SELECT 1 FROM users.refresh_tokens n WHERE n.token_hash = t.successor_hash "
                    "AND n.retired_at IS NULL) "
                    "FROM users.refresh_tokens t JOIN users.sessions s USING (session_id) "
                    "WHERE t.token_hash = $1 FOR UPDATE OF t FOR SHARE OF s")},
      {"users_retire_refresh",
       absl::StrCat("UPDATE users.refresh_tokens SET retired_at = ", Ts(4), ", retired_by = $2::uuid, "
                    "successor_hash = $3 WHERE token_hash = $1")},
      {"users_retire_session_refresh",
       absl::StrCat("UPDATE users.refresh_tokens SET retired_at = ", Ts(2),
                    " WHERE session_id = $1::uuid AND retired_at IS NULL")},
      {"users_session_of_refresh", "SELECT session_id::text FROM users.refresh_tokens WHERE token_hash = $1"},
      {"users_relation",
       absl::StrCat("SELECT "
                    "(SELECT ", Micros("created_at"), " FROM users.follows WHERE follower_id = $1::uuid AND followee_id = $2::uuid), "
                    "EXISTS (SELECT 1 FROM users.follows WHERE follower_id = $2::uuid AND followee_id = $1::uuid), "
                    "EXISTS (SELECT 1 FROM users.blocks WHERE blocker_id = $1::uuid AND blocked_id = $2::uuid), "
                    "EXISTS (SELECT 1 FROM users.blocks WHERE blocker_id = $2::uuid AND blocked_id = $1::uuid), "
                    "EXISTS (SELECT 1 FROM users.mutes WHERE muter_id = $1::uuid AND muted_id = $2::uuid)")},
      {"users_insert_follow",
       absl::StrCat("WITH ins AS (INSERT INTO users.follows VALUES ($1::uuid, $2::uuid, ", Ts(3), ") "
                    "ON CONFLICT DO NOTHING RETURNING 1), "
                    "a AS (UPDATE users.accounts SET following_count = following_count + 1 "
                    "WHERE user_id = $1::uuid AND EXISTS (SELECT 1 FROM ins)), "
                    "b AS (UPDATE users.accounts SET follower_count = follower_count + 1 "
                    "WHERE user_id = $2::uuid AND EXISTS (SELECT 1 FROM ins)) "
                    "SELECT count(*) FROM ins")},
      {"users_delete_follow",
       "WITH del AS (DELETE FROM users.follows WHERE follower_id = $1::uuid AND followee_id = $2::uuid "
       "RETURNING 1), "
       "a AS (UPDATE users.accounts SET following_count = following_count - 1 "
       "WHERE user_id = $1::uuid AND EXISTS (SELECT 1 FROM del)), "
       "b AS (UPDATE users.accounts SET follower_count = follower_count - 1 "
       "WHERE user_id = $2::uuid AND EXISTS (SELECT 1 FROM del)) "
       "SELECT count(*) FROM del"},
      {"users_insert_block",
       absl::StrCat("INSERT INTO users.blocks VALUES ($1::uuid, $2::uuid, ", Ts(3), ") ON CONFLICT DO NOTHING")},
      {"users_delete_block", "DELETE FROM users.blocks WHERE blocker_id = $1::uuid AND blocked_id = $2::uuid"},
      {"users_insert_mute",
       absl::StrCat("INSERT INTO users.mutes VALUES ($1::uuid, $2::uuid, ", Ts(3), ") ON CONFLICT DO NOTHING")},
      {"users_delete_mute", "DELETE FROM users.mutes WHERE muter_id = $1::uuid AND muted_id = $2::uuid"},
      {"users_list_followers", ListSql("follows", "followee_id", "follower_id", true)},
      {"users_list_following", ListSql("follows", "follower_id", "followee_id", true)},
      {"users_list_blocked", ListSql("blocks", "blocker_id", "blocked_id", false)},
      {"users_list_muted", ListSql("mutes", "muter_id", "muted_id", false)},
      {"users_sessions_of_user",
       absl::StrCat("SELECT session_id::text, device_name, ", Micros("created_at"), ", ",
                    "CASE WHEN revoked_at IS NULL THEN NULL ELSE ", Micros("revoked_at"), " END "
                    "FROM users.sessions WHERE user_id = $1::uuid ORDER BY created_at")},
      {"users_count_exports",
       absl::StrCat("SELECT count(*) FROM users.exports WHERE user_id = $1::uuid AND exported_at > ", Ts(2))},
      {"users_insert_export", absl::StrCat("INSERT INTO users.exports VALUES ($1::uuid, ", Ts(2), ")")},
      {"users_find_idempotency",
       "SELECT method, fingerprint, response FROM users.idempotency "
       "WHERE caller_id = $1::uuid AND request_id = $2::uuid AND created_at > now() - interval '24 hours'"},
      {"users_save_idempotency",
       "INSERT INTO users.idempotency (caller_id, request_id, method, fingerprint, response) "
       "VALUES ($1::uuid, $2::uuid, $3, $4, $5) ON CONFLICT DO NOTHING"},
      {"users_expire_idempotency",
       "DELETE FROM users.idempotency WHERE caller_id = $1::uuid AND created_at < now() - interval '24 hours'"},
  };
}

void UsersStore::InsertAccount(pqxx::work& txn, const Account& a) {
  txn.exec_prepared("users_insert_account", a.user_id, a.handle, a.email, a.password_hash, a.display_name,
                    LanguagesLiteral(a.languages), a.roles, a.analytics_opt_in, ToMicros(a.created_at),
                    a.consent_policy_version);
}

std::optional<Account> UsersStore::AccountById(pqxx::work& txn, const std::string& user_id, bool for_update) {
  return OneAccount(txn.exec_prepared(for_update ? "users_account_by_id_locked" : "users_account_by_id", user_id));
}

std::optional<Account> UsersStore::AccountByHandle(pqxx::work& txn, const std::string& handle) {
  return OneAccount(txn.exec_prepared("users_account_by_handle", handle));
}

std::optional<Account> UsersStore::AccountByLogin(pqxx::transaction_base& txn, const std::string& handle_or_email) {
  return OneAccount(txn.exec_prepared("users_account_by_login", handle_or_email));
}

bool UsersStore::HandleTaken(pqxx::work& txn, const std::string& handle, absl::Time now) {
  return txn.exec_prepared1("users_handle_taken", handle, ToMicros(now))[0].as<bool>();
}

bool UsersStore::EmailTaken(pqxx::work& txn, const std::string& email) {
  return txn.exec_prepared1("users_email_taken", email)[0].as<bool>();
}

void UsersStore::UpdateProfile(pqxx::work& txn, const Account& a, absl::Time now) {
  txn.exec_prepared("users_update_profile", a.user_id, a.display_name, a.bio, a.avatar_blob_id,
                    LanguagesLiteral(a.languages), ToMicros(now));
}

void UsersStore::UpdateConsent(pqxx::work& txn, const std::string& user_id, bool opted_in,
                               const std::string& policy_version, absl::Time now) {
  txn.exec_prepared("users_update_consent", user_id, opted_in, policy_version, ToMicros(now));
}

void UsersStore::UpdateRoles(pqxx::work& txn, const std::string& user_id, int roles, absl::Time now) {
  txn.exec_prepared("users_update_roles", user_id, roles, ToMicros(now));
}

void UsersStore::DeleteAccount(pqxx::work& txn, const Account& account, absl::Time now,
                               absl::Duration reserve_handle_for) {
  txn.exec_prepared("users_uncount_followed", account.user_id);
  txn.exec_prepared("users_uncount_followers", account.user_id);
  txn.exec_prepared("users_forget_idempotency", account.user_id);
  txn.exec_prepared("users_delete_account", account.user_id);
  txn.exec_prepared("users_reserve_handle", account.handle, ToMicros(now + reserve_handle_for));
}

void UsersStore::UpgradePasswordHash(pqxx::transaction_base& txn, const std::string& user_id,
                                     const std::string& old_hash, const std::string& new_hash) {
  txn.exec_prepared("users_upgrade_password_hash", user_id, old_hash, new_hash);
}

void UsersStore::LockPair(pqxx::work& txn, const std::string& a, const std::string& b) {
  txn.exec_prepared("users_lock_pair", a, b);
}

std::vector<std::string> UsersStore::LockAdmins(pqxx::work& txn) {
  std::vector<std::string> admins;
  for (const auto& row : txn.exec_prepared("users_lock_admins")) admins.push_back(row[0].as<std::string>());
  return admins;
}

void UsersStore::InsertSession(pqxx::work& txn, const std::string& session_id, const std::string& user_id,
                               const std::string& device_name, const std::string& request_id, absl::Time now) {
  if (txn.exec_prepared("users_insert_session", session_id, user_id, device_name, request_id, ToMicros(now))
          .affected_rows() == 0) {
    throw pqxx::serialization_failure("a concurrent request with the same request_id opened the session");
  }
}

bool UsersStore::TryOpenSession(pqxx::transaction_base& txn, const NewSession& s) {
  return txn.exec_prepared("users_open_session", s.session_id, s.user_id, s.device_name, s.login_request,
                           ToMicros(s.now), s.refresh_hash, ToMicros(s.refresh_expires_at))
             .affected_rows() == 1;
}

std::optional<Session> UsersStore::SessionByLoginRequest(pqxx::work& txn, const std::string& user_id,
                                                         const std::string& request_id) {
  const pqxx::result r = txn.exec_prepared("users_session_by_login_request", user_id, request_id);
  if (r.empty()) return std::nullopt;
  return Session{r[0][0].as<std::string>(), r[0][1].as<std::string>(), r[0][2].as<bool>(), FromMicros(r[0][3])};
}

bool UsersStore::SessionActive(pqxx::work& txn, const std::string& session_id) {
  return txn.exec_prepared1("users_session_active", session_id)[0].as<bool>();
}

void UsersStore::RevokeSession(pqxx::work& txn, const std::string& session_id, const std::string& reason,
                               absl::Time now) {
  txn.exec_prepared("users_revoke_session", session_id, reason, ToMicros(now));
}

int UsersStore::RevokeAllSessions(pqxx::work& txn, const std::string& user_id, const std::string& reason,
                                  absl::Time now) {
  return static_cast<int>(txn.exec_prepared("users_revoke_all_sessions", user_id, reason, ToMicros(now)).affected_rows());
}

void UsersStore::InsertRefreshToken(pqxx::work& txn, const std::string& hash, const std::string& session_id,
                                    absl::Time now, absl::Time expires_at) {
  txn.exec_prepared("users_insert_refresh", hash, session_id, ToMicros(now), ToMicros(expires_at));
}

std::optional<RefreshRecord> UsersStore::RefreshTokenByHash(pqxx::work& txn, const std::string& hash) {
  const pqxx::result r = txn.exec_prepared("users_refresh_by_hash", hash);
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
  return rec;
}

void UsersStore::RetireRefreshToken(pqxx::work& txn, const std::string& hash, const std::string& request_id,
                                    const std::string& successor_hash, absl::Time now) {
  txn.exec_prepared("users_retire_refresh", hash, request_id, successor_hash, ToMicros(now));
}

void UsersStore::RetireSessionRefreshTokens(pqxx::work& txn, const std::string& session_id, absl::Time now) {
  txn.exec_prepared("users_retire_session_refresh", session_id, ToMicros(now));
}

std::optional<std::string> UsersStore::SessionOfRefreshToken(pqxx::work& txn, const std::string& hash) {
  const pqxx::result r = txn.exec_prepared("users_session_of_refresh", hash);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<std::string>();
}

Relation UsersStore::RelationBetween(pqxx::work& txn, const std::string& viewer, const std::string& other) {
  const pqxx::row r = txn.exec_prepared1("users_relation", viewer, other);
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

bool UsersStore::InsertFollow(pqxx::work& txn, const std::string& follower, const std::string& followee,
                              absl::Time now) {
  return txn.exec_prepared1("users_insert_follow", follower, followee, ToMicros(now))[0].as<int>() > 0;
}

bool UsersStore::DeleteFollow(pqxx::work& txn, const std::string& follower, const std::string& followee) {
  return txn.exec_prepared1("users_delete_follow", follower, followee)[0].as<int>() > 0;
}

bool UsersStore::InsertBlock(pqxx::work& txn, const std::string& blocker, const std::string& blocked,
                             absl::Time now) {
  return txn.exec_prepared("users_insert_block", blocker, blocked, ToMicros(now)).affected_rows() > 0;
}

bool UsersStore::DeleteBlock(pqxx::work& txn, const std::string& blocker, const std::string& blocked) {
  return txn.exec_prepared("users_delete_block", blocker, blocked).affected_rows() > 0;
}

bool UsersStore::InsertMute(pqxx::work& txn, const std::string& muter, const std::string& muted, absl::Time now) {
  return txn.exec_prepared("users_insert_mute", muter, muted, ToMicros(now)).affected_rows() > 0;
}

bool UsersStore::DeleteMute(pqxx::work& txn, const std::string& muter, const std::string& muted) {
  return txn.exec_prepared("users_delete_mute", muter, muted).affected_rows() > 0;
}

std::vector<RelatedAccount> UsersStore::List(pqxx::work& txn, ListKind kind, const std::string& subject,
                                             const std::string& viewer, const std::optional<ListCursor>& after,
                                             int limit) {
  const pqxx::result r =
      after ? txn.exec_prepared(ListStatement(kind), subject, viewer, ToMicros(after->since), after->user_id, limit)
            : txn.exec_prepared(ListStatement(kind), subject, viewer, nullptr, nullptr, limit);
  std::vector<RelatedAccount> out;
  for (const auto& row : r) {
    out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(), FromMicros(row[3])});
  }
  return out;
}

std::vector<UsersStore::SessionInfo> UsersStore::SessionsOf(pqxx::work& txn, const std::string& user_id) {
  std::vector<SessionInfo> out;
  for (const auto& row : txn.exec_prepared("users_sessions_of_user", user_id)) {
    SessionInfo info{row[0].as<std::string>(), row[1].as<std::string>(), FromMicros(row[2]), std::nullopt};
    if (!row[3].is_null()) info.revoked_at = FromMicros(row[3]);
    out.push_back(std::move(info));
  }
  return out;
}

bool UsersStore::RecordExport(pqxx::work& txn, const std::string& user_id, absl::Time now, absl::Time since,
                              int limit) {
  if (txn.exec_prepared1("users_count_exports", user_id, ToMicros(since))[0].as<int64_t>() >= limit) return false;
  txn.exec_prepared("users_insert_export", user_id, ToMicros(now));
  return true;
}

std::optional<IdempotencyRecord> UsersStore::FindIdempotency(pqxx::work& txn, const std::string& caller_id,
                                                             const std::string& request_id) {
  const pqxx::result r = txn.exec_prepared("users_find_idempotency", caller_id, request_id);
  if (r.empty()) return std::nullopt;
  return IdempotencyRecord{r[0][0].as<std::string>(), r[0][1].as<std::string>(),
                           pqxx::binarystring(r[0][2]).str()};
}

void UsersStore::SaveIdempotency(pqxx::work& txn, const std::string& caller_id, const std::string& request_id,
                                 const std::string& method, const std::string& fingerprint,
                                 const std::string& response) {
  txn.exec_prepared("users_expire_idempotency", caller_id);
  if (txn.exec_prepared("users_save_idempotency", caller_id, request_id, method, fingerprint,
                        pqxx::binarystring(response.data(), response.size()))
          .affected_rows() == 0) {
    throw pqxx::serialization_failure("a concurrent request with the same request_id finished first");
  }
}

}  // namespace clipforge::users
