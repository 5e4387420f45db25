// Feeds a RevocationSet from the bus: every process reads every
// `clipforge.user.sessions_revoked` event through an ordered consumer of its
// own (ephemeral, no acks: each process needs all of them, not a share),
// starting one token lifetime back, so a process that starts late still
// refuses tokens of sessions that ended while it was down. While NATS or
// the stream is not there yet, it keeps trying in the background.
#pragma once

#include <atomic>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "services/kit/logger.h"
#include "services/kit/nats_client.h"
#include "services/kit/revocation_set.h"

namespace clipforge::kit {

inline constexpr char kSessionsRevokedSubject[] = "clipforge.user.sessions_revoked";

class RevocationListener {
 public:
  // `nats`, `set`, `clock` and `logger` must outlive the listener.
  // `look_back`: the access-token lifetime.
  RevocationListener(NatsClient& nats, RevocationSet& set, const base::Clock& clock, Logger& logger,
                     absl::Duration look_back, absl::Duration retry_every = absl::Seconds(2));
  ~RevocationListener();

  RevocationListener(const RevocationListener&) = delete;
  RevocationListener& operator=(const RevocationListener&) = delete;

  bool subscribed() const { return subscribed_.load(); }

 private:
  absl::Status Subscribe();
  static void OnMessage(natsConnection* nc, natsSubscription* sub, natsMsg* msg, void* closure);

  NatsClient& nats_;
  RevocationSet& set_;
  const base::Clock& clock_;
  Logger& logger_;
  const absl::Duration look_back_;
  const absl::Duration retry_every_;
  NatsPtr<natsSubscription> subscription_;
  std::atomic<bool> subscribed_{false};
  absl::Notification stop_;
  absl::Notification handler_done_;  // The closed subscription's handler has returned.
  std::thread retrier_;
};

}  // namespace clipforge::kit
