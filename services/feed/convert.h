// The feed logic's results as API messages for the FeedService adapter.
#pragma once

#include "clipforge/v1/feed.pb.h"
#include "services/feed/feed_logic.h"

namespace clipforge::feed_service {

void FillPage(const FeedPage& page, v1::GetFeedResponse* out);
void FillExplanation(const FeedClipRecord& clip, v1::ClipExplanation* out);
void FillWeights(const WeightsRecord& weights, v1::RankingWeights* out);
void FillTheme(const ThemeView& view, v1::Theme* out);
// Leaves out who decided the appeal: the creator reads it too.
void FillReachStatus(const ReachView& view, v1::ReachStatus* out);

}  // namespace clipforge::feed_service
