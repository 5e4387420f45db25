// The FeedService gRPC adapter: validate, convert, call the logic,
// convert. Every RPC needs an access token.
#pragma once

#include "base/clock.h"
#include "clipforge/v1/feed.grpc.pb.h"
#include "services/feed/feed_logic.h"
#include "services/kit/call_runner.h"

namespace clipforge::feed_service {

class FeedServiceImpl final : public v1::FeedService::CallbackService {
 public:
  // None is owned.
  FeedServiceImpl(FeedLogic& logic, kit::CallRunner& runner, const base::Clock& clock)
      : logic_(logic), runner_(runner), clock_(clock) {}

  grpc::ServerUnaryReactor* GetFeed(grpc::CallbackServerContext*, const v1::GetFeedRequest*,
                                    v1::GetFeedResponse*) override;
  grpc::ServerUnaryReactor* SendFeedback(grpc::CallbackServerContext*, const v1::SendFeedbackRequest*,
                                         v1::SendFeedbackResponse*) override;
  grpc::ServerUnaryReactor* ExplainClip(grpc::CallbackServerContext*, const v1::ExplainClipRequest*,
                                        v1::ClipExplanation*) override;
  grpc::ServerUnaryReactor* GetRankingWeights(grpc::CallbackServerContext*, const v1::GetRankingWeightsRequest*,
                                              v1::RankingWeights*) override;
  grpc::ServerUnaryReactor* UpdateRankingWeights(grpc::CallbackServerContext*,
                                                 const v1::UpdateRankingWeightsRequest*,
                                                 v1::RankingWeights*) override;
  grpc::ServerUnaryReactor* ListThemes(grpc::CallbackServerContext*, const v1::ListThemesRequest*,
                                       v1::ListThemesResponse*) override;
  grpc::ServerUnaryReactor* GetTheme(grpc::CallbackServerContext*, const v1::GetThemeRequest*,
                                     v1::Theme*) override;
  grpc::ServerUnaryReactor* JoinTheme(grpc::CallbackServerContext*, const v1::JoinThemeRequest*,
                                      v1::Theme*) override;
  grpc::ServerUnaryReactor* LeaveTheme(grpc::CallbackServerContext*, const v1::LeaveThemeRequest*,
                                       v1::Theme*) override;
  grpc::ServerUnaryReactor* CreateTheme(grpc::CallbackServerContext*, const v1::CreateThemeRequest*,
                                        v1::Theme*) override;
  grpc::ServerUnaryReactor* GetReachStatus(grpc::CallbackServerContext*, const v1::GetReachStatusRequest*,
                                           v1::ReachStatus*) override;
  grpc::ServerUnaryReactor* AppealReachPenalty(grpc::CallbackServerContext*, const v1::AppealReachPenaltyRequest*,
                                               v1::ReachStatus*) override;
  grpc::ServerUnaryReactor* DecideReachAppeal(grpc::CallbackServerContext*, const v1::DecideReachAppealRequest*,
                                              v1::ReachStatus*) override;

 private:
  FeedLogic& logic_;
  kit::CallRunner& runner_;
  const base::Clock& clock_;
};

}  // namespace clipforge::feed_service
