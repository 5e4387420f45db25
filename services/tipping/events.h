// The tipping service's events, built for the outbox of the batch that
// books them: clipforge.tip.sent when a tip's legs are committed.
#pragma once

#include "absl/strings/string_view.h"
#include "clipforge/v1/events.pb.h"
#include "services/kit/event_factory.h"
#include "services/tipping/records.h"

namespace clipforge::tipping_service {

inline constexpr absl::string_view kTipSentSubject = "clipforge.tip.sent";

// Money as the API and the events carry it.
void FillMoney(ledger::Micros amount, ledger::Currency currency, v1::Money* money);

class TippingEvents {
 public:
  explicit TippingEvents(const kit::EventFactory& factory) : factory_(factory) {}

  v1::EventEnvelope TipSent(const TipRecord& tip) const;

 private:
  const kit::EventFactory& factory_;
};

}  // namespace clipforge::tipping_service
