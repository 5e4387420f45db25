// The TippingService gRPC adapter: validate, convert, call the logic,
// convert. Every RPC needs an access token. SendTips is a stream of its own
// (send_tips_reactor.h); GetLedgerHealth is for admins (health_logic.h). The
// RPCs of the later parts of the ledger (refunds, payouts, campaigns, fund
// runs) answer UNIMPLEMENTED until they are built.
#pragma once

#include "base/clock.h"
#include "clipforge/v1/tipping.grpc.pb.h"
#include "services/kit/auth.h"
#include "services/kit/call_runner.h"
#include "services/kit/executor.h"
#include "services/tipping/health_logic.h"
#include "services/tipping/send_tips_reactor.h"
#include "services/tipping/tipping_logic.h"

namespace clipforge::tipping_service {

class TippingServiceImpl final : public v1::TippingService::CallbackService {
 public:
  // None is owned. SendTips streams authenticate through `auth` and run
  // their tips on `executor`, shaped by `send_tips`.
  TippingServiceImpl(TippingLogic& logic, LedgerHealthLogic& health, kit::CallRunner& runner,
                     const kit::AuthGate& auth, kit::BlockingExecutor& executor, const base::Clock& clock,
                     SendTipsOptions send_tips = {})
      : logic_(logic),
        health_(health),
        runner_(runner),
        auth_(auth),
        executor_(executor),
        clock_(clock),
        send_tips_(send_tips) {}

  grpc::ServerUnaryReactor* SendTip(grpc::CallbackServerContext*, const v1::SendTipRequest*, v1::Tip*) override;
  grpc::ServerBidiReactor<v1::SendTipsRequest, v1::SendTipsResponse>* SendTips(
      grpc::CallbackServerContext*) override;
  grpc::ServerUnaryReactor* GetTip(grpc::CallbackServerContext*, const v1::GetTipRequest*, v1::Tip*) override;
  grpc::ServerUnaryReactor* GetBalance(grpc::CallbackServerContext*, const v1::GetBalanceRequest*,
                                       v1::GetBalanceResponse*) override;
  grpc::ServerUnaryReactor* ListEntries(grpc::CallbackServerContext*, const v1::ListEntriesRequest*,
                                        v1::ListEntriesResponse*) override;
  grpc::ServerUnaryReactor* CreateTopUp(grpc::CallbackServerContext*, const v1::CreateTopUpRequest*,
                                        v1::TopUp*) override;
  grpc::ServerUnaryReactor* RefundTopUp(grpc::CallbackServerContext*, const v1::RefundTopUpRequest*,
                                        v1::TopUp*) override;
  grpc::ServerUnaryReactor* GetLedgerHealth(grpc::CallbackServerContext*, const v1::GetLedgerHealthRequest*,
                                            v1::LedgerHealth*) override;

 private:
  TippingLogic& logic_;
  LedgerHealthLogic& health_;
  kit::CallRunner& runner_;
  const kit::AuthGate& auth_;
  kit::BlockingExecutor& executor_;
  const base::Clock& clock_;
  const SendTipsOptions send_tips_;
};

}  // namespace clipforge::tipping_service
