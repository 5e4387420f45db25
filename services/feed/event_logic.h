// What other services' events change in the feed: published clips are
// stored (their originality computed against the clips before them) and
// the public ones enter the pools; clips moderation removed or made
// non-public are withdrawn (kept, out of the pools) and come back when
// restored or public again; deleted clips go; likes, forks and views move
// the counters, and
// the users service's follows, consent, blocks, mutes and deletions change
// the viewers. Each runs in the consumer's transaction, which records the
// event, and then applies the change to the pools. A public copy of another
// creator's clip that completes a mass-repost run (feed/reach_penalty.h)
// starts its creator's reach penalty, or extends the one that runs.
//
// Each clip's originality is scored when it is first stored, against the
// clips before it, and announced (clipforge.feed.originality_scored). A
// clip that arrives after later clips that match it (its event delivered
// late, or published private and made public later) scores those again:
// the new match can only lower them, and a lower score replaces the stored
// one and is announced too.
//
// The pools are changed before that transaction commits: a commit that
// fails after it leaves the pools one event ahead until the event is
// redelivered (clips, follows, settings: the same state again) or the
// service restarts (counters: reloaded exact from the store).
#pragma once

#include "absl/status/status.h"
#include "base/clock.h"
#include "clipforge/v1/events.pb.h"
#include "services/feed/events.h"
#include "services/feed/feed_state.h"
#include "services/feed/store_interface.h"
#include "services/kit/event_factory.h"

namespace clipforge::feed_service {

class EventLogic {
 public:
  // `events` stamps the events appended to the outbox; not owned.
  EventLogic(FeedState& state, const base::Clock& clock, const kit::EventFactory& events)
      : state_(state), clock_(clock), events_(events) {}

  // A clipforge.clip.* event; others are ignored.
  absl::Status ApplyClipEvent(FeedTx& tx, const v1::EventEnvelope& event);
  // A clipforge.user.* event; others are ignored.
  absl::Status ApplyUserEvent(FeedTx& tx, const v1::EventEnvelope& event);

 private:
  absl::Status Publish(FeedTx& tx, const v1::ClipPublishedEvent& event, absl::Time published_at);
  // After `earlier` entered the pools: scores again the clips published
  // after it that it matches (FeedState::LaterMatchCandidates), keeping
  // each new score that is lower.
  absl::Status RescoreLater(FeedTx& tx, const FeedClipRecord& earlier, const std::vector<feed::FrameHash>& frames);
  // After a public copy entered the pools: starts or extends its creator's
  // reach penalty when their newest copies make a run.
  void CheckMassRepost(FeedTx& tx, const FeedClipRecord& copy);
  // Media near-duplicates of the clip being published: the frame index's
  // candidates and a fork's parent, verified on their stored frames.
  MediaEvidence CheckMedia(FeedTx& tx, const PublishedClip& clip, const std::vector<feed::FrameHash>& frames);
  // Moderation's removal withdraws the clip (a restore may bring it back);
  // any other (the author's deletion, the account's) deletes it.
  void Remove(FeedTx& tx, const v1::ClipRemovedEvent& event);
  // A clip made non-public is withdrawn; one public again (made so, or
  // restored by moderation) comes back when it was withdrawn. Other edits
  // of a public clip change nothing here.
  absl::Status Update(FeedTx& tx, const v1::ClipUpdatedEvent& event);
  // Keeps the clip's row (originality, counters) but takes it out of the
  // pools.
  void Withdraw(FeedTx& tx, const std::string& clip_id);
  void Count(FeedTx& tx, const std::string& clip_id, const EngagementCounts& delta);
  // A block or mute hides the other user's clips (a creator setting), and
  // lifting it shows them again.
  void SetHidden(FeedTx& tx, const std::string& user_id, const std::string& creator_id, bool hidden);

  FeedState& state_;
  const base::Clock& clock_;
  FeedEvents events_;
};

}  // namespace clipforge::feed_service
