// The TippingService gRPC adapter: validate, convert, call the logic,
// convert. Every RPC needs an access token. The RPCs of the later parts of
// the ledger (SendTips, refunds, payouts, campaigns, fund runs, ledger
// health) answer UNIMPLEMENTED until they are built.
#pragma once

#include "base/clock.h"
#include "clipforge/v1/tipping.grpc.pb.h"
#include "services/kit/call_runner.h"
#include "services/tipping/tipping_logic.h"

namespace clipforge::tipping_service {

class TippingServiceImpl final : public v1::TippingService::CallbackService {
 public:
  // None is owned.
  TippingServiceImpl(TippingLogic& logic, kit::CallRunner& runner, const base::Clock& clock)
      : logic_(logic), runner_(runner), clock_(clock) {}

  grpc::ServerUnaryReactor* SendTip(grpc::CallbackServerContext*, const v1::SendTipRequest*, v1::Tip*) override;
  grpc::ServerUnaryReactor* GetTip(grpc::CallbackServerContext*, const v1::GetTipRequest*, v1::Tip*) override;
  grpc::ServerUnaryReactor* GetBalance(grpc::CallbackServerContext*, const v1::GetBalanceRequest*,
                                       v1::GetBalanceResponse*) override;
  grpc::ServerUnaryReactor* ListEntries(grpc::CallbackServerContext*, const v1::ListEntriesRequest*,
                                        v1::ListEntriesResponse*) override;
  grpc::ServerUnaryReactor* CreateTopUp(grpc::CallbackServerContext*, const v1::CreateTopUpRequest*,
                                        v1::TopUp*) override;

 private:
  TippingLogic& logic_;
  kit::CallRunner& runner_;
  const base::Clock& clock_;
};

}  // namespace clipforge::tipping_service
