// The bus consumers of the feed service: clips (published, removed,
// updated, liked, unliked, forked) and users (registered, consent,
// follows, blocks, mutes, deletions).
#pragma once

#include "services/feed/event_logic.h"
#include "services/kit/event_consumer.h"

namespace clipforge::feed_service {

kit::ConsumerOptions ClipEventsConsumer();
kit::EventHandler ClipEventsHandler(EventLogic& logic);
kit::ConsumerOptions UserEventsConsumer();
kit::EventHandler UserEventsHandler(EventLogic& logic);

}  // namespace clipforge::feed_service
