#include "services/clips/consumers.h"

#include "services/clips/store.h"

namespace clipforge::clips_service {

kit::ConsumerOptions UserEventsConsumer() {
  return {.durable = "clips-users",
          .filter_subject = "clipforge.user.>",
          .inbox_table = "clips.inbox",
          .dead_letter_table = "clips.dead_letter"};
}

kit::EventHandler UserEventsHandler(EventLogic& logic) {
  return [&logic](pqxx::work& txn, const v1::EventEnvelope& event) -> absl::Status {
    return PgClipsStore::InTransaction(txn, [&](ClipsTx& tx) { return logic.ApplyUserEvent(tx, event); });
  };
}

kit::ConsumerOptions ModerationDecisionsConsumer() {
  return {.durable = "clips-moderation-decisions",
          .filter_subject = "clipforge.moderation.decided",
          .inbox_table = "clips.inbox",
          .dead_letter_table = "clips.dead_letter"};
}

kit::EventHandler ModerationDecisionsHandler(EventLogic& logic) {
  return [&logic](pqxx::work& txn, const v1::EventEnvelope& event) -> absl::Status {
    return PgClipsStore::InTransaction(txn, [&](ClipsTx& tx) { return logic.ApplyModerationDecision(tx, event); });
  };
}

}  // namespace clipforge::clips_service
