// An in-memory UsersStore for the logic's unit tests. Transactions are
// serialized and atomic: work runs on a copy of the state, which replaces
// the state only when the work returns OK, so a failed call provably leaves
// nothing behind. Writes inside a read-only transaction fail the call.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/users/store_interface.h"
#include "tests/support/copy_on_write_state.h"

namespace clipforge::users::testing {

struct FakeSessionRow {
  Session session;
  std::string device_name;
  std::string login_request;
  std::optional<absl::Time> revoked_at;
  std::string revoke_reason;
};

struct FakeTokenRow {
  std::string session_id;
  absl::Time issued_at;
  absl::Time expires_at;
  std::optional<absl::Time> retired_at;
  std::string retired_by;
  std::string successor_hash;
};

using UserPair = std::pair<std::string, std::string>;  // (actor, target)

struct FakeUsersState {
  std::map<std::string, Account> accounts;             // By user_id.
  std::map<std::string, absl::Time> reserved_handles;  // Handle -> reserved until.
  std::map<std::string, FakeSessionRow> sessions;      // By session_id.
  std::map<std::string, FakeTokenRow> refresh_tokens;  // By token hash.
  std::map<UserPair, absl::Time> follows, blocks, mutes;
  std::vector<std::pair<std::string, absl::Time>> exports;
  std::map<UserPair, kit::IdempotencyRecord> idempotency;  // By (caller, request_id).
  std::vector<v1::EventEnvelope> outbox;
};

class FakeUsersStore final : public UsersStore {
 public:
  absl::Status Transact(TxMode mode, absl::FunctionRef<absl::Status(UsersTx&)> work) override;
  absl::StatusOr<std::optional<Account>> AccountByLogin(const std::string& handle_or_email) override;
  absl::StatusOr<bool> OpenSession(const NewSession& session) override;
  absl::Status UpgradePasswordHash(const std::string& user_id, const std::string& old_hash,
                                   const std::string& new_hash) override;
  absl::StatusOr<PurgedRows> PurgeEndedSessions(const PurgeCutoffs& cutoffs, int batch) override;

  // The committed state, for assertions.
  FakeUsersState state() const { return state_.snapshot(); }
  // The types of the events committed so far, in order.
  std::vector<std::string> EventTypes() const;
  // Every storage call fails with `status` (an outage) until cleared with OK.
  void FailWith(absl::Status status) {
    absl::MutexLock lock(&mu_);
    failure_ = std::move(status);
  }
  int transactions() const { return state_.transactions(); }

 private:
  // What FailWith set: OK when storage is up.
  absl::Status failure() const {
    absl::MutexLock lock(&mu_);
    return failure_;
  }

  clipforge::testing::CopyOnWriteState<FakeUsersState> state_;
  mutable absl::Mutex mu_;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
};

}  // namespace clipforge::users::testing
