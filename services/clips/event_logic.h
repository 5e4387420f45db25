// What other services' events change here: the copy of users' handles,
// follows, blocks and consent (users service), account deletions (the
// author's clips become anonymous tombstones, their likes go), and
// moderators' decisions on clips (removed, or restored on appeal). Each
// runs in the consumer's transaction, which records the event.
#pragma once

#include "absl/status/status.h"
#include "base/clock.h"
#include "clipforge/v1/events.pb.h"
#include "services/clips/events.h"
#include "services/clips/store_interface.h"

namespace clipforge::clips_service {

class EventLogic {
 public:
  EventLogic(const ClipsEvents& events, const base::Clock& clock) : events_(events), clock_(clock) {}

  // A clipforge.user.* event; others are ignored.
  absl::Status ApplyUserEvent(ClipsTx& tx, const v1::EventEnvelope& event);
  // A clipforge.moderation.decided event about a clip; others are ignored.
  absl::Status ApplyModerationDecision(ClipsTx& tx, const v1::EventEnvelope& event);

 private:
  absl::Status DeleteAccount(ClipsTx& tx, const std::string& user_id);

  const ClipsEvents& events_;
  const base::Clock& clock_;
};

}  // namespace clipforge::clips_service
