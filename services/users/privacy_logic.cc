#include "services/users/privacy_logic.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/users/export_archive.h"
#include "services/users/result_codecs.h"
#include "users/age.h"

namespace clipforge::users {

absl::StatusOr<Consent> PrivacyLogic::GetConsent(const kit::Caller& caller) {
  Consent consent;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](UsersTx& tx) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireSession(tx, caller));
    CF_ASSIGN_OR_RETURN(const Account account, RequireAccount(tx, caller));
    consent = ConsentOf(account);
    return absl::OkStatus();
  }));
  return consent;
}

absl::StatusOr<Consent> PrivacyLogic::SetConsent(const kit::Caller& caller, const kit::IdempotencyKey& key,
                                                 bool opted_in, const std::string& policy_version) {
  Consent result;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](UsersTx& tx) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireSession(tx, caller));
    CF_ASSIGN_OR_RETURN(result, kit::RunIdempotent(tx, key, kConsentCodec, [&]() -> absl::StatusOr<Consent> {
      const absl::Time now = clock_.Now();
      if (opted_in) {
        // A teen's account is never personalized; opting out needs no check.
        CF_ASSIGN_OR_RETURN(const Account account, RequireAccount(tx, caller));
        CF_RETURN_IF_ERROR(CheckAnalyticsOptIn(account.adult_at, now));
      }
      const Consent consent{opted_in, now, policy_version};
      tx.UpdateConsent(caller.user_id, consent);
      CF_RETURN_IF_ERROR(tx.AppendEvent(events_.ConsentChanged(caller.user_id, consent)));
      return consent;
    }));
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<std::string> PrivacyLogic::Export(const kit::Caller& caller) {
  // The export is charged first, in a transaction of its own (read
  // committed: parallel exports count each other), then built from one
  // snapshot. An export that fails after being charged still counts.
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](UsersTx& tx) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireSession(tx, caller));
    const absl::Time now = clock_.Now();
    if (!tx.RecordExport(caller.user_id, now, now - absl::Hours(24), options_.exports_per_day)) {
      return absl::ResourceExhaustedError(
          absl::StrCat("export: at most ", options_.exports_per_day, " exports per 24 hours"));
    }
    return absl::OkStatus();
  }));
  std::string archive;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kSnapshot, [&](UsersTx& tx) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireSession(tx, caller));
    CF_ASSIGN_OR_RETURN(archive, BuildExportArchive(tx, caller.user_id, clock_.Now()));
    return absl::OkStatus();
  }));
  return archive;
}

absl::StatusOr<Deletion> PrivacyLogic::DeleteAccount(const kit::Caller& caller, const std::string& password,
                                                     const std::string& client_address) {
  std::optional<Account> account;
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadOnly, [&](UsersTx& tx) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireSession(tx, caller));
    CF_ASSIGN_OR_RETURN(account, RequireAccount(tx, caller));
    return absl::OkStatus();
  }));
  // Password guesses here are throttled like logins, in a scope of their
  // own: no login key can reach this user's entry.
  const std::string& key = caller.user_id;
  constexpr ThrottleScope kScope = ThrottleScope::kAccountDeletion;
  const ThrottleDecision decision = throttle_.Check(kScope, key, client_address, clock_.Now());
  if (!decision.allowed) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "too many attempts; retry in ", std::max<int64_t>(1, absl::ToInt64Seconds(decision.retry_after)), " s"));
  }
  if (!passwords_.Verify(account->password_hash, password)) {
    throttle_.RecordFailure(kScope, key, client_address, clock_.Now());
    return absl::PermissionDeniedError("password: incorrect (BAD_PASSWORD)");
  }
  throttle_.RecordSuccess(kScope, key, client_address, clock_.Now());
  const absl::Time now = clock_.Now();
  const Deletion deletion{.delete_time = now, .purge_time = now + options_.purge_within};
  CF_RETURN_IF_ERROR(store_.Transact(TxMode::kReadWrite, [&](UsersTx& tx) -> absl::Status {
    // Lock the account first: follows and unfollows of it then wait, so the
    // counters fixed by DeleteAccount stay right.
    CF_ASSIGN_OR_RETURN(const Account locked, RequireAccount(tx, caller, /*lock=*/true));
    if (locked.roles.Has(base::Role::kAdmin) && tx.LockAdmins().size() == 1) {
      return absl::FailedPreconditionError("LAST_ADMIN: make another admin before deleting the last one");
    }
    // Sessions, tokens, follows, blocks and mutes go with the account; other
    // services erase theirs on the event.
    std::vector<std::string> live_sessions;
    for (const SessionInfo& session : tx.SessionsOf(caller.user_id)) {
      if (!session.revoked_at) live_sessions.push_back(session.session_id);
    }
    CF_RETURN_IF_ERROR(AppendSessionsRevoked(tx, events_, caller.user_id, live_sessions, "account_deleted"));
    tx.DeleteAccount(locked, now, options_.handle_reservation);
    return tx.AppendEvent(events_.Deleted(caller.user_id, deletion.purge_time));
  }));
  return deletion;
}

}  // namespace clipforge::users
