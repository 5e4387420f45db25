// Every event the feed service emits, built in one place: the event logic
// appends what these return to the outbox, in the transaction of the
// change they describe.
#pragma once

#include "clipforge/v1/events.pb.h"
#include "services/feed/records.h"
#include "services/kit/event_factory.h"

namespace clipforge::feed_service {

inline constexpr char kOriginalityScoredSubject[] = "clipforge.feed.originality_scored";

class FeedEvents {
 public:
  // `factory` stamps ids and times; not owned.
  explicit FeedEvents(const kit::EventFactory& factory) : factory_(factory) {}

  // The clip's originality as `clip` holds it; `previous` is the score it
  // replaced (ORIGINALITY_TRIGGER_LATER_MATCH only).
  v1::EventEnvelope OriginalityScored(const FeedClipRecord& clip, v1::OriginalityTrigger trigger,
                                      double previous = 0) const;

 private:
  const kit::EventFactory& factory_;
};

}  // namespace clipforge::feed_service
