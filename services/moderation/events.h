// Every event the moderation service emits, built in one place: the logic
// appends what these return to the outbox, in the transaction of the change
// they describe.
#pragma once

#include <cstdint>
#include <string>

#include "clipforge/v1/events.pb.h"
#include "services/moderation/case_records.h"
#include "services/kit/event_factory.h"

namespace clipforge::moderation_service {

// Every instance's policy reloader listens for this subject.
inline constexpr char kRuleChangedSubject[] = "clipforge.moderation.rule_changed";
inline constexpr char kFlaggedSubject[] = "clipforge.moderation.flagged";
inline constexpr char kDecidedSubject[] = "clipforge.moderation.decided";
inline constexpr char kAppealedSubject[] = "clipforge.moderation.appealed";
// Every instance's bank reloader listens for this subject.
inline constexpr char kBankChangedSubject[] = "clipforge.moderation.bank_changed";

class ModerationEvents {
 public:
  // `factory` stamps ids and times; not owned.
  explicit ModerationEvents(const kit::EventFactory& factory) : factory_(factory) {}

  // A prompt rule changed; `version` is the rule set's version after it.
  v1::EventEnvelope RuleChanged(const std::string& rule_id, v1::ChangeKind change, int64_t version) const;
  // A category policy changed (no rule id).
  v1::EventEnvelope PolicyChanged(v1::ModerationCategory category, int64_t version) const;
  // A case entered the queue; `decision` is the automatic one so far.
  v1::EventEnvelope Flagged(const CaseRecord& opened, v1::ModerationDecision decision) const;
  // A case or an appeal was decided: consumers apply the action.
  v1::EventEnvelope Decided(const DecisionRecord& decision) const;
  // A bank, its entries or the allow-list changed; `version` is the banks
  // version after it.
  v1::EventEnvelope BankChanged(const std::string& bank_id, v1::ChangeKind change, int64_t version,
                                int32_t added) const;
  // A decision was appealed.
  v1::EventEnvelope Appealed(const AppealRecord& appeal, const TargetRef& target) const;

 private:
  const kit::EventFactory& factory_;
};

}  // namespace clipforge::moderation_service
