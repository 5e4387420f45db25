// The bus consumers of the tipping service: clips (published, updated,
// removed) and users (deleted), which keep its clip directory.
#pragma once

#include "services/kit/event_consumer.h"
#include "services/tipping/store_interface.h"

namespace clipforge::tipping_service {

kit::ConsumerOptions TippingClipEventsConsumer();
kit::ConsumerOptions TippingUserEventsConsumer();
// The directory's writes go through `store`, beside the consumer's inbox
// transaction rather than in it: each is idempotent, so an event whose
// inbox row did not commit is simply applied again on redelivery.
kit::EventHandler DirectoryEventsHandler(TippingStore& store);

}  // namespace clipforge::tipping_service
