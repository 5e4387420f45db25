// The transactional outbox: producers append an event in the same
// transaction as the state change it describes; the relay publishes it.
#pragma once

#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include <pqxx/transaction>

#include "absl/status/status.h"
#include "clipforge/v1/events.pb.h"
#include "services/kit/event_factory.h"
#include "base/clock.h"
#include "services/kit/pg_pool.h"
#include "base/uuid.h"

namespace clipforge::kit {

class OutboxWriter {
 public:
  // Every pool whose transactions append events registers this statement.
  static PreparedStatement Statement();

  // Inserts the envelope into bus.outbox inside `txn`: it is published iff
  // `txn` commits. INVALID_ARGUMENT when the envelope lacks id or type.
  static absl::Status Append(pqxx::work& txn, const v1::EventEnvelope& envelope);

  // Every pool that appends with AppendAll registers this one too.
  static PreparedStatement BatchStatement();

  // Inserts all of `envelopes`, in order, with one statement: a group
  // commit's events cost one round trip rather than one each. Checks every
  // envelope first (INVALID_ARGUMENT, nothing inserted).
  static absl::Status AppendAll(pqxx::work& txn, const std::vector<v1::EventEnvelope>& envelopes);
};

}  // namespace clipforge::kit
