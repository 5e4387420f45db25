// Moderators' decisions on prompts that waited for review: a durable
// consumer of clipforge.moderation.decided applies each decision about a
// generation job exactly once (kit/event_consumer.h), in the transaction
// that records the event: a cleared prompt queues its job, a rejected one
// fails it PROMPT_REJECTED.
#pragma once

#include "services/generation/job_logic.h"
#include "services/kit/event_consumer.h"

namespace clipforge::generation_service {

kit::ConsumerOptions ReviewDecisionsConsumer();
kit::EventHandler ReviewDecisionHandler(JobLogic& jobs);

// Whether a decision lets the prompt through.
bool ClearsPrompt(v1::ModerationAction action);

}  // namespace clipforge::generation_service
