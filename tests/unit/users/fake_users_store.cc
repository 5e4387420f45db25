#include "tests/unit/users/fake_users_store.h"

#include <algorithm>
#include <stdexcept>
#include <tuple>

#include "base/status_macros.h"
#include "tests/support/fake_outbox.h"

namespace clipforge::users::testing {
namespace {

// Whoever writes inside a read-only transaction has a bug: fail loudly.
class ReadOnlyViolation : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

class FakeUsersTx final : public UsersTx {
 public:
  FakeUsersTx(FakeUsersState& state, bool read_only) : s_(state), read_only_(read_only) {}

  void InsertAccount(const Account& account) override {
    Write();
    s_.accounts[account.user_id] = account;
  }
  std::optional<Account> AccountById(const std::string& user_id) override {
    const auto it = s_.accounts.find(user_id);
    if (it == s_.accounts.end()) return std::nullopt;
    return it->second;
  }
  std::optional<Account> LockAccount(const std::string& user_id) override { return AccountById(user_id); }
  std::optional<Account> AccountByHandle(const std::string& handle) override {
    for (const auto& [id, account] : s_.accounts) {
      if (account.handle == handle) return account;
    }
    return std::nullopt;
  }
  bool HandleTaken(const std::string& handle, absl::Time now) override {
    const auto reserved = s_.reserved_handles.find(handle);
    return AccountByHandle(handle).has_value() || (reserved != s_.reserved_handles.end() && reserved->second > now);
  }
  bool EmailTaken(const std::string& email) override {
    return std::any_of(s_.accounts.begin(), s_.accounts.end(), [&](const auto& a) { return a.second.email == email; });
  }
  void UpdateProfile(const Account& a, absl::Time now) override {
    Account& stored = Existing(a.user_id);
    stored.display_name = a.display_name;
    stored.bio = a.bio;
    stored.avatar_blob_id = a.avatar_blob_id;
    stored.languages = a.languages;
    stored.updated_at = now;
  }
  void UpdateConsent(const std::string& user_id, const Consent& consent) override {
    Account& stored = Existing(user_id);
    stored.analytics_opt_in = consent.opted_in;
    stored.consent_policy_version = consent.policy_version;
    stored.consent_time = consent.update_time;
    stored.updated_at = consent.update_time.value_or(stored.updated_at);
  }
  void UpdateRoles(const std::string& user_id, base::RoleSet roles, absl::Time now) override {
    Account& stored = Existing(user_id);
    stored.roles = roles;
    stored.roles_updated_at = stored.updated_at = now;
  }
  void DeleteAccount(const Account& account, absl::Time now, absl::Duration reserve_handle_for) override {
    Write();
    const std::string& id = account.user_id;
    for (auto it = s_.follows.begin(); it != s_.follows.end();) {
      if (it->first.first == id || it->first.second == id) {
        if (it->first.first == id) Existing(it->first.second).follower_count--;
        if (it->first.second == id) Existing(it->first.first).following_count--;
        it = s_.follows.erase(it);
      } else {
        ++it;
      }
    }
    EraseInvolving(s_.blocks, id);
    EraseInvolving(s_.mutes, id);
    for (auto it = s_.sessions.begin(); it != s_.sessions.end();) {
      if (it->second.session.user_id != id) {
        ++it;
        continue;
      }
      std::erase_if(s_.refresh_tokens, [&](const auto& t) { return t.second.session_id == it->first; });
      it = s_.sessions.erase(it);
    }
    std::erase_if(s_.idempotency, [&](const auto& r) { return r.first.first == id; });
    std::erase_if(s_.exports, [&](const auto& e) { return e.first == id; });
    s_.accounts.erase(id);
    s_.reserved_handles[account.handle] = now + reserve_handle_for;
  }
  void LockPair(const std::string&, const std::string&) override {}
  std::vector<std::string> LockAdmins() override {
    std::vector<std::string> admins;
    for (const auto& [id, account] : s_.accounts) {
      if (account.roles.Has(base::Role::kAdmin)) admins.push_back(id);
    }
    return admins;
  }

  void InsertSession(const std::string& session_id, const std::string& user_id, const std::string& device_name,
                     const std::string& request_id, absl::Time now) override {
    Write();
    for (const auto& [id, row] : s_.sessions) {
      if (row.session.user_id == user_id && row.login_request == request_id) {
        throw std::logic_error("a second session for one login request");
      }
    }
    s_.sessions[session_id] = {{session_id, user_id, false, now}, device_name, request_id, std::nullopt, ""};
  }
  std::optional<Session> SessionByLoginRequest(const std::string& user_id, const std::string& request_id) override {
    for (const auto& [id, row] : s_.sessions) {
      if (row.session.user_id == user_id && row.login_request == request_id) return row.session;
    }
    return std::nullopt;
  }
  bool SessionActive(const std::string& session_id) override {
    const auto it = s_.sessions.find(session_id);
    return it != s_.sessions.end() && !it->second.revoked_at;
  }
  void RevokeSession(const std::string& session_id, const std::string& reason, absl::Time now) override {
    Write();
    const auto it = s_.sessions.find(session_id);
    if (it != s_.sessions.end()) Revoke(it->second, reason, now);
  }
  std::vector<std::string> RevokeAllSessions(const std::string& user_id, const std::string& reason,
                                             absl::Time now) override {
    Write();
    std::vector<std::string> ended;
    for (auto& [id, row] : s_.sessions) {
      if (row.session.user_id == user_id && !row.revoked_at) {
        Revoke(row, reason, now);
        ended.push_back(id);
      }
    }
    return ended;
  }
  std::vector<SessionInfo> SessionsOf(const std::string& user_id) override {
    std::vector<SessionInfo> out;
    for (const auto& [id, row] : s_.sessions) {
      if (row.session.user_id == user_id) out.push_back({id, row.device_name, row.session.created_at, row.revoked_at});
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.created_at < b.created_at; });
    return out;
  }
  void InsertRefreshToken(const std::string& hash, const std::string& session_id, absl::Time now,
                          absl::Time expires_at) override {
    Write();
    s_.refresh_tokens[hash] = {session_id, now, expires_at, std::nullopt, "", ""};
  }
  std::optional<RefreshRecord> RefreshTokenByHash(const std::string& hash) override {
    const auto it = s_.refresh_tokens.find(hash);
    if (it == s_.refresh_tokens.end()) return std::nullopt;
    const FakeTokenRow& t = it->second;
    const FakeSessionRow& session = s_.sessions.at(t.session_id);
    const auto successor = s_.refresh_tokens.find(t.successor_hash);
    RefreshRecord record;
    record.session_id = t.session_id;
    record.user_id = session.session.user_id;
    record.expires_at = t.expires_at;
    record.retired = t.retired_at.has_value();
    record.retired_by = t.retired_by;
    record.retired_at = t.retired_at.value_or(absl::UnixEpoch());
    record.session_revoked = session.revoked_at.has_value();
    record.session_created_at = session.session.created_at;
    record.successor_unused = successor != s_.refresh_tokens.end() && !successor->second.retired_at;
    return record;
  }
  void RetireRefreshToken(const std::string& hash, const std::string& request_id, const std::string& successor_hash,
                          absl::Time now) override {
    Write();
    FakeTokenRow& t = s_.refresh_tokens.at(hash);
    t.retired_at = now;
    t.retired_by = request_id;
    t.successor_hash = successor_hash;
  }
  void RetireSessionRefreshTokens(const std::string& session_id, absl::Time now) override {
    Write();
    for (auto& [hash, t] : s_.refresh_tokens) {
      if (t.session_id == session_id && !t.retired_at) t.retired_at = now;
    }
  }

  Relation RelationBetween(const std::string& viewer, const std::string& other) override {
    Relation r;
    if (const auto f = s_.follows.find({viewer, other}); f != s_.follows.end()) {
      r.following = true;
      r.follow_time = f->second;
    }
    r.followed_by = s_.follows.contains({other, viewer});
    r.blocking = s_.blocks.contains({viewer, other});
    r.blocked_by = s_.blocks.contains({other, viewer});
    r.muting = s_.mutes.contains({viewer, other});
    return r;
  }
  bool InsertFollow(const std::string& follower, const std::string& followee, absl::Time now) override {
    Write();
    if (!s_.follows.emplace(UserPair{follower, followee}, now).second) return false;
    Existing(follower).following_count++;
    Existing(followee).follower_count++;
    return true;
  }
  bool DeleteFollow(const std::string& follower, const std::string& followee) override {
    Write();
    if (s_.follows.erase({follower, followee}) == 0) return false;
    Existing(follower).following_count--;
    Existing(followee).follower_count--;
    return true;
  }
  bool InsertBlock(const std::string& a, const std::string& b, absl::Time now) override {
    Write();
    return s_.blocks.emplace(UserPair{a, b}, now).second;
  }
  bool DeleteBlock(const std::string& a, const std::string& b) override {
    Write();
    return s_.blocks.erase({a, b}) > 0;
  }
  bool InsertMute(const std::string& a, const std::string& b, absl::Time now) override {
    Write();
    return s_.mutes.emplace(UserPair{a, b}, now).second;
  }
  bool DeleteMute(const std::string& a, const std::string& b) override {
    Write();
    return s_.mutes.erase({a, b}) > 0;
  }
  std::vector<RelatedAccount> List(ListKind kind, const std::string& subject, const std::string& viewer,
                                   const std::optional<ListCursor>& after, int limit) override {
    const std::map<UserPair, absl::Time>& table =
        kind == ListKind::kBlocked ? s_.blocks : kind == ListKind::kMuted ? s_.mutes : s_.follows;
    const bool subject_is_target = kind == ListKind::kFollowers;
    std::vector<RelatedAccount> rows;
    for (const auto& [pair, since] : table) {
      const std::string& me = subject_is_target ? pair.second : pair.first;
      const std::string& other = subject_is_target ? pair.first : pair.second;
      if (me != subject) continue;
      if (!IsOwnList(kind) && s_.blocks.contains({viewer, other})) continue;
      if (after && std::tie(since, other) >= std::tie(after->since, after->user_id)) continue;
      const Account& account = s_.accounts.at(other);
      rows.push_back({other, account.handle, account.display_name, since});
    }
    std::sort(rows.begin(), rows.end(),
              [](const auto& a, const auto& b) { return std::tie(a.since, a.user_id) > std::tie(b.since, b.user_id); });
    if (static_cast<int>(rows.size()) > limit) rows.resize(limit);
    return rows;
  }

  bool RecordExport(const std::string& user_id, absl::Time now, absl::Time since, int limit) override {
    const auto made = std::count_if(s_.exports.begin(), s_.exports.end(),
                                    [&](const auto& e) { return e.first == user_id && e.second > since; });
    if (made >= limit) return false;
    Write();
    s_.exports.emplace_back(user_id, now);
    return true;
  }

  absl::Status AppendEvent(const v1::EventEnvelope& event) override {
    Write();
    CF_RETURN_IF_ERROR(clipforge::testing::CheckOutboxEnvelope(event));
    s_.outbox.push_back(event);
    return absl::OkStatus();
  }

  std::optional<kit::IdempotencyRecord> FindIdempotency(const std::string& caller_id,
                                                        const std::string& request_id) override {
    const auto it = s_.idempotency.find({caller_id, request_id});
    if (it == s_.idempotency.end()) return std::nullopt;
    return it->second;
  }
  void SaveIdempotency(const kit::IdempotencyKey& key, const std::string& result) override {
    Write();
    if (!s_.idempotency.emplace(UserPair{key.caller_id, key.request_id},
                                kit::IdempotencyRecord{key.method, key.fingerprint, result})
             .second) {
      throw std::logic_error("idempotency record saved twice");
    }
  }

 private:
  void Write() const {
    if (read_only_) throw ReadOnlyViolation("a write inside a read-only transaction");
  }
  Account& Existing(const std::string& user_id) {
    Write();
    return s_.accounts.at(user_id);
  }
  static void Revoke(FakeSessionRow& row, const std::string& reason, absl::Time now) {
    if (row.revoked_at) return;
    row.revoked_at = now;
    row.revoke_reason = reason;
    row.session.revoked = true;
  }
  static void EraseInvolving(std::map<UserPair, absl::Time>& table, const std::string& id) {
    std::erase_if(table, [&](const auto& e) { return e.first.first == id || e.first.second == id; });
  }

  FakeUsersState& s_;
  const bool read_only_;
};

}  // namespace

absl::Status FakeUsersStore::Transact(TxMode mode, absl::FunctionRef<absl::Status(UsersTx&)> work) {
  if (absl::Status outage = failure(); !outage.ok()) return outage;  // Not counted.
  return state_.Transact([&](FakeUsersState& copy) -> absl::Status {
    FakeUsersTx tx(copy, mode == TxMode::kReadOnly);
    try {
      return work(tx);
    } catch (const std::exception& e) {
      // What the Postgres store's driver errors become.
      return absl::InternalError(e.what());
    }
  });
}

absl::StatusOr<std::optional<Account>> FakeUsersStore::AccountByLogin(const std::string& handle_or_email) {
  if (absl::Status outage = failure(); !outage.ok()) return outage;
  return state_.Read([&](const FakeUsersState& state) -> std::optional<Account> {
    for (const auto& [id, account] : state.accounts) {
      if (account.handle == handle_or_email || account.email == handle_or_email) return account;
    }
    return std::nullopt;
  });
}

absl::StatusOr<bool> FakeUsersStore::OpenSession(const NewSession& s) {
  if (absl::Status outage = failure(); !outage.ok()) return outage;
  return state_.Update([&](FakeUsersState& state) {
    for (const auto& [id, row] : state.sessions) {
      if (row.session.user_id == s.user_id && row.login_request == s.login_request) return false;
    }
    state.sessions[s.session_id] = {{s.session_id, s.user_id, false, s.now}, s.device_name, s.login_request,
                                    std::nullopt, ""};
    state.refresh_tokens[s.refresh_hash] = {s.session_id, s.now, s.refresh_expires_at, std::nullopt, "", ""};
    return true;
  });
}

absl::Status FakeUsersStore::UpgradePasswordHash(const std::string& user_id, const std::string& old_hash,
                                                 const std::string& new_hash) {
  if (absl::Status outage = failure(); !outage.ok()) return outage;
  state_.Update([&](FakeUsersState& state) {
    const auto it = state.accounts.find(user_id);
    if (it != state.accounts.end() && it->second.password_hash == old_hash) it->second.password_hash = new_hash;
  });
  return absl::OkStatus();
}

absl::StatusOr<PurgedRows> FakeUsersStore::PurgeEndedSessions(const PurgeCutoffs& cutoffs, int batch) {
  if (absl::Status outage = failure(); !outage.ok()) return outage;
  return state_.Update([&](FakeUsersState& state) {
    PurgedRows purged;
    for (auto it = state.refresh_tokens.begin(); it != state.refresh_tokens.end() && purged.tokens < batch;) {
      if (it->second.expires_at < cutoffs.tokens_expired_before) {
        it = state.refresh_tokens.erase(it);
        ++purged.tokens;
      } else {
        ++it;
      }
    }
    for (auto it = state.sessions.begin(); it != state.sessions.end() && purged.sessions < batch;) {
      const FakeSessionRow& row = it->second;
      const bool ended = (row.revoked_at && *row.revoked_at < cutoffs.sessions_revoked_before) ||
                         row.session.created_at < cutoffs.sessions_started_before;
      if (!ended) {
        ++it;
        continue;
      }
      std::erase_if(state.refresh_tokens, [&](const auto& token) { return token.second.session_id == it->first; });
      it = state.sessions.erase(it);
      ++purged.sessions;
    }
    return purged;
  });
}

std::vector<std::string> FakeUsersStore::EventTypes() const {
  return state_.Read([](const FakeUsersState& state) {
    std::vector<std::string> types;
    for (const v1::EventEnvelope& event : state.outbox) types.push_back(event.type());
    return types;
  });
}

}  // namespace clipforge::users::testing
