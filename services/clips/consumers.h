// The bus events the clips service applies: the users service's (handles,
// follows, blocks, consent, deleted accounts) and moderators' decisions on
// clips. Each handler runs EventLogic in the consumer's transaction.
#pragma once

#include "services/clips/event_logic.h"
#include "services/kit/event_consumer.h"

namespace clipforge::clips_service {

kit::ConsumerOptions UserEventsConsumer();
kit::EventHandler UserEventsHandler(EventLogic& logic);

kit::ConsumerOptions ModerationDecisionsConsumer();
kit::EventHandler ModerationDecisionsHandler(EventLogic& logic);

}  // namespace clipforge::clips_service
