// Keeps the tipping service's clip directory (who made a clip, its parent,
// whether it can be tipped, which authors are gone) from the clips and
// users services' events: what a tip's split needs, without calling them
// on every tip.
#pragma once

#include "absl/status/status.h"
#include "clipforge/v1/events.pb.h"
#include "services/tipping/store_interface.h"

namespace clipforge::tipping_service {

// Applies one event; others are ignored. Every write is idempotent, so a
// redelivered event changes nothing.
absl::Status ApplyDirectoryEvent(TippingStore& store, const v1::EventEnvelope& event);

}  // namespace clipforge::tipping_service
