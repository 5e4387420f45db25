// What kit::OutboxWriter::Append refuses, for the fake stores' AppendEvent:
// an envelope without an event id or a clipforge.* type (the outbox's
// CHECK), so that a logic bug fails the unit tests as it would Postgres.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "clipforge/v1/events.pb.h"

namespace clipforge::testing {

inline absl::Status CheckOutboxEnvelope(const v1::EventEnvelope& event) {
  if (event.event_id().empty() || !absl::StartsWith(event.type(), "clipforge.")) {
    return absl::InvalidArgumentError("outbox: envelope needs an event_id and a clipforge.* type");
  }
  return absl::OkStatus();
}

}  // namespace clipforge::testing
