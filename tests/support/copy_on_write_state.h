// The committed state of an in-memory fake store, and the transactions the
// logic under test runs on it. A transaction works on a private copy of the
// state, which replaces the state only when the work returns OK: it commits
// all or nothing, the way a Postgres transaction does for the logic, so a
// call that fails half way provably leaves nothing behind. Transactions are
// serialized (the lock is held through the work), so the fakes need no
// isolation rules of their own.
//
// Each fake keeps its own transaction object, table rules and mapping of
// what that object throws to statuses (they differ between the fakes): all
// of it goes in the work the fake hands to Transact.
#pragma once

#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace clipforge::testing {

template <typename State>
class CopyOnWriteState {
 public:
  CopyOnWriteState() = default;
  CopyOnWriteState(const CopyOnWriteState&) = delete;
  CopyOnWriteState& operator=(const CopyOnWriteState&) = delete;

  // Counts a transaction and runs `work` on a copy of the state. The copy
  // replaces the state when `work` returns OK; it is dropped when `work`
  // returns an error or throws (the exception goes on to the caller).
  // `work` must not call back into this object.
  absl::Status Transact(absl::FunctionRef<absl::Status(State&)> work) {
    absl::MutexLock lock(&mu_);
    ++transactions_;
    State copy = state_;
    absl::Status status = work(copy);
    if (status.ok()) state_ = std::move(copy);
    return status;
  }

  // Returns what `read` returns (by value) for the committed state, read
  // under the lock: a statement outside any transaction. Not counted.
  template <typename F>
  auto Read(F&& read) const {
    absl::MutexLock lock(&mu_);
    return std::forward<F>(read)(std::as_const(state_));
  }

  // Runs `write` on the committed state in place, under the lock: a
  // statement outside any transaction, which commits on its own. Returns
  // what `write` returns (by value). Not counted.
  template <typename F>
  auto Update(F&& write) {
    absl::MutexLock lock(&mu_);
    return std::forward<F>(write)(state_);
  }

  State snapshot() const {
    absl::MutexLock lock(&mu_);
    return state_;
  }

  // Replaces the committed state (a test planting what the logic would not
  // write). Not counted.
  void Replace(State state) {
    absl::MutexLock lock(&mu_);
    state_ = std::move(state);
  }

  // Transactions run, committed or not.
  int transactions() const {
    absl::MutexLock lock(&mu_);
    return transactions_;
  }

 private:
  mutable absl::Mutex mu_;
  State state_ ABSL_GUARDED_BY(mu_);
  int transactions_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace clipforge::testing
