// Every event the moderation service emits, built in one place: the logic
// appends what these return to the outbox, in the transaction of the change
// they describe.
#pragma once

#include <cstdint>
#include <string>

#include "clipforge/v1/events.pb.h"
#include "services/kit/event_factory.h"

namespace clipforge::moderation_service {

// Every instance's policy reloader listens for this subject.
inline constexpr char kRuleChangedSubject[] = "clipforge.moderation.rule_changed";

class ModerationEvents {
 public:
  // `factory` stamps ids and times; not owned.
  explicit ModerationEvents(const kit::EventFactory& factory) : factory_(factory) {}

  // A prompt rule changed; `version` is the rule set's version after it.
  v1::EventEnvelope RuleChanged(const std::string& rule_id, v1::ChangeKind change, int64_t version) const;
  // A category policy changed (no rule id).
  v1::EventEnvelope PolicyChanged(v1::ModerationCategory category, int64_t version) const;

 private:
  const kit::EventFactory& factory_;
};

}  // namespace clipforge::moderation_service
