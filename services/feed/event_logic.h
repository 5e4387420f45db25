// What other services' events change in the feed: published clips enter
// the pools (their originality computed against the clips before them),
// removed clips leave them, likes, forks and views move the counters, and
// the users service's follows, consent, blocks, mutes and deletions change
// the viewers. Each runs in the consumer's transaction, which records the
// event, and then applies the change to the pools.
//
// The pools are changed before that transaction commits: a commit that
// fails after it leaves the pools one event ahead until the event is
// redelivered (clips, follows, settings: the same state again) or the
// service restarts (counters: reloaded exact from the store).
#pragma once

#include "absl/status/status.h"
#include "base/clock.h"
#include "clipforge/v1/events.pb.h"
#include "services/feed/feed_state.h"
#include "services/feed/store_interface.h"

namespace clipforge::feed_service {

class EventLogic {
 public:
  EventLogic(FeedState& state, const base::Clock& clock) : state_(state), clock_(clock) {}

  // A clipforge.clip.* event; others are ignored.
  absl::Status ApplyClipEvent(FeedTx& tx, const v1::EventEnvelope& event);
  // A clipforge.user.* event; others are ignored.
  absl::Status ApplyUserEvent(FeedTx& tx, const v1::EventEnvelope& event);

 private:
  absl::Status Publish(FeedTx& tx, const v1::ClipPublishedEvent& event, absl::Time published_at);
  void Count(FeedTx& tx, const std::string& clip_id, const EngagementCounts& delta);
  // A block or mute hides the other user's clips (a creator setting), and
  // lifting it shows them again.
  void SetHidden(FeedTx& tx, const std::string& user_id, const std::string& creator_id, bool hidden);

  FeedState& state_;
  const base::Clock& clock_;
};

}  // namespace clipforge::feed_service
