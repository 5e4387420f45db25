// The transactional outbox: producers append an event in the same
// transaction as the state change it describes; the relay publishes it.
#pragma once

#include <string>
#include "absl/strings/string_view.h"

#include <pqxx/transaction>

#include "absl/status/status.h"
#include "clipforge/v1/events.pb.h"
#include "services/kit/clock.h"
#include "services/kit/pg_pool.h"
#include "services/kit/uuid.h"

namespace clipforge::kit {

// Stamps new envelopes with a UUIDv7 event id and the occurrence time.
class EventFactory {
 public:
  EventFactory(UuidV7Generator& ids, const Clock& clock) : ids_(ids), clock_(clock) {}

  // `type` is the NATS subject: "clipforge.<aggregate>.<event>".
  v1::EventEnvelope New(absl::string_view type, absl::string_view aggregate_type,
                        absl::string_view aggregate_id) const;

 private:
  UuidV7Generator& ids_;
  const Clock& clock_;
};

class OutboxWriter {
 public:
  // Every pool whose transactions append events registers this statement.
  static PreparedStatement Statement();

  // Inserts the envelope into bus.outbox inside `txn`: it is published iff
  // `txn` commits. INVALID_ARGUMENT when the envelope lacks id or type.
  static absl::Status Append(pqxx::work& txn, const v1::EventEnvelope& envelope);
};

}  // namespace clipforge::kit
