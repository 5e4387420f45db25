// The floor the outbox relay is measured against: a minimal relay written
// directly on libpq and cnats, as one would write it in C.
#pragma once

#include <string>

#include <nats/nats.h>

namespace clipforge::bench {

// Drains `count` unsent bus.outbox rows as role cf_bus: per batch of
// `batch_size`, BEGIN, the relay's advisory lock, the relay's claim
// statement (binary results), one async publish per row with the event id
// as Nats-Msg-Id, one wait for every ack, mark sent, COMMIT. No
// per-aggregate waves, per-message ack bookkeeping, metrics or error
// recovery (it aborts). Returns events per second.
double MinimalCRelayDrain(const std::string& dsn, natsConnection* nats, int count, int batch_size);

}  // namespace clipforge::bench
