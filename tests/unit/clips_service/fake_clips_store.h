// An in-memory ClipsStore for the clips logic's unit tests. Transactions are
// serialized and atomic: work runs on a copy of the state, which replaces
// the state only when the work returns OK, so a failed call provably leaves
// nothing behind. Each ClipsTx method does what store_interface.h says (the
// filters, orders, cursors and limits), and the CHECK, unique and foreign
// key constraints of migrations/0017_clips.sql and 0019_clips_comments.sql
// fail the transaction as the driver's exceptions would once Transact maps
// them (a unique key: ALREADY_EXISTS, a CHECK or foreign key:
// FAILED_PRECONDITION). A write in a read-only transaction, or an update of
// a row that is not there where a RETURNING would give none, is a bug of
// the logic: INTERNAL.
//
// The graph reads (AncestorsFrom, Descendants, CountDescendants) walk the
// parent links, so they work under any clip, root or not.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "services/clips/store_interface.h"
#include "tests/support/copy_on_write_state.h"

namespace clipforge::clips_service::testing {

struct FakeClipsState {
  std::map<std::string, ClipRecord> clips;  // By clip_id.
  // (clip_id, user_id) -> when liked.
  std::map<std::pair<std::string, std::string>, absl::Time> likes;
  // (clip_id, viewer_id) -> when the viewer's last view counted.
  std::map<std::pair<std::string, std::string>, absl::Time> view_marks;
  std::map<std::string, UserRecord> users;                  // By user_id.
  std::set<std::pair<std::string, std::string>> follows;    // (follower_id, followee_id).
  std::set<std::pair<std::string, std::string>> blocks;     // (blocker_id, blocked_id).
  std::set<std::pair<std::string, std::string>> mutes;      // (muter_id, muted_id).
  std::map<std::string, CommentRecord> comments;            // By comment_id.
  std::map<std::pair<std::string, std::string>, kit::IdempotencyRecord> idempotency;  // (caller, request).
  std::vector<v1::EventEnvelope> events;                    // The outbox, in append order.
};

class FakeClipsStore final : public ClipsStore {
 public:
  absl::Status Transact(TxMode mode, absl::FunctionRef<absl::Status(ClipsTx&)> work) override;

  FakeClipsState state() const { return state_.snapshot(); }
  // Replaces the state (a test planting what the logic would not write).
  void set_state(FakeClipsState state) { state_.Replace(std::move(state)); }
  // Transactions run (committed or not).
  int transactions() const { return state_.transactions(); }

 private:
  clipforge::testing::CopyOnWriteState<FakeClipsState> state_;
};

}  // namespace clipforge::clips_service::testing
