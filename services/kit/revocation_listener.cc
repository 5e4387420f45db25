#include "services/kit/revocation_listener.h"

#include "clipforge/v1/events.pb.h"
#include "google/protobuf/util/time_util.h"

namespace clipforge::kit {

RevocationListener::RevocationListener(NatsClient& nats, RevocationSet& set, const base::Clock& clock,
                                       Logger& logger, absl::Duration look_back, absl::Duration retry_every)
    : nats_(nats), set_(set), clock_(clock), logger_(logger), look_back_(look_back), retry_every_(retry_every) {
  retrier_ = std::thread([this] {
    bool warned = false;
    for (;;) {
      const absl::Status status = Subscribe();
      if (status.ok()) {
        subscribed_ = true;
        logger_.Info("revocations_subscribed");
        return;
      }
      if (!warned) {
        logger_.Warn("revocations_not_subscribed", {{"error", status.message()}});
        warned = true;
      }
      if (stop_.WaitForNotificationWithTimeout(retry_every_)) return;
    }
  });
}

RevocationListener::~RevocationListener() {
  stop_.Notify();
  retrier_.join();
  if (!subscription_) return;
  // The handler may be running on cnats's delivery thread: wait until the
  // closed subscription's last call has returned before `this` goes.
  if (natsSubscription_Unsubscribe(subscription_.get()) == NATS_OK) handler_done_.WaitForNotification();
}

absl::Status RevocationListener::Subscribe() {
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Ordered = true;
  so.Config.DeliverPolicy = js_DeliverByStartTime;
  so.Config.OptStartTime = absl::ToUnixNanos(clock_.Now() - look_back_);
  natsSubscription* sub = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  const natsStatus s =
      js_Subscribe(&sub, nats_.jetstream(), kSessionsRevokedSubject, &OnMessage, this, nullptr, &so, &err);
  if (s != NATS_OK) return StatusFromNats(s, "subscribing to session revocations");
  subscription_.reset(sub);
  const natsStatus completion = natsSubscription_SetOnCompleteCB(
      sub, [](void* closure) { static_cast<absl::Notification*>(closure)->Notify(); }, &handler_done_);
  if (completion != NATS_OK) {
    natsSubscription_Unsubscribe(sub);
    subscription_.reset();
    return StatusFromNats(completion, "watching the revocation subscription");
  }
  return absl::OkStatus();
}

void RevocationListener::OnMessage(natsConnection*, natsSubscription*, natsMsg* raw, void* closure) {
  NatsPtr<natsMsg> msg(raw);
  auto* self = static_cast<RevocationListener*>(closure);
  v1::EventEnvelope event;
  if (!event.ParseFromArray(natsMsg_GetData(raw), natsMsg_GetDataLength(raw)) ||
      !event.has_user_sessions_revoked()) {
    self->logger_.Warn("revocation_unreadable", {{"subject", natsMsg_GetSubject(raw)}});
    return;
  }
  const absl::Time ended_at =
      absl::FromUnixNanos(google::protobuf::util::TimeUtil::TimestampToNanoseconds(event.occurred_at()));
  for (const std::string& session_id : event.user_sessions_revoked().session_ids()) {
    self->set_.Revoke(session_id, ended_at);
  }
}

}  // namespace clipforge::kit
