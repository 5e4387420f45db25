// Deleted accounts: a durable consumer of clipforge.user.deleted cancels
// the user's unfinished jobs and revokes their API keys, exactly once
// (kit/event_consumer.h), in the transaction that records the event.
#pragma once

#include "services/generation/job_logic.h"
#include "services/kit/event_consumer.h"

namespace clipforge::generation_service {

kit::ConsumerOptions AccountDeletionsConsumer();
kit::EventHandler AccountDeletionHandler(JobLogic& jobs);

}  // namespace clipforge::generation_service
