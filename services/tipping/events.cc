#include "services/tipping/events.h"

#include <string>

namespace clipforge::tipping_service {

void FillMoney(ledger::Micros amount, ledger::Currency currency, v1::Money* money) {
  money->set_amount_micros(amount);
  money->set_currency(std::string(currency.code()));
}

v1::EventEnvelope TippingEvents::TipSent(const TipRecord& tip) const {
  v1::EventEnvelope event = factory_.New(kTipSentSubject, "tip", tip.tip_id);
  v1::TipSentEvent* sent = event.mutable_tip_sent();
  sent->set_tip_id(tip.tip_id);
  sent->set_sender_id(tip.sender_id);
  sent->set_clip_id(tip.clip_id);
  FillMoney(tip.amount, tip.currency, sent->mutable_amount());
  for (const TipLegRecord& record : tip.legs) {
    v1::PaidLeg* leg = sent->add_legs();
    leg->set_kind(static_cast<v1::TipLegKind>(record.leg.kind));
    leg->set_user_id(record.leg.user_id);
    leg->set_clip_id(record.leg.clip_id);
    leg->set_depth(record.leg.depth);
    FillMoney(record.leg.amount, tip.currency, leg->mutable_amount());
  }
  return event;
}

}  // namespace clipforge::tipping_service
