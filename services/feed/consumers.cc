#include "services/feed/consumers.h"

#include "services/feed/store.h"

namespace clipforge::feed_service {

kit::ConsumerOptions ClipEventsConsumer() {
  return {.durable = "feed-clips",
          .filter_subject = "clipforge.clip.>",
          .inbox_table = "feed.inbox",
          .dead_letter_table = "feed.dead_letter"};
}

kit::EventHandler ClipEventsHandler(EventLogic& logic) {
  return [&logic](pqxx::work& txn, const v1::EventEnvelope& event) -> absl::Status {
    return PgFeedStore::InTransaction(txn, [&](FeedTx& tx) { return logic.ApplyClipEvent(tx, event); });
  };
}

kit::ConsumerOptions UserEventsConsumer() {
  return {.durable = "feed-users",
          .filter_subject = "clipforge.user.>",
          .inbox_table = "feed.inbox",
          .dead_letter_table = "feed.dead_letter"};
}

kit::EventHandler UserEventsHandler(EventLogic& logic) {
  return [&logic](pqxx::work& txn, const v1::EventEnvelope& event) -> absl::Status {
    return PgFeedStore::InTransaction(txn, [&](FeedTx& tx) { return logic.ApplyUserEvent(tx, event); });
  };
}

}  // namespace clipforge::feed_service
