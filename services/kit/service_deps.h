// The process-wide pieces every service component borrows from
// `clipforged serve` (or from a test server): none of them is owned here.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "base/clock.h"
#include "base/random.h"
#include "base/uuid.h"
#include "services/kit/auth.h"
#include "services/kit/call_runner.h"
#include "services/kit/client_address.h"
#include "services/kit/compute_slots.h"
#include "services/kit/executor.h"
#include "services/kit/logger.h"
#include "services/kit/event_factory.h"

namespace clipforge::kit {

struct ServiceDeps {
  const base::Clock& clock;
  base::RandomSource& random;
  base::UuidV7Generator& ids;
  const AuthGate& auth;
  CallRunner& runner;
  BlockingExecutor& executor;
  ComputeSlots& compute;
  const EventFactory& events;
  // Who a call's client is, for per-address budgets.
  const ClientAddresses& addresses;
  // For what background work (purges, consumers) has to tell operators.
  Logger& logger;
  // How long one message of a server stream may wait for the client to
  // take it before the call is ended (see WriteTimeout).
  absl::Duration stream_write_timeout = absl::Seconds(30);
};

// Where a service's pools connect, and how large they are.
struct ServiceDatabase {
  std::string url;
  int pool_size = 8;
  absl::Duration statement_timeout = absl::Seconds(5);
};

}  // namespace clipforge::kit
