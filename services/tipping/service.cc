#include "services/tipping/service.h"

#include <optional>
#include <vector>

#include "base/status_macros.h"
#include "base/validation.h"
#include "services/tipping/convert.h"
#include "services/tipping/request_parsing.h"

namespace clipforge::tipping_service {

grpc::ServerUnaryReactor* TippingServiceImpl::SendTip(grpc::CallbackServerContext* ctx,
                                                      const v1::SendTipRequest* request, v1::Tip* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const SendTipInput input, ParseSendTip(*request, logic_.config().currency));
    CF_ASSIGN_OR_RETURN(const TipRecord tip, logic_.SendTip(caller, input));
    FillTip(tip, response);
    return absl::OkStatus();
  });
}

grpc::ServerBidiReactor<v1::SendTipsRequest, v1::SendTipsResponse>* TippingServiceImpl::SendTips(
    grpc::CallbackServerContext* ctx) {
  // Deletes itself when the call is done and its tips have finished.
  return new SendTipsReactor(ctx, logic_, runner_, auth_, executor_, send_tips_);
}

grpc::ServerUnaryReactor* TippingServiceImpl::GetTip(grpc::CallbackServerContext* ctx,
                                                     const v1::GetTipRequest* request, v1::Tip* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    base::FieldValidator v;
    v.Uuid("tip_id", request->tip_id());
    CF_RETURN_IF_ERROR(v.status());
    CF_ASSIGN_OR_RETURN(const TipRecord tip, logic_.GetTip(caller, request->tip_id()));
    FillTip(tip, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TippingServiceImpl::GetBalance(grpc::CallbackServerContext* ctx,
                                                         const v1::GetBalanceRequest* request,
                                                         v1::GetBalanceResponse* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    const absl::Time now = clock_.Now();
    CF_ASSIGN_OR_RETURN(const std::optional<absl::Time> as_of, ParseAsOf(*request, now));
    CF_ASSIGN_OR_RETURN(const std::vector<AccountBalanceView> balances,
                        logic_.GetBalance(caller, request->user_id(), as_of));
    FillBalances(balances, logic_.config().currency, as_of.value_or(now), response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TippingServiceImpl::ListEntries(grpc::CallbackServerContext* ctx,
                                                          const v1::ListEntriesRequest* request,
                                                          v1::ListEntriesResponse* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const StatementQuery query, ParseListEntries(*request));
    CF_ASSIGN_OR_RETURN(const StatementPage page, logic_.ListEntries(caller, query));
    FillStatement(page, query.account_id, logic_.config().currency, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TippingServiceImpl::CreateTopUp(grpc::CallbackServerContext* ctx,
                                                          const v1::CreateTopUpRequest* request,
                                                          v1::TopUp* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const TopUpInput input, ParseCreateTopUp(*request, logic_.config().currency));
    CF_ASSIGN_OR_RETURN(const TopUpRecord top_up, logic_.CreateTopUp(caller, input));
    FillTopUp(top_up, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TippingServiceImpl::GetLedgerHealth(grpc::CallbackServerContext* ctx,
                                                              const v1::GetLedgerHealthRequest*,
                                                              v1::LedgerHealth* response) {
  // On the executor: the check reads the whole ledger (health_logic.h).
  return runner_.Authenticated(ctx, [this, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const LedgerHealthReport report, health_.Check(caller));
    FillLedgerHealth(report, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TippingServiceImpl::RefundTopUp(grpc::CallbackServerContext* ctx,
                                                          const v1::RefundTopUpRequest* request,
                                                          v1::TopUp* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const RefundInput input, ParseRefundTopUp(*request, logic_.config().currency));
    CF_ASSIGN_OR_RETURN(const TopUpRecord top_up, logic_.RefundTopUp(caller, input));
    FillTopUp(top_up, response);
    return absl::OkStatus();
  });
}

}  // namespace clipforge::tipping_service
