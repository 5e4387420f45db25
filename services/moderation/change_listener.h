// Wakes a reloader (PolicyReloader, BankReloader) when a change event is
// published: a plain NATS subscription on the subject (every instance
// needs every such event, and only as a nudge: the reloader reads the
// change itself from Postgres, so an event missed while disconnected costs
// at most one poll interval). cnats keeps the subscription across
// reconnects.
#pragma once

#include <functional>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "services/kit/nats_client.h"

namespace clipforge::moderation_service {

class ChangeListener {
 public:
  // Calls `on_change` (on cnats's delivery thread; it must not block) for
  // every message on `subject`. `nats` must outlive it.
  static absl::StatusOr<std::unique_ptr<ChangeListener>> Start(kit::NatsClient& nats, const char* subject,
                                                               std::function<void()> on_change);
  ~ChangeListener();

  ChangeListener(const ChangeListener&) = delete;
  ChangeListener& operator=(const ChangeListener&) = delete;

 private:
  explicit ChangeListener(std::function<void()> on_change) : on_change_(std::move(on_change)) {}
  static void OnMessage(natsConnection* nc, natsSubscription* sub, natsMsg* msg, void* closure);

  std::function<void()> on_change_;
  kit::NatsPtr<natsSubscription> subscription_;
  absl::Notification handler_done_;  // The closed subscription's handler has returned.
};

}  // namespace clipforge::moderation_service
