#include "services/feed/service.h"

#include <string>
#include <vector>

#include "base/status_macros.h"
#include "base/validation.h"
#include "services/feed/convert.h"
#include "services/feed/request_parsing.h"
#include "services/kit/idempotency.h"

namespace clipforge::feed_service {
namespace {

absl::Status ValidateId(const char* field, const std::string& id) {
  base::FieldValidator v;
  v.Uuid(field, id);
  return v.status();
}

// JoinTheme and LeaveTheme: the same request shape, one logic call.
template <typename Request>
absl::Status SetMembership(FeedLogic& logic, const kit::Caller& caller, const Request& request, bool join,
                           v1::Theme* response) {
  base::FieldValidator v;
  v.Uuid("request_id", request.request_id()).Uuid("theme_id", request.theme_id());
  CF_RETURN_IF_ERROR(v.status());
  const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request.request_id(), request);
  CF_ASSIGN_OR_RETURN(const ThemeView view, logic.SetMembership(caller, key, request.theme_id(), join));
  FillTheme(view, response);
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* FeedServiceImpl::GetFeed(grpc::CallbackServerContext* ctx,
                                                   const v1::GetFeedRequest* request,
                                                   v1::GetFeedResponse* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const FeedPageRequest page_request, ParseGetFeed(*request));
    CF_ASSIGN_OR_RETURN(const FeedPage page, logic_.GetFeed(caller, page_request));
    FillPage(page, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* FeedServiceImpl::SendFeedback(grpc::CallbackServerContext* ctx,
                                                        const v1::SendFeedbackRequest* request,
                                                        v1::SendFeedbackResponse* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const std::vector<FeedbackInput> feedback, ParseSendFeedback(*request, clock_.Now()));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const int accepted, logic_.SendFeedback(caller, key, feedback));
    response->set_accepted_count(accepted);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* FeedServiceImpl::ExplainClip(grpc::CallbackServerContext* ctx,
                                                       const v1::ExplainClipRequest* request,
                                                       v1::ClipExplanation* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller&) -> absl::Status {
    CF_RETURN_IF_ERROR(ValidateId("clip_id", request->clip_id()));
    CF_ASSIGN_OR_RETURN(const FeedClipRecord clip, logic_.Explain(request->clip_id()));
    FillExplanation(clip, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* FeedServiceImpl::GetRankingWeights(grpc::CallbackServerContext* ctx,
                                                             const v1::GetRankingWeightsRequest*,
                                                             v1::RankingWeights* response) {
  return runner_.Authenticated(ctx, [this, response](const kit::Caller& caller) -> absl::Status {
    FillWeights(logic_.GetWeights(caller), response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* FeedServiceImpl::UpdateRankingWeights(grpc::CallbackServerContext* ctx,
                                                                const v1::UpdateRankingWeightsRequest* request,
                                                                v1::RankingWeights* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const WeightsChange change, ParseUpdateWeights(*request));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const WeightsRecord weights, logic_.UpdateWeights(caller, key, change));
    FillWeights(weights, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* FeedServiceImpl::ListThemes(grpc::CallbackServerContext* ctx,
                                                      const v1::ListThemesRequest* request,
                                                      v1::ListThemesResponse* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const ThemeListing listing, ParseListThemes(*request));
    const ThemePage page = logic_.ListThemes(caller, listing.joined_only, listing.offset, listing.page_size);
    for (const ThemeView& view : page.themes) FillTheme(view, response->add_themes());
    if (page.next_offset > 0) response->set_next_page_token(ThemePageToken(page.next_offset, listing.joined_only));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* FeedServiceImpl::GetTheme(grpc::CallbackServerContext* ctx,
                                                    const v1::GetThemeRequest* request, v1::Theme* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_RETURN_IF_ERROR(ValidateId("theme_id", request->theme_id()));
    CF_ASSIGN_OR_RETURN(const ThemeView view, logic_.GetTheme(caller, request->theme_id()));
    FillTheme(view, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* FeedServiceImpl::JoinTheme(grpc::CallbackServerContext* ctx,
                                                     const v1::JoinThemeRequest* request, v1::Theme* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    return SetMembership(logic_, caller, *request, true, response);
  });
}

grpc::ServerUnaryReactor* FeedServiceImpl::LeaveTheme(grpc::CallbackServerContext* ctx,
                                                      const v1::LeaveThemeRequest* request, v1::Theme* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    return SetMembership(logic_, caller, *request, false, response);
  });
}

grpc::ServerUnaryReactor* FeedServiceImpl::CreateTheme(grpc::CallbackServerContext* ctx,
                                                       const v1::CreateThemeRequest* request, v1::Theme* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(ThemeRecord theme, ParseCreateTheme(*request));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const ThemeView view, logic_.CreateTheme(caller, key, std::move(theme)));
    FillTheme(view, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* FeedServiceImpl::GetReachStatus(grpc::CallbackServerContext* ctx,
                                                          const v1::GetReachStatusRequest*,
                                                          v1::ReachStatus* response) {
  return runner_.Authenticated(ctx, [this, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const ReachView view, logic_.GetReachStatus(caller));
    FillReachStatus(view, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* FeedServiceImpl::AppealReachPenalty(grpc::CallbackServerContext* ctx,
                                                              const v1::AppealReachPenaltyRequest* request,
                                                              v1::ReachStatus* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const std::string statement, ParseAppealReach(*request));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const ReachView view, logic_.AppealReach(caller, key, statement));
    FillReachStatus(view, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* FeedServiceImpl::DecideReachAppeal(grpc::CallbackServerContext* ctx,
                                                             const v1::DecideReachAppealRequest* request,
                                                             v1::ReachStatus* response) {
  return runner_.Authenticated(ctx, [this, request, response](const kit::Caller& caller) -> absl::Status {
    CF_ASSIGN_OR_RETURN(const ReachDecision decision, ParseDecideReachAppeal(*request));
    const kit::IdempotencyKey key = kit::IdempotencyKeyFor(caller.user_id, request->request_id(), *request);
    CF_ASSIGN_OR_RETURN(const ReachView view, logic_.DecideReachAppeal(caller, key, decision));
    FillReachStatus(view, response);
    return absl::OkStatus();
  });
}

}  // namespace clipforge::feed_service
