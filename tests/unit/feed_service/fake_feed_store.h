// An in-memory FeedStore for the feed logic's unit tests. Transactions are
// serialized and atomic: work runs on a copy of the state, which replaces
// the state only when the work returns OK, so a failed call provably leaves
// nothing behind. Each FeedTx method does what store_interface.h says (and
// what PgFeedStore's statements do: ON CONFLICT DO NOTHING inserts report
// false, member counts move with the memberships), and the constraints of
// migrations/0022_feed.sql, 0023_feed_withdrawn.sql, 0024_feed_reach.sql
// and 0025_feed_seen.sql fail the transaction as the driver's exceptions
// would once Transact maps them: a unique key ALREADY_EXISTS, a CHECK or
// foreign key FAILED_PRECONDITION, a malformed uuid INTERNAL (Postgres's
// "invalid input syntax", which kit::StatusFromPqxx maps to INTERNAL). A
// write in a read-only transaction is a bug of the logic: INTERNAL.
#pragma once

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "clipforge/v1/events.pb.h"
#include "services/feed/records.h"
#include "services/feed/store_interface.h"
#include "services/kit/idempotency.h"
#include "tests/support/copy_on_write_state.h"

namespace clipforge::feed_service::testing {

struct FakeFeedState {
  std::map<std::string, FeedClipRecord> clips;         // By clip_id.
  std::map<std::string, std::vector<feed::FrameHash>> clip_frames;  // By clip_id: the whole list.
  std::set<std::pair<std::string, std::string>> follows;  // (follower_id, followee_id).
  std::set<std::pair<std::string, std::string>> likes;    // (user_id, clip_id).
  std::map<std::string, bool> consent;                  // By user_id: opted in.
  // (user_id, scope, key) -> the setting.
  std::map<std::tuple<std::string, FeedbackScope, std::string>, FeedbackSetting> feedback;
  std::map<std::string, WeightsRecord> weights;                     // By user_id.
  std::map<std::pair<std::string, std::string>, double> affinity;   // (user_id, creator_id) -> weight.
  std::map<std::pair<std::string, std::string>, absl::Time> skips;  // (user_id, clip_id) -> skipped_at.
  std::map<std::pair<std::string, std::string>, absl::Time> seen;   // (user_id, clip_id) -> seen_at.
  std::map<std::string, ThemeRecord> themes;                        // By theme_id.
  std::set<std::pair<std::string, std::string>> memberships;        // (user_id, theme_id).
  std::map<std::string, ReachPenaltyRecord> reach_penalties;        // By creator_id.
  std::map<std::pair<std::string, std::string>, kit::IdempotencyRecord> idempotency;  // (caller, request).
  std::vector<v1::EventEnvelope> events;  // The outbox, in append order.
};

class FakeFeedStore final : public FeedStore {
 public:
  absl::Status Transact(TxMode mode, absl::FunctionRef<absl::Status(FeedTx&)> work) override;

  FakeFeedState state() const { return state_.snapshot(); }
  // Replaces the state (a test planting what the logic would not write).
  void set_state(FakeFeedState state) { state_.Replace(std::move(state)); }
  // Transactions run (committed or not).
  int transactions() const { return state_.transactions(); }

 private:
  clipforge::testing::CopyOnWriteState<FakeFeedState> state_;
};

}  // namespace clipforge::feed_service::testing
