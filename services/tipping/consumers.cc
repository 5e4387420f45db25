#include "services/tipping/consumers.h"

#include "services/tipping/directory_events.h"

namespace clipforge::tipping_service {

kit::ConsumerOptions TippingClipEventsConsumer() {
  return {.durable = "tipping-clips",
          .filter_subject = "clipforge.clip.>",
          .inbox_table = "tipping.inbox",
          .dead_letter_table = "tipping.dead_letter"};
}

kit::ConsumerOptions TippingUserEventsConsumer() {
  return {.durable = "tipping-users",
          .filter_subject = "clipforge.user.>",
          .inbox_table = "tipping.inbox",
          .dead_letter_table = "tipping.dead_letter"};
}

kit::EventHandler DirectoryEventsHandler(TippingStore& store) {
  return [&store](pqxx::work&, const v1::EventEnvelope& event) -> absl::Status {
    return ApplyDirectoryEvent(store, event);
  };
}

}  // namespace clipforge::tipping_service
