// ModerationServiceImpl's reports, review queue and appeals: validate,
// convert, call the logic, convert. Every one waits for Postgres, so each
// runs on the executor.
#include "base/status_macros.h"
#include "base/validation.h"
#include "services/kit/idempotency.h"
#include "services/moderation/access.h"
#include "services/moderation/case_convert.h"
#include "services/moderation/case_request_parsing.h"
#include "services/moderation/service.h"

namespace clipforge::moderation_service {

grpc::ServerUnaryReactor* ModerationServiceImpl::CreateReport(grpc::CallbackServerContext* ctx,
                                                              const v1::CreateReportRequest* request,
                                                              v1::Report* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const ReportRecord input, ParseNewReport(*request));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const ReportView created, reports_.Create(caller, key, input));
    FillReport(created, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::GetReport(grpc::CallbackServerContext* ctx,
                                                           const v1::GetReportRequest* request,
                                                           v1::Report* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    base::FieldValidator v;
    CF_RETURN_IF_ERROR(v.Uuid("report_id", request->report_id()).status());
    CF_ASSIGN_OR_RETURN(const ReportView view, reports_.Get(caller, request->report_id()));
    FillReport(view, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::ListMyReports(grpc::CallbackServerContext* ctx,
                                                               const v1::ListMyReportsRequest* request,
                                                               v1::ListMyReportsResponse* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const ReportListing listing, ParseReportListing(*request));
    CF_ASSIGN_OR_RETURN(const ReportPage page, reports_.ListMine(caller, listing.before, listing.page_size));
    for (const ReportView& view : page.reports) FillReport(view, response->add_reports());
    if (page.next) response->set_next_page_token(ReportPageToken(*page.next));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::ListCases(grpc::CallbackServerContext* ctx,
                                                           const v1::ListCasesRequest* request,
                                                           v1::ListCasesResponse* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireModerator(caller, "read the review queue"));
    CF_ASSIGN_OR_RETURN(const CaseListing listing, ParseCaseListing(*request));
    CF_ASSIGN_OR_RETURN(const CasePage page, review_.List(caller, listing.filter, listing.after, listing.page_size));
    for (const CaseView& view : page.cases) FillCase(view, response->add_cases());
    if (page.next) response->set_next_page_token(CasePageToken(listing.filter, *page.next));
    response->set_open_count(static_cast<int32_t>(std::min<int64_t>(page.open_count, INT32_MAX)));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::ClaimNextCase(grpc::CallbackServerContext* ctx,
                                                               const v1::ClaimNextCaseRequest* request,
                                                               v1::ClaimNextCaseResponse* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireModerator(caller, "claim cases"));
    CF_ASSIGN_OR_RETURN(const ClaimRequest claim, ParseClaim(*request));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const std::optional<ClaimedCase> claimed,
                        review_.ClaimNext(caller, key, claim.filter, claim.hold));
    if (claimed) {
      FillCase(claimed->view, response->mutable_review_case());
      FillClaim(claimed->claim, response->mutable_claim());
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::GetCase(grpc::CallbackServerContext* ctx,
                                                         const v1::GetCaseRequest* request,
                                                         v1::ReviewCase* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireModerator(caller, "read cases"));
    base::FieldValidator v;
    CF_RETURN_IF_ERROR(v.Uuid("case_id", request->case_id()).status());
    CF_ASSIGN_OR_RETURN(const CaseView view, review_.Get(caller, request->case_id()));
    FillCase(view, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::ReleaseCase(grpc::CallbackServerContext* ctx,
                                                             const v1::ReleaseCaseRequest* request,
                                                             google::protobuf::Empty*) {
  return runner_.Authenticated(ctx, [this, request](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireModerator(caller, "release cases"));
    base::FieldValidator v;
    v.Uuid("request_id", request->request_id()).Uuid("case_id", request->case_id()).Uuid("claim_id",
                                                                                        request->claim_id());
    CF_RETURN_IF_ERROR(v.status());
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    return review_.Release(caller, key, request->case_id(), request->claim_id());
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::DecideCase(grpc::CallbackServerContext* ctx,
                                                            const v1::DecideCaseRequest* request,
                                                            v1::Decision* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireModerator(caller, "decide cases"));
    CF_ASSIGN_OR_RETURN(const DecisionInput input, ParseDecision(*request));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const DecisionRecord decision, review_.Decide(caller, key, input));
    FillDecision(decision, Audience::kModerator, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::FileAppeal(grpc::CallbackServerContext* ctx,
                                                            const v1::FileAppealRequest* request,
                                                            v1::Appeal* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(ValidateAppeal(*request));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const AppealView filed,
                        appeals_.File(caller, key, request->decision_id(), request->text()));
    FillAppeal(filed, Audience::kUser, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::GetAppeal(grpc::CallbackServerContext* ctx,
                                                           const v1::GetAppealRequest* request,
                                                           v1::Appeal* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    base::FieldValidator v;
    CF_RETURN_IF_ERROR(v.Uuid("appeal_id", request->appeal_id()).status());
    CF_ASSIGN_OR_RETURN(const AppealView view, appeals_.Get(caller, request->appeal_id()));
    FillAppeal(view, IsModerator(caller) ? Audience::kModerator : Audience::kUser, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModerationServiceImpl::DecideAppeal(grpc::CallbackServerContext* ctx,
                                                              const v1::DecideAppealRequest* request,
                                                              v1::Appeal* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(RequireModerator(caller, "decide appeals"));
    CF_ASSIGN_OR_RETURN(const AppealOutcomeInput input, ParseAppealOutcome(*request));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const AppealView decided, appeals_.Decide(caller, key, input));
    FillAppeal(decided, Audience::kModerator, response);
    return absl::OkStatus();
  });
}

}  // namespace clipforge::moderation_service
