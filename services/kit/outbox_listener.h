// Wakes the outbox relay when events commit: a dedicated connection that
// LISTENs on the channel migrations/0005_outbox_notify.sql notifies for
// every insert into bus.outbox (delivered at commit).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <pqxx/connection>
#include <pqxx/notification>

#include "absl/time/time.h"

namespace clipforge::kit {

inline constexpr char kOutboxChannel[] = "cf_outbox";
// Advisory lock key ("cf-sleep" in ASCII) the relay holds while it sleeps;
// migrations/0005_outbox_notify.sql names the same key.
inline constexpr int64_t kRelaySleepLockKey = 0x63662d736c656570;

class OutboxListener {
 public:
  explicit OutboxListener(std::string dsn);
  ~OutboxListener();

  // Blocks until a notification arrives or `timeout` passes. True when the
  // outbox may hold new events: a notification came, or the connection was
  // (re)established, so any commit before it went unheard. False on a
  // timeout, or when the database cannot be reached (after sleeping
  // `timeout`, so a caller's loop does not spin).
  bool Wait(absl::Duration timeout);

  // (Re)connects and LISTENs if not listening; true when it just did (the
  // caller should look at the outbox, as commits before it went unheard).
  bool EnsureListening();

  bool listening() const { return receiver_ != nullptr; }

  // Takes the sleep lock, so that from now on every insert notifies; false
  // while a producer transaction that did not notify is still open (or
  // when not listening): the caller must not sleep on notifications then.
  bool TrySleep();
  // Gives the sleep lock back: inserts stop notifying.
  void Wake();

 private:
  class Receiver;
  void Drop();

  const std::string dsn_;
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<Receiver> receiver_;
  bool notified_ = false;
  bool asleep_ = false;
};

}  // namespace clipforge::kit
