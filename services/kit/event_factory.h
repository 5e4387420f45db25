// Stamps new bus event envelopes with a UUIDv7 event id and the occurrence
// time. Apart from outbox.h (which needs libpqxx) so that service logic
// builds its events without the database driver.
#pragma once

#include "absl/strings/string_view.h"
#include "base/clock.h"
#include "base/uuid.h"
#include "clipforge/v1/events.pb.h"

namespace clipforge::kit {

class EventFactory {
 public:
  EventFactory(base::UuidV7Generator& ids, const base::Clock& clock) : ids_(ids), clock_(clock) {}

  // `type` is the NATS subject: "clipforge.<aggregate>.<event>".
  v1::EventEnvelope New(absl::string_view type, absl::string_view aggregate_type,
                        absl::string_view aggregate_id) const;

 private:
  base::UuidV7Generator& ids_;
  const base::Clock& clock_;
};

}  // namespace clipforge::kit
