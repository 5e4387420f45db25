#include "services/moderation/change_listener.h"

#include "absl/strings/str_cat.h"

namespace clipforge::moderation_service {

absl::StatusOr<std::unique_ptr<ChangeListener>> ChangeListener::Start(kit::NatsClient& nats, const char* subject,
                                                                       std::function<void()> on_change) {
  std::unique_ptr<ChangeListener> listener(new ChangeListener(std::move(on_change)));
  natsSubscription* sub = nullptr;
  const natsStatus s =
      natsConnection_Subscribe(&sub, nats.connection(), subject, &ChangeListener::OnMessage, listener.get());
  if (s != NATS_OK) return kit::StatusFromNats(s, absl::StrCat("subscribing to ", subject));
  listener->subscription_.reset(sub);
  const natsStatus completion = natsSubscription_SetOnCompleteCB(
      sub, [](void* closure) { static_cast<absl::Notification*>(closure)->Notify(); }, &listener->handler_done_);
  if (completion != NATS_OK) {
    // A message may already be in OnMessage, and there is no completion
    // callback to wait for: a drain returns once the delivery thread is
    // done with the subscription, before `listener` goes.
    if (natsSubscription_Drain(sub) == NATS_OK) natsSubscription_WaitForDrainCompletion(sub, 0);
    return kit::StatusFromNats(completion, absl::StrCat("watching the subscription to ", subject));
  }
  return listener;
}

ChangeListener::~ChangeListener() {
  // The handler may be running on cnats's delivery thread: wait until the
  // closed subscription's last call has returned before `this` goes.
  if (subscription_ && natsSubscription_Unsubscribe(subscription_.get()) == NATS_OK) {
    handler_done_.WaitForNotification();
  }
}

void ChangeListener::OnMessage(natsConnection*, natsSubscription*, natsMsg* raw, void* closure) {
  kit::NatsPtr<natsMsg> msg(raw);
  static_cast<ChangeListener*>(closure)->on_change_();
}

}  // namespace clipforge::moderation_service
